#pragma once
// One segment of the spool log: a file of framed records (record_frame.h), appended to and
// synced by one writer. Opening an existing segment scans it and truncates it at the first
// torn or corrupt record, reporting what was dropped, so that new records never follow
// garbage.

#include <string>
#include <string_view>

#include "engine/spool/record_frame.h"
#include "net/base/status.h"

namespace hookfan::engine::spool {

// The whole file, scanned. The buffer owns the bytes the records point into.
struct SegmentContents {
  std::string bytes;
  ScanResult scan;
};
StatusOr<SegmentContents> ReadSegment(const std::string& path);

class SegmentFile {
 public:
  // Creates the file if missing; else scans it and truncates after its last valid record
  // (`*recovered` tells what was kept and dropped, when given).
  static StatusOr<SegmentFile> Open(const std::string& path, SegmentContents* recovered);
  SegmentFile(SegmentFile&& other) noexcept;
  SegmentFile& operator=(SegmentFile&& other) noexcept;
  SegmentFile(const SegmentFile&) = delete;
  SegmentFile& operator=(const SegmentFile&) = delete;
  ~SegmentFile();

  // Writes framed bytes at the end (retrying short writes); not synced.
  Status Append(std::string_view framed);
  Status Sync();  // fdatasync
  // Cuts the file back to `size` bytes (a failed append leaves part of a frame behind).
  Status TruncateTo(std::uint64_t size);
  std::uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  SegmentFile(std::string path, int fd, std::uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace hookfan::engine::spool
