#pragma once
// Three levels of checking (STYLE.md):
//  - HOOKFAN_DCHECK: debug-only invariants, free in Release.
//  - HOOKFAN_CHECK: always on; aborts on states that can only come from a bug.
//  - Anything a remote peer can cause is handled and counted, never checked.

#include <cstdio>
#include <cstdlib>

namespace hookfan::internal {
[[noreturn]] inline void CheckFailed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "hookfan: check failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}
}  // namespace hookfan::internal

#define HOOKFAN_CHECK(cond)                                                                        \
  do {                                                                                             \
    if (__builtin_expect(!(cond), 0)) ::hookfan::internal::CheckFailed(#cond, __FILE__, __LINE__); \
  } while (0)

#ifdef NDEBUG
#define HOOKFAN_DCHECK(cond) \
  do {                       \
  } while (0)
#else
#define HOOKFAN_DCHECK(cond) HOOKFAN_CHECK(cond)
#endif
