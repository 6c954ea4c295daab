#pragma once
// serve's durable ingest path (docs/durability.md): each accepted event is appended to the
// spool with the endpoints it matches, published to the engine, and answered 202 only once
// the spool says its record is durable under the fsync policy. At the disk budget or after
// an I/O error nothing is accepted (503 / 500), and what a refused batch had already appended
// is marked finished, so a restart does not deliver what the client was told to send again.
//
//   SpoolPublisher publisher(engine, spool, &loop);
//   ingest_api.SetPublisher(&publisher);
//   ...                                    // after the HTTP server closed:
//   publisher.Close();
//
// Threads: Publish and the `done` callbacks run on the loop thread; the spool's durable
// callbacks (writer thread) hand over through a uv_async_t.

#include <uv.h>

#include <memory>
#include <mutex>
#include <vector>

#include "api/event_publisher.h"
#include "engine/hookfan.h"
#include "engine/spool/spool.h"

namespace hookfan::tools {

class SpoolPublisher : public EventPublisher {
 public:
  SpoolPublisher(engine::Engine& engine, engine::spool::Spool& spool, uv_loop_t* loop);
  ~SpoolPublisher() override;
  SpoolPublisher(const SpoolPublisher&) = delete;
  SpoolPublisher& operator=(const SpoolPublisher&) = delete;

  void Publish(std::vector<engine::EventPtr> events, PublishDone done) override;
  Status Health() const override { return spool_.Health(); }
  // hookfan_spool_* gauges and counters from Spool::Stats().
  std::string MetricsText() const override;
  // Closes the wakeup handle. Call once nothing waits any more (the server has closed: every
  // responder was answered); the object must live until the loop has run the close.
  void Close();

 private:
  // One request's events: answered when the last durable callback arrives.
  struct Waiting {
    PublishDone done;
    std::size_t remaining = 1;  // one per appended event, plus Publish's own
    Status status;
  };
  // Any thread; the last one queues `waiting` for the loop.
  void Completed(const std::shared_ptr<Waiting>& waiting, const Status& status,
                 bool on_loop_thread);
  static void OnWake(uv_async_t* handle);

  engine::Engine& engine_;
  engine::spool::Spool& spool_;
  uv_async_t wake_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Waiting>> ready_;
  bool closed_ = false;
};

}  // namespace hookfan::tools
