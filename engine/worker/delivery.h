#pragma once
// One event on its way to one endpoint: the unit the dispatcher queues, the timing wheel
// holds between attempts, and the outcome reports on. Kept small, because ten million of
// them may wait for retries at once: the payload is shared through `event`, never copied.
// Owned by its endpoint's worker and touched by that thread only.
//
// It is the timing wheel's node (a base, so the wheel's callback gets back to the delivery
// with a static_cast, not with offset arithmetic).

#include <cstdint>

#include "engine/base/timing_wheel.h"
#include "engine/events/event.h"

namespace hookfan::engine {

class EndpointRuntime;
struct EventTicket;

struct Delivery : TimerNode {           // armed while waiting for a retry
  Delivery* next_queued = nullptr;      // the endpoint's FIFO of deliveries ready to send
  EventPtr event;                       // shared by every delivery of the event
  EventTicket* ticket = nullptr;        // the event-done count, when the host asked for it
  EndpointRuntime* endpoint = nullptr;  // never null while the delivery lives
  std::int64_t published_us = 0;        // monotonic, for publish-to-outcome latency
  std::uint16_t attempts = 0;           // attempts started so far
};

}  // namespace hookfan::engine
