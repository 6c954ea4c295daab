#pragma once
// How IngestApi hands accepted events on when a 202 must wait for something (serve's durable
// spool: tools/serve/spool_publisher.h). Without one, IngestApi publishes to the engine itself
// and answers at once.
//
//   class Spooled : public EventPublisher {
//     void Publish(std::vector<engine::EventPtr> events, PublishDone done) override {
//       ...  // later, on the loop thread: done(Status::Ok()) -> 202
//     }
//   };
//
// Threads: everything runs on the server's loop thread, `done` included.

#include <functional>
#include <string>
#include <vector>

#include "engine/events/event.h"
#include "net/base/status.h"

namespace hookfan::tools {

// Called exactly once. Ok: every event was accepted (202). kResourceExhausted or
// kUnavailable: nothing was accepted, try again later (503 with Retry-After). Another error:
// nothing may be counted as accepted (500 naming the error).
using PublishDone = std::function<void(const Status&)>;

class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  // All or nothing, like Engine::PublishBatch. The events are fresh from the parser and not
  // shared yet: the publisher may still stamp them.
  virtual void Publish(std::vector<engine::EventPtr> events, PublishDone done) = 0;
  // Ok, or the error that makes ingest fail (GET /healthz answers 503 with it).
  virtual Status Health() const = 0;
  // Prometheus text appended to GET /metrics (empty: nothing).
  virtual std::string MetricsText() const { return {}; }
};

}  // namespace hookfan::tools
