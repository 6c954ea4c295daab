#include "engine/spool/spool_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>

namespace hookfan::engine::spool {

StatusOr<SpoolLock> SpoolLock::Acquire(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return Status::Io("spool.dir " + dir + ": cannot create the directory: " + error.message());
  }
  const std::string path = dir + "/LOCK";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::Io("spool.dir " + dir + ": cannot open " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int saved = errno;
    ::close(fd);
    if (saved == EWOULDBLOCK) {
      return Status::FailedPrecondition("spool.dir " + dir +
                                        ": already in use by another hookfan process (" + path +
                                        " is locked)");
    }
    return Status::Io("spool.dir " + dir + ": cannot lock " + path + ": " + std::strerror(saved));
  }
  // The holder's pid, for the operator who wonders who has it (informative only).
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // Not fatal: the lock is what matters.
  }
  return SpoolLock(fd);
}

SpoolLock::SpoolLock(SpoolLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

SpoolLock& SpoolLock::operator=(SpoolLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

SpoolLock::~SpoolLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace hookfan::engine::spool
