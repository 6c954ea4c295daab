#pragma once
// What ties the engine to serve's durable spool (docs/durability.md), both ways:
// RecordIntoSpool installs the engine hooks that write each delivery's fate, each scheduled
// retry and each dead letter of a spooled event (Event::spool_sequence) into the spool, and
// the event-done signal; RestoreFromSpool publishes what recovery found live again, each
// delivery with its attempts and due time, and puts the dead letters back in their lists.
//
//   RecordIntoSpool(spool.get(), &config.engine, &event_done);   // before Engine::Start
//   RestoreReport restored = RestoreFromSpool(*spool, *engine);  // before Spool::Start
//
// The hooks run on worker threads and only queue records (Spool's methods may be called
// from any thread and never block on I/O).

#include <cstdint>
#include <string>

#include "engine/hookfan.h"
#include "engine/spool/spool.h"
#include "tools/serve/event_done_listeners.h"

namespace hookfan::tools {

// `spool` must outlive the engine.
void RecordIntoSpool(engine::spool::Spool* spool, engine::EngineConfig* config,
                     EventDoneListeners* event_done);

// A dead letter about to be replayed (`replaying`: its delivery is pending again), or one
// whose replay failed (it is a letter again). For AdminOptions::on_replay.
void RecordReplay(engine::spool::Spool& spool, const engine::DeadLetter& letter, bool replaying);

struct RestoreReport {
  std::uint64_t events = 0;
  std::uint64_t deliveries = 0;       // published again
  std::uint64_t retries_waiting = 0;  // of those, due later
  std::uint64_t dead_letters = 0;     // back in the lists
  std::uint64_t refused = 0;          // events the engine refused (they stay in the spool)
  double seconds = 0;
  std::string first_error;
  std::string Summary() const;
};

// Call after every endpoint is added (config and API-made) and before Spool::Start (the
// payloads are still held).
RestoreReport RestoreFromSpool(const engine::spool::Spool& spool, engine::Engine& engine);

}  // namespace hookfan::tools
