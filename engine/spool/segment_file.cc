#include "engine/spool/segment_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace hookfan::engine::spool {
namespace {

Status Errno(const std::string& path, const char* what) {
  return Status::Io(path + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

StatusOr<SegmentContents> ReadSegment(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno(path, "cannot open the spool segment");
  SegmentContents contents;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status error = Errno(path, "cannot read the spool segment");
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    contents.bytes.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto scan = ScanFrames(contents.bytes);
  if (!scan.ok()) return Status(scan.status().code(), path + ": " + scan.status().message());
  contents.scan = std::move(*scan);
  return contents;
}

StatusOr<SegmentFile> SegmentFile::Open(const std::string& path, SegmentContents* recovered) {
  SegmentContents local;
  SegmentContents& contents = recovered ? *recovered : local;
  contents = {};
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    auto read = ReadSegment(path);
    if (!read.ok()) return read.status();
    contents = std::move(*read);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(path, "cannot open the spool segment for writing");
  const std::uint64_t keep = contents.scan.valid_bytes;
  if (contents.scan.lost_bytes > 0 && ::ftruncate(fd, static_cast<off_t>(keep)) != 0) {
    Status error = Errno(path, "cannot truncate the spool segment");
    ::close(fd);
    return error;
  }
  if (::lseek(fd, static_cast<off_t>(keep), SEEK_SET) < 0) {
    Status error = Errno(path, "cannot seek in the spool segment");
    ::close(fd);
    return error;
  }
  return SegmentFile(path, fd, keep);
}

SegmentFile::SegmentFile(SegmentFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(std::exchange(other.size_, 0)) {}

SegmentFile& SegmentFile::operator=(SegmentFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SegmentFile::~SegmentFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status SegmentFile::Append(std::string_view framed) {
  while (!framed.empty()) {
    const ssize_t n = ::write(fd_, framed.data(), framed.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno(path_, "cannot write the spool segment");
    framed.remove_prefix(static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
  return Status::Ok();
}

Status SegmentFile::TruncateTo(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0 ||
      ::lseek(fd_, static_cast<off_t>(size), SEEK_SET) < 0) {
    return Errno(path_, "cannot truncate the spool segment");
  }
  size_ = size;
  return Status::Ok();
}

Status SegmentFile::Sync() {
  if (::fdatasync(fd_) != 0) return Errno(path_, "cannot sync the spool segment");
  return Status::Ok();
}

}  // namespace hookfan::engine::spool
