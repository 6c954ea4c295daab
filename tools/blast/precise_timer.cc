#include "tools/blast/precise_timer.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>

#include "net/base/check.h"

namespace hookfan::tools {

namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;

void Set(int fd, std::int64_t deadline_ns) {
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(deadline_ns / kNsPerSecond);
  spec.it_value.tv_nsec = static_cast<long>(deadline_ns % kNsPerSecond);
  // {0, 0} would disarm: a deadline at the clock's origin means "now".
  if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
  HOOKFAN_CHECK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, nullptr) == 0);
}

}  // namespace

PreciseTimer::PreciseTimer(uv_loop_t* loop, Callback callback, void* context)
    : callback_(callback), context_(context) {
  fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  HOOKFAN_CHECK(fd_ >= 0);
  HOOKFAN_CHECK(uv_poll_init(loop, &poll_, fd_) == 0);
  poll_.data = this;
  HOOKFAN_CHECK(uv_poll_start(&poll_, UV_READABLE, &PreciseTimer::OnReadable) == 0);
}

PreciseTimer::~PreciseTimer() {
  HOOKFAN_DCHECK(closed_);
  if (fd_ >= 0) ::close(fd_);
}

void PreciseTimer::ArmAt(std::int64_t deadline_ns) {
  if (closed_) return;
  Set(fd_, deadline_ns < 0 ? 0 : deadline_ns);
}

void PreciseTimer::Disarm() {
  if (closed_) return;
  itimerspec spec{};
  HOOKFAN_CHECK(timerfd_settime(fd_, 0, &spec, nullptr) == 0);
}

void PreciseTimer::Close() {
  if (closed_) return;
  closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), nullptr);
}

void PreciseTimer::OnReadable(uv_poll_t* poll, int status, int /*events*/) {
  auto* self = static_cast<PreciseTimer*>(poll->data);
  if (self->closed_ || status < 0) return;
  std::uint64_t expirations = 0;
  // EAGAIN: re-armed for later between the wake-up and now; nothing is due.
  if (::read(self->fd_, &expirations, sizeof(expirations)) != sizeof(expirations)) return;
  self->callback_(self->context_);
}

}  // namespace hookfan::tools
