#include "engine/spool/recovery.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include "engine/spool/segment_file.h"

namespace hookfan::engine::spool {
namespace {

// Applies one scanned record; errors are records this version cannot read (exit 2 in serve).
class Replayer {
 public:
  Replayer(RecoveredLog* out, bool keep_payloads) : out_(out), keep_payloads_(keep_payloads) {}

  Status Apply(const ScannedRecord& record, std::uint64_t segment) {
    RecoveryReport& report = out_->report;
    ++report.records;
    switch (record.type) {
      case RecordType::kEventAccepted: {
        auto decoded = DecodeEventAccepted(record.payload);
        if (!decoded.ok()) return decoded.status();
        out_->next_sequence = std::max(out_->next_sequence, decoded->sequence + 1);
        EventPtr event;
        if (keep_payloads_ && !decoded->endpoint_ids.empty()) {
          event = std::make_shared<const Event>(std::move(decoded->event));
        }
        out_->live.AddEvent(decoded->sequence, segment, decoded->endpoint_ids, std::move(event));
        return Status::Ok();
      }
      case RecordType::kFates: {
        auto fates = DecodeFates(record.payload);
        if (!fates.ok()) return fates.status();
        for (const FateEntry& f : *fates) report.ignored_entries += !out_->live.ApplyFate(f);
        return Status::Ok();
      }
      case RecordType::kRetries: {
        auto retries = DecodeRetries(record.payload);
        if (!retries.ok()) return retries.status();
        for (const RetryEntry& r : *retries) report.ignored_entries += !out_->live.ApplyRetry(r);
        return Status::Ok();
      }
      case RecordType::kDeadLetters: {
        auto entries = DecodeDeadLetters(record.payload);
        if (!entries.ok()) return entries.status();
        for (const DeadLetterEntry& e : *entries) {
          report.ignored_entries += !out_->live.ApplyDeadLetter(e);
        }
        return Status::Ok();
      }
      case RecordType::kCheckpoint: {
        PayloadReader peek(record.payload);
        const std::uint64_t id = peek.Varint();
        out_->next_checkpoint_id = std::max(out_->next_checkpoint_id, id + 1);
        bool last = false;
        HOOKFAN_RETURN_IF_ERROR(
            out_->live.ApplyCheckpointChunk(record.payload, &checkpoint_, &last));
        if (last) report.missing_events = checkpoint_.missing;
        return Status::Ok();
      }
      case RecordType::kSegmentDeleted: {
        auto deleted = DecodeSegmentDeleted(record.payload);
        if (!deleted.ok()) return deleted.status();
        deleted_.insert(*deleted);
        return Status::Ok();
      }
    }
    return Status::Internal("unhandled record type");
  }

  const std::set<std::uint64_t>& deleted() const { return deleted_; }

 private:
  RecoveredLog* out_;
  bool keep_payloads_;
  CheckpointStats checkpoint_;
  std::set<std::uint64_t> deleted_;
};

}  // namespace

std::string SegmentPath(const std::string& dir, std::uint64_t segment) {
  char name[32];
  std::snprintf(name, sizeof name, "%08llu.log", static_cast<unsigned long long>(segment));
  return dir + "/" + name;
}

StatusOr<std::vector<std::uint64_t>> ListSegments(const std::string& dir) {
  std::vector<std::uint64_t> segments;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 5 || !name.ends_with(".log")) continue;
    const std::string digits = name.substr(0, name.size() - 4);
    if (digits.empty() || digits.size() > 19 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    segments.push_back(std::stoull(digits));
  }
  if (error) {
    return Status::Io("spool.dir " + dir + ": cannot list the directory: " + error.message());
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

std::string RecoveryReport::Summary() const {
  std::string line = "recovered " + std::to_string(pending_deliveries) + " pending deliveries of " +
                     std::to_string(events) + " events (" + std::to_string(retries_waiting) +
                     " retries not yet due), " + std::to_string(dead_letters) +
                     " dead letters from " + std::to_string(segments) + " segments (" +
                     std::to_string(bytes) + " bytes, " + std::to_string(records) + " records) in ";
  char seconds_text[32];
  std::snprintf(seconds_text, sizeof seconds_text, "%.3f s", seconds);
  line += seconds_text;
  if (problems.empty() && missing_events == 0) return line + "; nothing skipped";
  line += "; skipped " + std::to_string(lost_bytes) + " bytes";
  if (missing_events > 0) {
    line += ", " + std::to_string(missing_events) + " events whose record was lost";
  }
  for (const std::string& problem : problems) line += "; " + problem;
  return line;
}

StatusOr<RecoveredLog> RecoverLog(const std::string& dir, bool keep_payloads,
                                  std::int64_t now_unix_ms) {
  const auto started = std::chrono::steady_clock::now();
  auto segments = ListSegments(dir);
  if (!segments.ok()) return segments.status();
  RecoveredLog out;
  Replayer replayer(&out, keep_payloads);
  for (std::size_t i = 0; i < segments->size(); ++i) {
    const std::uint64_t segment = (*segments)[i];
    const std::string path = SegmentPath(dir, segment);
    auto contents = ReadSegment(path);
    if (!contents.ok()) return contents.status();
    const ScanResult& scan = contents->scan;
    ++out.report.segments;
    out.report.bytes += scan.valid_bytes;
    if (!scan.problem.empty()) {
      const bool last = i + 1 == segments->size();
      out.report.lost_bytes += scan.lost_bytes;
      out.report.problems.push_back("segment " + std::to_string(segment) + ": " + scan.problem +
                                    (last ? " (the last segment's torn tail: a crash mid-write)"
                                          : " (not the last segment: corrupt, not a torn tail)") +
                                    ", " + std::to_string(scan.records.size()) +
                                    " records before it kept");
      // Cut it off so that nothing is ever read past it again, and the report is not repeated
      // on every start.
      if (::truncate(path.c_str(), static_cast<off_t>(scan.valid_bytes)) != 0) {
        return Status::Io(path + ": cannot truncate the spool segment: " + std::strerror(errno));
      }
    }
    for (const ScannedRecord& record : scan.records) {
      Status applied = replayer.Apply(record, segment);
      if (!applied.ok()) {
        return Status(applied.code(), path + ": record at offset " + std::to_string(record.offset) +
                                          ": " + applied.message());
      }
    }
    out.segment_sizes[segment] = scan.valid_bytes;
    out.next_segment = segment + 1;
  }
  // A crash between syncing a deletion and unlinking the file leaves it: finish the job.
  for (std::uint64_t segment : replayer.deleted()) {
    if (!out.segment_sizes.contains(segment) || out.live.segment_refs().contains(segment)) continue;
    const std::string path = SegmentPath(dir, segment);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::Io(path + ": cannot delete a finished spool segment: " + std::strerror(errno));
    }
    out.segment_sizes.erase(segment);
    ++out.report.leftover_segments_deleted;
  }
  out.report.events = out.live.events();
  out.report.pending_deliveries = out.live.pending_deliveries();
  out.report.dead_letters = out.live.dead_letters();
  out.live.ForEach([&](std::uint64_t, const LiveEvent& event) {
    for (const DeliverySlot& slot : event.slots) {
      if (slot.state == SlotState::kPending && slot.due_unix_ms > now_unix_ms) {
        ++out.report.retries_waiting;
      }
    }
  });
  out.report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace hookfan::engine::spool
