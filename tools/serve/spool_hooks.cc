#include "tools/serve/spool_hooks.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "net/base/clock.h"

namespace hookfan::tools {

using engine::spool::Spool;

void RecordIntoSpool(Spool* spool, engine::EngineConfig* config, EventDoneListeners* event_done) {
  config->on_outcome = [spool,
                        previous = config->on_outcome](const engine::DeliveryOutcome& outcome) {
    if (previous) previous(outcome);
    // A notification batch is not spooled itself: its source events end by event done.
    const std::uint64_t sequence = outcome.event.spool_sequence;
    if (sequence == 0) return;
    if (outcome.fate == engine::Fate::kDeadLettered && outcome.dead_letter_sequence != 0) {
      spool->RecordDeadLetter(
          sequence, outcome.endpoint_id,
          engine::spool::DeadLetterInfo{.letter_sequence = outcome.dead_letter_sequence,
                                        .attempts = static_cast<std::uint32_t>(outcome.attempts),
                                        .last_status = outcome.last_status,
                                        .reason = std::string(outcome.reason),
                                        .unix_ms = WallNowMs()});
    } else {
      // Delivered, or dead-lettered into a list that keeps nothing: finished either way.
      spool->RecordDelivered(sequence, outcome.endpoint_id);
    }
  };
  config->on_retry_scheduled =
      [spool, previous = config->on_retry_scheduled](const engine::RetryScheduled& retry) {
        if (previous) previous(retry);
        if (retry.event.spool_sequence == 0) return;
        spool->RecordRetry(retry.event.spool_sequence, retry.endpoint_id, retry.attempts,
                           retry.due_unix_ms);
      };
  config->on_dead_letter_evicted =
      [spool, previous = config->on_dead_letter_evicted](const engine::DeadLetter& letter) {
        if (previous) previous(letter);
        // Gone from the list for good: it must not keep its event, or come back at a restart.
        if (letter.event->spool_sequence != 0) {
          spool->RecordDeadLetterRemoved(letter.event->spool_sequence, letter.endpoint_id, false);
        }
      };
  event_done->Add([spool](const engine::Event& event) {
    if (event.spool_sequence != 0) spool->RecordEventDone(event.spool_sequence);
  });
}

void RecordReplay(Spool& spool, const engine::DeadLetter& letter, bool replaying) {
  const std::uint64_t sequence = letter.event->spool_sequence;
  if (sequence == 0) return;
  if (replaying) {
    spool.RecordDeadLetterRemoved(sequence, letter.endpoint_id, /*replayed=*/true);
    return;
  }
  spool.RecordDeadLetter(
      sequence, letter.endpoint_id,
      engine::spool::DeadLetterInfo{.letter_sequence = letter.sequence,
                                    .attempts = static_cast<std::uint32_t>(letter.attempts),
                                    .last_status = letter.last_status,
                                    .reason = letter.reason,
                                    .unix_ms = letter.unix_ms});
}

std::string RestoreReport::Summary() const {
  std::string line = "restored " + std::to_string(deliveries) + " deliveries of " +
                     std::to_string(events) + " events (" + std::to_string(retries_waiting) +
                     " retries keep their due time) and " + std::to_string(dead_letters) +
                     " dead letters";
  char seconds_text[32];
  std::snprintf(seconds_text, sizeof seconds_text, " in %.3f s", seconds);
  line += seconds_text;
  if (refused > 0) {
    line += "; the engine refused " + std::to_string(refused) +
            " events (kept in the spool for the next start): " + first_error;
  }
  return line;
}

RestoreReport RestoreFromSpool(const Spool& spool, engine::Engine& engine) {
  RestoreReport report;
  const auto started = std::chrono::steady_clock::now();
  const engine::spool::LiveSet& live = spool.recovered();
  const std::int64_t now = WallNowMs();
  std::vector<engine::Engine::Target> targets;
  live.ForEach([&](std::uint64_t sequence, const engine::spool::LiveEvent& event) {
    if (event.event == nullptr) return;
    targets.clear();
    for (std::uint32_t i = 0; i < event.slots.size(); ++i) {
      const engine::spool::DeliverySlot& slot = event.slots[i];
      const std::string& endpoint = live.EndpointName(slot.endpoint);
      if (slot.state == engine::spool::SlotState::kPending) {
        targets.push_back(
            {.endpoint_id = endpoint, .attempts = slot.attempts, .due_unix_ms = slot.due_unix_ms});
        report.retries_waiting += slot.due_unix_ms > now;
      } else if (slot.state == engine::spool::SlotState::kDead) {
        const engine::spool::DeadLetterInfo* info = live.DeadLetter(sequence, i);
        engine::DeadLetter letter{.sequence = info ? info->letter_sequence : 0,
                                  .endpoint_id = endpoint,
                                  .event = event.event,
                                  .attempts = info ? static_cast<int>(info->attempts) : 0,
                                  .last_status = info ? info->last_status : 0,
                                  .reason = info ? info->reason : "restored",
                                  .unix_ms = info ? info->unix_ms : 0};
        if (engine.RestoreDeadLetter(std::move(letter)).ok()) ++report.dead_letters;
      }
    }
    ++report.events;
    if (targets.empty()) return;
    Status published = engine.PublishTargets(event.event, targets);
    if (!published.ok()) {
      ++report.refused;
      if (report.first_error.empty()) report.first_error = published.message();
      return;
    }
    report.deliveries += targets.size();
  });
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace hookfan::tools
