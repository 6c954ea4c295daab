#pragma once
// The spool directory's LOCK file: one process at a time. A second `serve` on the same
// directory gets one clear line (and exits 2) instead of two writers interleaving one log.
// flock(2) is released by the kernel when the holder dies, so a kill -9 leaves no stale lock.

#include <string>

#include "net/base/status.h"

namespace hookfan::engine::spool {

class SpoolLock {
 public:
  // Creates `dir` (and its parents) when missing, then locks `dir`/LOCK.
  static StatusOr<SpoolLock> Acquire(const std::string& dir);
  SpoolLock(SpoolLock&& other) noexcept;
  SpoolLock& operator=(SpoolLock&& other) noexcept;
  SpoolLock(const SpoolLock&) = delete;
  SpoolLock& operator=(const SpoolLock&) = delete;
  ~SpoolLock();

 private:
  explicit SpoolLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace hookfan::engine::spool
