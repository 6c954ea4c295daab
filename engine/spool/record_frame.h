#pragma once
// The framing of one spool log record (docs/durability.md, "disk layout"):
//   u32 payload length | u8 type | u8 flags (0) | u16 reserved (0) | u64 xxh64 | payload
// little-endian. The checksum covers the first 8 header bytes and the payload, so a flipped
// bit in the length or the type is caught like one in the payload.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/base/status.h"

namespace hookfan::engine::spool {

inline constexpr std::size_t kFrameHeaderBytes = 16;
inline constexpr std::uint32_t kMaxRecordBytes = 64u << 20;

// Types this version writes and reads; a valid record of any other type was written by a
// newer hookfan, and reading stops with an error rather than skipping it silently.
enum class RecordType : std::uint8_t {
  kEventAccepted = 1,   // an event and the endpoints it matched
  kFates = 2,           // a batch of terminal fates (delivered / dead-lettered)
  kRetries = 3,         // a batch of (attempt count, due time) of scheduled retries
  kCheckpoint = 4,      // a summary of live state; replay starts after the last one
  kSegmentDeleted = 5,  // a segment whose events are all finished, synced before unlinking
  kDeadLetters = 6,     // a batch of dead letters added, removed or replayed
};
bool IsKnownRecordType(std::uint8_t type);

// Appends the framed record to `out`.
void AppendFrame(RecordType type, std::string_view payload, std::string* out);

struct ScannedRecord {
  RecordType type;
  std::string_view payload;  // points into the scanned buffer
  std::uint64_t offset;      // of the frame header within the buffer
};

// What a scan of one segment's bytes found: every record up to the first torn (incomplete)
// or corrupt (checksum mismatch, impossible length) frame, and what follows it.
struct ScanResult {
  std::vector<ScannedRecord> records;
  std::uint64_t valid_bytes = 0;  // keep these; truncate the rest
  std::uint64_t lost_bytes = 0;   // from the first bad frame to the end
  std::string problem;            // empty when the whole buffer was valid
};

// An unknown record type behind a valid checksum is an error (kFailedPrecondition) naming
// the type and offset: a newer version's log must not be truncated by an older one.
StatusOr<ScanResult> ScanFrames(std::string_view bytes);

}  // namespace hookfan::engine::spool
