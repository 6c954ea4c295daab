#pragma once
// Pryv-style notification batching for one endpoint: events are not sent one by one; their
// types are gathered (de-duplicated, first-seen order) and become one small POST
//   {"messages":["eventsChanged","streamsChanged"],
//    "meta":{"apiVersion":"1.4.8","serverTime":1557927701.698,"serial":20190810}}
// The worker decides when to flush (max batch reached, max wait passed); this class only
// gathers and renders. Owned by the endpoint's worker thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hookfan::engine {

class NotificationBatch {
 public:
  // Counts one event; its type joins the messages unless already there.
  void Add(std::string_view type);

  bool empty() const { return events_ == 0; }
  std::size_t events() const { return events_; }
  std::size_t distinct_types() const { return types_.size(); }

  // The POST body for what was gathered; the batch is empty afterwards.
  std::string TakeBody(std::string_view api_version, std::int64_t serial, std::int64_t now_unix_ms);

 private:
  std::vector<std::string> types_;
  std::size_t events_ = 0;
};

}  // namespace hookfan::engine
