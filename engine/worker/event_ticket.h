#pragma once
// The event-done signal's bookkeeping: a count of an event's unfinished deliveries, shared
// by every delivery fanned out from it (possibly on several workers). Each delivery's
// terminal point (Worker::Finish) counts its own down once; the last one to finish calls
// EngineConfig::on_event_done, unless one of them was cancelled by shutdown (the event is
// then not done: a durable spool must send it again). Allocated only when on_event_done is
// set, so the engine without it pays nothing.
//
// A notification batch (Pryv) is one delivery standing for many events: its own ticket
// (`sources` non-empty) counts the batch delivery, and when it ends each gathered event's
// ticket is finished with the same fate.

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/events/event.h"
#include "engine/hookfan.h"

namespace hookfan::engine {

struct EventTicket {
  EventTicket(EventPtr of, std::uint32_t deliveries)
      : event(std::move(of)), unfinished(deliveries) {}

  EventPtr event;
  std::atomic<std::uint32_t> unfinished;
  std::atomic<bool> cancelled{false};
  bool is_batch = false;
  std::vector<EventTicket*> sources;  // a batch's gathered events
};

using EventDoneHook = std::function<void(const Event&)>;

// One delivery of the ticket's event ended with `fate`. The last one reports the event
// done (when no delivery was cancelled and `done` is set) and frees the ticket. Any thread.
void FinishTicket(EventTicket* ticket, Fate fate, const EventDoneHook& done);

}  // namespace hookfan::engine
