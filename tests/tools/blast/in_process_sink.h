#pragma once
// InProcessSink: a `hookfan sink` (tools/sink/sink.h) on its own loop thread in the test
// process, closed on destruction. Shared by the blast test suites.

#include <atomic>
#include <memory>
#include <string>

#include "net/base/check.h"
#include "tests/net/loop_thread.h"
#include "tools/sink/sink.h"

namespace hookfan::tools {

// A Sink on its own loop thread, closed on destruction.
class InProcessSink {
 public:
  explicit InProcessSink(SinkOptions options = {}) {
    options.seed = 7;
    sink_ = loop_.Run([&] {
      StatusOr<std::unique_ptr<Sink>> sink = Sink::Start(loop_.loop(), options);
      HOOKFAN_CHECK(sink.ok());
      return std::move(*sink);
    });
    port_ = loop_.Run([&] { return sink_->port(); });
  }
  ~InProcessSink() {
    std::atomic<bool> closed{false};
    loop_.Run([&] { sink_->Close([&] { closed = true; }); });
    while (!closed.load()) {
      // closing takes a loop turn or two
    }
    loop_.Run([&] { sink_.reset(); });
    loop_.Stop();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  SinkStats Stats() {
    return loop_.Run([&] { return sink_->stats(); });
  }

 private:
  test::LoopThread loop_;
  std::unique_ptr<Sink> sink_;
  int port_ = 0;
};

}  // namespace hookfan::tools
