#include "engine/spool/spool_records.h"

namespace hookfan::engine::spool {
namespace {

Status Malformed(const char* what) {
  return Status::FailedPrecondition(std::string("malformed ") + what +
                                    " record (a valid checksum over bytes this version cannot "
                                    "decode: written by a newer hookfan?)");
}

// A count read from disk bounds the entries that can follow (each takes at least one byte),
// so a bad count never makes the decoder reserve gigabytes.
bool PlausibleCount(std::uint64_t count, std::string_view payload) {
  return count <= payload.size();
}

}  // namespace

void PutVarint(std::uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void PutString(std::string_view value, std::string* out) {
  PutVarint(value.size(), out);
  out->append(value);
}

std::uint64_t PayloadReader::Varint() {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (bytes_.empty()) break;
    const auto byte = static_cast<unsigned char>(bytes_.front());
    bytes_.remove_prefix(1);
    value |= std::uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return value;
  }
  ok_ = false;
  bytes_ = {};
  return 0;
}

std::string_view PayloadReader::String() {
  const std::uint64_t size = Varint();
  if (!ok_ || size > bytes_.size()) {
    ok_ = false;
    bytes_ = {};
    return {};
  }
  const std::string_view value = bytes_.substr(0, size);
  bytes_.remove_prefix(size);
  return value;
}

std::uint8_t PayloadReader::Byte() {
  if (bytes_.empty()) {
    ok_ = false;
    return 0;
  }
  const auto byte = static_cast<std::uint8_t>(bytes_.front());
  bytes_.remove_prefix(1);
  return byte;
}

void EncodeEventAccepted(std::uint64_t sequence, const Event& event,
                         const std::vector<std::string>& endpoint_ids, std::string* out) {
  PutVarint(sequence, out);
  PutString(event.id, out);
  PutString(event.type, out);
  PutString(event.owner, out);
  PutVarint(ZigZag(event.received_unix_ms), out);
  PutVarint(event.channels.size(), out);
  for (const std::string& channel : event.channels) PutString(channel, out);
  PutVarint(endpoint_ids.size(), out);
  for (const std::string& id : endpoint_ids) PutString(id, out);
  PutString(event.payload, out);  // last: the bulk, read without scanning past it
}

StatusOr<EventRecord> DecodeEventAccepted(std::string_view payload) {
  PayloadReader in(payload);
  EventRecord record;
  record.sequence = in.Varint();
  record.event.id = in.String();
  record.event.type = in.String();
  record.event.owner = in.String();
  record.event.received_unix_ms = UnZigZag(in.Varint());
  const std::uint64_t channels = in.Varint();
  if (!in.ok() || !PlausibleCount(channels, payload)) return Malformed("event");
  record.event.channels.reserve(channels);
  for (std::uint64_t i = 0; i < channels; ++i) record.event.channels.emplace_back(in.String());
  const std::uint64_t endpoints = in.Varint();
  if (!in.ok() || !PlausibleCount(endpoints, payload)) return Malformed("event");
  record.endpoint_ids.reserve(endpoints);
  for (std::uint64_t i = 0; i < endpoints; ++i) record.endpoint_ids.emplace_back(in.String());
  record.event.payload = in.String();
  if (!in.done()) return Malformed("event");
  record.event.spool_sequence = record.sequence;  // what the host's hooks find it by
  return record;
}

void EncodeFates(const std::vector<FateEntry>& fates, std::string* out) {
  PutVarint(fates.size(), out);
  for (const FateEntry& f : fates) {
    PutVarint(f.sequence, out);
    PutVarint(f.endpoint_index, out);
  }
}

StatusOr<std::vector<FateEntry>> DecodeFates(std::string_view payload) {
  PayloadReader in(payload);
  const std::uint64_t count = in.Varint();
  if (!in.ok() || !PlausibleCount(count, payload)) return Malformed("fates");
  std::vector<FateEntry> fates(count);
  for (FateEntry& f : fates) {
    f.sequence = in.Varint();
    f.endpoint_index = static_cast<std::uint32_t>(in.Varint());
  }
  if (!in.done()) return Malformed("fates");
  return fates;
}

void EncodeRetries(const std::vector<RetryEntry>& retries, std::string* out) {
  PutVarint(retries.size(), out);
  for (const RetryEntry& r : retries) {
    PutVarint(r.sequence, out);
    PutVarint(r.endpoint_index, out);
    PutVarint(r.attempts, out);
    PutVarint(ZigZag(r.due_unix_ms), out);
  }
}

StatusOr<std::vector<RetryEntry>> DecodeRetries(std::string_view payload) {
  PayloadReader in(payload);
  const std::uint64_t count = in.Varint();
  if (!in.ok() || !PlausibleCount(count, payload)) return Malformed("retries");
  std::vector<RetryEntry> retries(count);
  for (RetryEntry& r : retries) {
    r.sequence = in.Varint();
    r.endpoint_index = static_cast<std::uint32_t>(in.Varint());
    r.attempts = static_cast<std::uint32_t>(in.Varint());
    r.due_unix_ms = UnZigZag(in.Varint());
  }
  if (!in.done()) return Malformed("retries");
  return retries;
}

void EncodeDeadLetters(const std::vector<DeadLetterEntry>& entries, std::string* out) {
  PutVarint(entries.size(), out);
  for (const DeadLetterEntry& e : entries) {
    out->push_back(static_cast<char>(e.op));
    PutVarint(e.sequence, out);
    PutVarint(e.endpoint_index, out);
    if (e.op != DeadLetterOp::kAdded) continue;
    PutVarint(e.info.letter_sequence, out);
    PutVarint(e.info.attempts, out);
    PutVarint(ZigZag(e.info.last_status), out);
    PutString(e.info.reason, out);
    PutVarint(ZigZag(e.info.unix_ms), out);
  }
}

StatusOr<std::vector<DeadLetterEntry>> DecodeDeadLetters(std::string_view payload) {
  PayloadReader in(payload);
  const std::uint64_t count = in.Varint();
  if (!in.ok() || !PlausibleCount(count, payload)) return Malformed("dead-letters");
  std::vector<DeadLetterEntry> entries(count);
  for (DeadLetterEntry& e : entries) {
    const std::uint8_t op = in.Byte();
    if (op < 1 || op > 3) return Malformed("dead-letters");
    e.op = static_cast<DeadLetterOp>(op);
    e.sequence = in.Varint();
    e.endpoint_index = static_cast<std::uint32_t>(in.Varint());
    if (e.op != DeadLetterOp::kAdded) continue;
    e.info.letter_sequence = in.Varint();
    e.info.attempts = static_cast<std::uint32_t>(in.Varint());
    e.info.last_status = static_cast<std::int32_t>(UnZigZag(in.Varint()));
    e.info.reason = in.String();
    e.info.unix_ms = UnZigZag(in.Varint());
  }
  if (!in.done()) return Malformed("dead-letters");
  return entries;
}

void EncodeSegmentDeleted(std::uint64_t segment, std::string* out) { PutVarint(segment, out); }

StatusOr<std::uint64_t> DecodeSegmentDeleted(std::string_view payload) {
  PayloadReader in(payload);
  const std::uint64_t segment = in.Varint();
  if (!in.done()) return Malformed("segment-deleted");
  return segment;
}

}  // namespace hookfan::engine::spool
