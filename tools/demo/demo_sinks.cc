#include "tools/demo/demo_sinks.h"

#include <utility>

#include "net/base/check.h"

namespace hookfan::tools {

DemoSinks::DemoSinks(std::vector<DemoSinkSpec> specs) : specs_(std::move(specs)) {
  HOOKFAN_CHECK(uv_loop_init(&loop_) == 0);
  HOOKFAN_CHECK(uv_async_init(&loop_, &stop_async_, &DemoSinks::OnStopRequested) == 0);
  stop_async_.data = this;
}

StatusOr<std::unique_ptr<DemoSinks>> DemoSinks::Start(std::vector<DemoSinkSpec> specs) {
  std::unique_ptr<DemoSinks> sinks(new DemoSinks(std::move(specs)));
  // The loop does not run yet, so this thread may start the sinks on it; the thread's
  // creation below orders these writes before the loop thread's first read.
  for (const DemoSinkSpec& spec : sinks->specs_) {
    StatusOr<std::unique_ptr<Sink>> sink = Sink::Start(&sinks->loop_, spec.options);
    if (!sink.ok()) {
      sinks->thread_ = std::thread([loop = &sinks->loop_] { uv_run(loop, UV_RUN_DEFAULT); });
      sinks->Stop();
      return Status(sink.status().code(), "sink " + spec.name + ": " + sink.status().message());
    }
    sinks->ports_.push_back((*sink)->port());
    sinks->sinks_.push_back(std::move(*sink));
  }
  sinks->thread_ = std::thread([loop = &sinks->loop_] { uv_run(loop, UV_RUN_DEFAULT); });
  return sinks;
}

DemoSinks::~DemoSinks() { Stop(); }

std::vector<SinkStats> DemoSinks::Stop() {
  if (stopped_) return final_stats_;
  stopped_ = true;
  HOOKFAN_CHECK(uv_async_send(&stop_async_) == 0);
  thread_.join();
  // Every handle is closed once uv_run has returned; the loop thread is gone, so its
  // objects may be read and freed here.
  for (const auto& sink : sinks_) final_stats_.push_back(sink->stats());
  sinks_.clear();
  HOOKFAN_CHECK(uv_loop_close(&loop_) == 0);
  return final_stats_;
}

void DemoSinks::OnStopRequested(uv_async_t* async) {
  static_cast<DemoSinks*>(async->data)->CloseAll();
}

void DemoSinks::CloseAll() {
  // Each Close ends with its own callback; uv_run returns when the last handle is closed.
  for (const auto& sink : sinks_) sink->Close([] {});
  uv_close(reinterpret_cast<uv_handle_t*>(&stop_async_), nullptr);
}

}  // namespace hookfan::tools
