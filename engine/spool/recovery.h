#pragma once
// Recovery of a spool directory at start: reads every segment in order, truncates each at its
// first torn or corrupt record (saying so), replays the records over the last checkpoint, and
// yields the live set: every unfinished delivery with its attempt count and next due time,
// every kept dead letter, and the events they belong to. Segments whose deletion was recorded
// but not yet done (a crash between the two) are deleted now.
//
//   auto recovered = RecoverLog("hookfan-data", /*keep_payloads=*/true);
//   if (!recovered.ok()) ...;          // unreadable directory, a newer version's record
//   puts(recovered->report.Summary().c_str());

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/spool/live_set.h"
#include "net/base/status.h"

namespace hookfan::engine::spool {

// "<dir>/00000042.log".
std::string SegmentPath(const std::string& dir, std::uint64_t segment);
// The numbers of the segment files in `dir`, ascending (other files are left alone).
StatusOr<std::vector<std::uint64_t>> ListSegments(const std::string& dir);

struct RecoveryReport {
  std::uint64_t segments = 0;  // read
  std::uint64_t bytes = 0;     // read and kept
  std::uint64_t records = 0;
  std::uint64_t events = 0;              // live: with a pending delivery or a dead letter
  std::uint64_t pending_deliveries = 0;  // to send again
  std::uint64_t retries_waiting = 0;     // of those, due after `now`
  std::uint64_t dead_letters = 0;
  std::uint64_t lost_bytes = 0;       // cut off at torn or corrupt records
  std::uint64_t missing_events = 0;   // a checkpoint listed them; their record is gone
  std::uint64_t ignored_entries = 0;  // fates/retries about deliveries not live (harmless)
  std::uint64_t leftover_segments_deleted = 0;
  // One line per thing skipped: "segment 3: checksum mismatch at offset 4096, 812 bytes after
  // it dropped (not the last segment: corrupt, not torn)".
  std::vector<std::string> problems;
  double seconds = 0;
  // One line for serve's start: what was recovered and what was skipped.
  std::string Summary() const;
};

struct RecoveredLog {
  LiveSet live;
  RecoveryReport report;
  std::map<std::uint64_t, std::uint64_t> segment_sizes;  // the segments kept, and their bytes
  std::uint64_t next_sequence = 1;
  std::uint64_t next_checkpoint_id = 1;
  std::uint64_t next_segment = 1;
};

// `keep_payloads`: decode the events of live deliveries (what serve publishes again); the
// writer alone needs only their states. `now_unix_ms` splits retries due from waiting.
StatusOr<RecoveredLog> RecoverLog(const std::string& dir, bool keep_payloads,
                                  std::int64_t now_unix_ms);

}  // namespace hookfan::engine::spool
