#include "sources/redis/redis_source_loop.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "net/base/clock.h"

namespace hookfan::sources {

void RedisSource::Loop::Tick() {
  commands.store(CommandsSent(), std::memory_order_relaxed);
  if (!ready) return;
  const TimeMs now = MonotonicNowMs();
  if (now - last_refresh >= ClaimIdle() / 3) {
    last_refresh = now;
    Refresh();
  }
  Claim();
  if (now - last_info < kInfoMs) return;
  last_info = now;
  const std::uint64_t g = generation;
  writer->Command({"XINFO", "GROUPS", options().stream}, [this, g](redisReply* reply) {
    if (g != generation || reply == nullptr) return;
    GroupInfo info;
    if (ReadGroupInfo(reply, options().group, &info)) {
      lag.store(info.lag, std::memory_order_relaxed);
      group_pending.store(info.pending, std::memory_order_relaxed);
    }
  });
}

// The owner keeps the idle time of what it holds (pending retries included) far below
// claim_idle with XCLAIM to itself ... JUSTID, which does not count as a delivery, so no
// other instance takes over the entries of a live one.
void RedisSource::Loop::Refresh() {
  const std::size_t head = 5;
  std::vector<std::string> args = {"XCLAIM", options().stream, options().group, consumer, "0"};
  auto send = [&] {
    args.push_back("JUSTID");
    writer->Command(args, [](redisReply*) {});
    args.resize(head);
  };
  for (const std::string& id : held_ids) {
    args.push_back(id);
    if (args.size() - head == kAckChunk) send();
  }
  if (args.size() > head) send();
}

// What stayed idle for claim_idle in any consumer's pending list: its owner died. Claimed
// here (XAUTOCLAIM counts a delivery each time), then published unless it was claimed more
// than max_claims times (XPENDING tells the count): an entry that kills its owners.
void RedisSource::Loop::Claim() {
  if (claiming || stop_reading || !backlog.empty() ||
      held_ids.size() >= options().max_entries_in_memory) {
    return;
  }
  claiming = true;
  const std::uint64_t g = generation;
  writer->Command({"XAUTOCLAIM", options().stream, options().group, consumer,
                   std::to_string(ClaimIdle()), claim_cursor, "COUNT",
                   std::to_string(options().batch)},
                  [this, g](redisReply* reply) {
                    if (g != generation || reply == nullptr) return;
                    claiming = false;
                    OnClaimed(reply);
                  });
}

void RedisSource::Loop::OnClaimed(redisReply* reply) {
  std::vector<StreamEntryView> entries;
  if (ReplyIsError(reply) || !ReadClaimedEntries(reply, &claim_cursor, &entries)) {
    claim_cursor = "0-0";
    return;
  }
  std::vector<std::shared_ptr<RedisEvent>> claimed;
  std::string first_id, last_id;  // the XPENDING range (not from claimed: GCC 12 -Warray-bounds)
  for (const StreamEntryView& entry : entries) {
    std::string id(entry.id);
    if (held_ids.contains(id)) continue;
    if (entry.deleted) {
      unsent_acks.push_back(std::move(id));
      continue;
    }
    auto event = parser.Parse(entry.id, entry.fields);
    if (!event.ok()) {
      DeadLetterMalformed(entry, event.status().message());
      continue;
    }
    if (first_id.empty()) first_id = id;
    last_id = id;
    claimed.push_back(std::move(*event));
  }
  FlushOutbound();
  if (claimed.empty()) return;
  const std::uint64_t g = generation;
  // Built before the callback takes `claimed` (argument order is unspecified).
  const std::vector<std::string> args = {"XPENDING",
                                         options().stream,
                                         options().group,
                                         first_id,
                                         last_id,
                                         std::to_string(claimed.size() + held_ids.size()),
                                         consumer};
  writer->Command(
      args,
      [this, g, claimed = std::move(claimed)](redisReply* counts_reply) {
        // Lost: they stay pending here, unrefreshed, and are claimed again later.
        if (g != generation || counts_reply == nullptr) return;
        std::vector<std::pair<std::string, std::int64_t>> counts;
        (void)ReadDeliveryCounts(counts_reply, &counts);
        std::unordered_map<std::string, std::int64_t> count_of(counts.begin(), counts.end());
        std::vector<engine::EventPtr> batch;
        for (const auto& event : claimed) {
          const std::int64_t claims = count_of[event->entry_id] - 1;  // the first read is 1
          if (claims > options().max_claims) {
            claims_exhausted.fetch_add(1, std::memory_order_relaxed);
            unsent_dead.push_back(ClaimsExhaustedRecord(*event, claims, options().max_claims));
          } else {
            batch.push_back(event);
          }
        }
        entries_claimed.fetch_add(batch.size(), std::memory_order_relaxed);
        Publish(std::move(batch));
        FlushOutbound();
      });
}

std::uint64_t RedisSource::Loop::CommandsSent() {
  std::uint64_t n = retired_commands;
  for (auto* c : {reader.get(), writer.get()}) {
    if (c != nullptr) n += c->commands_sent();
  }
  return n;
}

}  // namespace hookfan::sources
