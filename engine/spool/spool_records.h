#pragma once
// The payloads of the spool's records (the frames around them: record_frame.h). Integers are
// LEB128 varints, strings a varint length and the bytes, so a record costs what it says.
// An event is identified in the log by its spool sequence (assigned at append, increasing in
// log order) and a delivery by (sequence, index of the endpoint in the event's list), so a
// fate or a retry costs a few bytes whatever the ids' lengths (docs/durability.md).
//
//   std::string payload;
//   EncodeEventAccepted(record, &payload);
//   AppendFrame(RecordType::kEventAccepted, payload, &framed);
//   ...
//   auto decoded = DecodeEventAccepted(scanned.payload);  // error when malformed

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/events/event.h"
#include "net/base/status.h"

namespace hookfan::engine::spool {

// kEventAccepted: one accepted event and the endpoints it matched, stored once for all of them.
struct EventRecord {
  std::uint64_t sequence = 0;
  Event event;
  std::vector<std::string> endpoint_ids;
};
void EncodeEventAccepted(std::uint64_t sequence, const Event& event,
                         const std::vector<std::string>& endpoint_ids, std::string* out);
StatusOr<EventRecord> DecodeEventAccepted(std::string_view payload);

// kFates: deliveries that ended (delivered, or dead-lettered without a kept letter).
struct FateEntry {
  std::uint64_t sequence = 0;
  std::uint32_t endpoint_index = 0;
};
void EncodeFates(const std::vector<FateEntry>& fates, std::string* out);
StatusOr<std::vector<FateEntry>> DecodeFates(std::string_view payload);

// kRetries: scheduled retries, each with the attempts made so far and the next due time.
struct RetryEntry {
  std::uint64_t sequence = 0;
  std::uint32_t endpoint_index = 0;
  std::uint32_t attempts = 0;
  std::int64_t due_unix_ms = 0;
};
void EncodeRetries(const std::vector<RetryEntry>& retries, std::string* out);
StatusOr<std::vector<RetryEntry>> DecodeRetries(std::string_view payload);

// What a kept dead letter says besides its delivery.
struct DeadLetterInfo {
  std::uint64_t letter_sequence = 0;  // the engine's, for Replay; kept across restarts
  std::uint32_t attempts = 0;
  std::int32_t last_status = 0;
  std::string reason;
  std::int64_t unix_ms = 0;
};

// kDeadLetters: a delivery became a dead letter (it ended; the letter keeps its event alive),
// a letter was removed, or a letter was replayed (its delivery is pending again, at once).
enum class DeadLetterOp : std::uint8_t { kAdded = 1, kRemoved = 2, kReplayed = 3 };
struct DeadLetterEntry {
  DeadLetterOp op = DeadLetterOp::kAdded;
  std::uint64_t sequence = 0;
  std::uint32_t endpoint_index = 0;
  DeadLetterInfo info;  // kAdded only
};
void EncodeDeadLetters(const std::vector<DeadLetterEntry>& entries, std::string* out);
StatusOr<std::vector<DeadLetterEntry>> DecodeDeadLetters(std::string_view payload);

// kSegmentDeleted: the segment's number, written and synced before the file is unlinked.
void EncodeSegmentDeleted(std::uint64_t segment, std::string* out);
StatusOr<std::uint64_t> DecodeSegmentDeleted(std::string_view payload);

// The varint primitives, shared with the checkpoint's encoding (live_set.cc).
void PutVarint(std::uint64_t value, std::string* out);
void PutString(std::string_view value, std::string* out);
inline std::uint64_t ZigZag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t UnZigZag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

// Reads what PutVarint/PutString wrote; any read past the end or overlong varint makes
// ok() false for good, so a decoder checks once at the end.
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t Varint();
  std::string_view String();
  std::uint8_t Byte();
  bool ok() const { return ok_; }
  bool done() const { return ok_ && bytes_.empty(); }

 private:
  std::string_view bytes_;
  bool ok_ = true;
};

}  // namespace hookfan::engine::spool
