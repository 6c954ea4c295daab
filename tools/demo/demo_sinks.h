#pragma once
// DemoSinks: several Sinks (tools/sink/sink.h) sharing one libuv loop on a thread of their own,
// for `hookfan demo`: the receivers the demo's endpoints deliver to, each with its own
// faults (failures, latency, signature checks).
//
//   std::vector<DemoSinkSpec> specs = {{"fast", {}}, {"slow", slow_options}};
//   StatusOr<std::unique_ptr<DemoSinks>> sinks = DemoSinks::Start(std::move(specs));
//   if (!sinks.ok()) return sinks.status();
//   std::string url = "http://127.0.0.1:" + std::to_string((*sinks)->port(0)) + "/hook";
//   ...
//   std::vector<SinkStats> seen = (*sinks)->Stop();   // one per spec, in order
//
// Threads: Start, port and Stop from one controlling thread (not the sinks' thread). The
// sinks are touched only by their loop thread until Stop has joined it; their stats are
// read after that, so no locking is needed.

#include <uv.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/base/status.h"
#include "tools/sink/sink.h"
#include "tools/sink/sink_options.h"
#include "tools/sink/sink_stats.h"

namespace hookfan::tools {

struct DemoSinkSpec {
  std::string name;     // shown in the demo's summary: "flaky"
  SinkOptions options;  // host must be a loopback address; port 0 picks a free one
};

class DemoSinks {
 public:
  // Starts every sink (listening before it returns) and the loop thread. The first sink
  // that fails to start fails the whole call, naming it.
  static StatusOr<std::unique_ptr<DemoSinks>> Start(std::vector<DemoSinkSpec> specs);
  ~DemoSinks();  // Stop() if it was not called
  DemoSinks(const DemoSinks&) = delete;
  DemoSinks& operator=(const DemoSinks&) = delete;

  std::size_t size() const { return specs_.size(); }
  const DemoSinkSpec& spec(std::size_t i) const { return specs_[i]; }
  int port(std::size_t i) const { return ports_[i]; }

  // Closes every sink on the loop thread, joins it and returns each sink's final stats, in
  // spec order. Later calls return the same stats.
  std::vector<SinkStats> Stop();

 private:
  explicit DemoSinks(std::vector<DemoSinkSpec> specs);
  static void OnStopRequested(uv_async_t* async);
  void CloseAll();

  std::vector<DemoSinkSpec> specs_;
  std::vector<int> ports_;
  uv_loop_t loop_;
  uv_async_t stop_async_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  std::thread thread_;
  bool stopped_ = false;
  std::vector<SinkStats> final_stats_;
};

}  // namespace hookfan::tools
