#pragma once
// Reading the replies of XREADGROUP and XINFO GROUPS (RESP2 shapes, Redis 6.2 and 7).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sources/redis/stream_entry.h"

struct redisReply;

namespace hookfan::sources {

struct StreamEntryView {
  std::string_view id;
  bool deleted = false;  // in the pending list but XDELed: nil fields
  std::vector<EntryField> fields;
};

// XREADGROUP's reply for one stream: nil (timeout) or [[stream, [[id, [f, v, ...]], ...]]].
// False when the shape is something else.
bool ReadStreamEntries(const redisReply* reply, std::vector<StreamEntryView>* out);

// XAUTOCLAIM's reply: [next cursor, [[id, fields], ...], [deleted ids] (Redis 7)]. Entries
// deleted while pending are dropped from the pending list by Redis itself.
bool ReadClaimedEntries(const redisReply* reply, std::string* next_cursor,
                        std::vector<StreamEntryView>* out);

// XPENDING's extended reply [[id, consumer, idle ms, delivery count], ...]: id -> count.
bool ReadDeliveryCounts(const redisReply* reply,
                        std::vector<std::pair<std::string, std::int64_t>>* out);

struct GroupInfo {
  std::int64_t pending = -1;  // entries delivered to the group's consumers, not acknowledged
  std::int64_t lag = -1;      // entries not yet delivered to the group (-1: unknown)
};

// XINFO GROUPS' reply, the group named `group`; false when not there.
bool ReadGroupInfo(const redisReply* reply, std::string_view group, GroupInfo* out);

}  // namespace hookfan::sources
