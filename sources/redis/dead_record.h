#pragma once
// What the source writes to `<stream>:dead` (docs/redis_source.md, "Entry format"): the
// fields of one XADD, and the entry to acknowledge once it is written.

#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "engine/hookfan.h"
#include "sources/redis/stream_entry.h"

namespace hookfan::sources {

struct DeadRecord {
  std::vector<std::string> fields;  // name, value, name, value, ...
  // Acknowledged once the XADD succeeded (a malformed or too often claimed entry); empty for
  // a delivery's dead letter, whose entry is acknowledged with its event.
  std::string ack_entry_id;
};

// kind malformed: entry_id, reason, and the entry's own fields as field:<name>.
DeadRecord MalformedRecord(std::string_view entry_id, std::span<const EntryField> fields,
                           const std::string& reason);
// kind delivery: entry_id, endpoint, reason, attempts, last_status, id, type, channels, payload.
DeadRecord DeliveryRecord(const RedisEvent& event, const engine::DeliveryOutcome& outcome);
// kind claimed: an entry taken over more than max_claims times (each owner died holding it):
// entry_id, reason, claims, id, type, channels, payload; acknowledged once written.
DeadRecord ClaimsExhaustedRecord(const RedisEvent& event, std::int64_t claims, int max_claims);

}  // namespace hookfan::sources
