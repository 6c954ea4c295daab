#pragma once
// One event on its way to one endpoint: the unit the dispatcher queues, the timing wheel
// holds between attempts, and the outcome reports on. Kept small, because ten million of
// them may wait for retries at once: the payload is shared through `event`, never copied.
// Owned by its endpoint's worker and touched by that thread only.

#include <cstdint>

#include "engine/base/timing_wheel.h"
#include "engine/events/event.h"

namespace hookfan::engine {

class EndpointRuntime;

struct Delivery {
  TimerNode timer;                      // armed while waiting for a retry
  Delivery* next_queued = nullptr;      // the endpoint's FIFO of deliveries ready to send
  EventPtr event;                       // shared by every delivery of the event
  EndpointRuntime* endpoint = nullptr;  // never null while the delivery lives
  std::int64_t published_us = 0;        // monotonic, for publish-to-outcome latency
  std::uint16_t attempts = 0;           // attempts started so far
};

}  // namespace hookfan::engine
