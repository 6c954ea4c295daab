#include "sources/redis/dead_record.h"

namespace hookfan::sources {

DeadRecord MalformedRecord(std::string_view entry_id, std::span<const EntryField> fields,
                           const std::string& reason) {
  DeadRecord record;
  record.fields = {"kind", "malformed", "entry_id", std::string(entry_id), "reason", reason};
  for (const EntryField& field : fields) {
    record.fields.push_back("field:" + std::string(field.name));
    record.fields.emplace_back(field.value);
  }
  record.ack_entry_id = std::string(entry_id);
  return record;
}

namespace {
std::string JoinChannels(const RedisEvent& event) {
  std::string channels;
  for (const std::string& channel : event.channels) {
    if (!channels.empty()) channels += ',';
    channels += channel;
  }
  return channels;
}
}  // namespace

DeadRecord ClaimsExhaustedRecord(const RedisEvent& event, std::int64_t claims, int max_claims) {
  DeadRecord record;
  record.fields = {"kind",     "claimed",
                   "entry_id", event.entry_id,
                   "reason",   "claimed " + std::to_string(claims) + " times (max_claims " +
                                   std::to_string(max_claims) + ")",
                   "claims",   std::to_string(claims),
                   "id",       event.id,
                   "type",     event.type,
                   "channels", JoinChannels(event),
                   "payload",  event.payload};
  record.ack_entry_id = event.entry_id;
  return record;
}

DeadRecord DeliveryRecord(const RedisEvent& event, const engine::DeliveryOutcome& outcome) {
  const std::string channels = JoinChannels(event);
  DeadRecord record;
  record.fields = {"kind",        "delivery",
                   "entry_id",    event.entry_id,
                   "endpoint",    outcome.endpoint_id,
                   "reason",      std::string(outcome.reason),
                   "attempts",    std::to_string(outcome.attempts),
                   "last_status", std::to_string(outcome.last_status),
                   "id",          event.id,
                   "type",        event.type,
                   "channels",    channels,
                   "payload",     event.payload};
  return record;
}

}  // namespace hookfan::sources
