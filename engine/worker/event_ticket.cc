#include "engine/worker/event_ticket.h"

namespace hookfan::engine {

void FinishTicket(EventTicket* ticket, Fate fate, const EventDoneHook& done) {
  if (ticket == nullptr) return;
  if (fate == Fate::kCancelled) ticket->cancelled.store(true, std::memory_order_relaxed);
  // acq_rel: the last finisher sees every other finisher's `cancelled` store.
  if (ticket->unfinished.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  const bool cancelled = ticket->cancelled.load(std::memory_order_relaxed);
  if (ticket->is_batch) {
    for (EventTicket* source : ticket->sources) {
      FinishTicket(source, cancelled ? Fate::kCancelled : fate, done);
    }
  } else if (!cancelled && done) {
    done(*ticket->event);
  }
  delete ticket;
}

}  // namespace hookfan::engine
