#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, format check, a Release build with its tests
# and a benchmark smoke run, the .deb packages (built from that build, installed and
# purged), the threaded tests under ThreadSanitizer, a short fuzzing run of
# every parser of outside bytes, then every test again under AddressSanitizer +
# UndefinedBehaviorSanitizer with the debug checks on. Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step prints its elapsed seconds when the next starts (and at exit, failed or not),
# so a CI run near its time limit shows which step grew.
step_name="" step_start=$SECONDS
end_step() {
  if [ -n "$step_name" ]; then echo "== $step_name: $((SECONDS - step_start)) s"; fi
}
step() {
  end_step
  step_name=$1 step_start=$SECONDS
  echo "== $1"
}
trap end_step EXIT

step "set-up"
bash tools/setup.sh

step "format check"
bash tools/check_format.sh

step "release build"
bash tools/build.sh release
step "benchmark smoke run"
bash bench/smoke.sh build/release
step "release tests"
ctest --test-dir build/release --output-on-failure -j2
step "package: the .deb from build/release, dpkg-deb -c, dpkg -i, hookfan on PATH"
bash tools/check_package.sh

step "thread sanitizer: the engine, the spool and the Redis source"
# clang: moodycamel's queue marks its lock-free paths for TSan only under clang.
cmake -S . -B build/tsan -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DHOOKFAN_SANITIZE=thread \
  -DHOOKFAN_BUILD_BENCHMARKS=OFF >/dev/null
# The engine's workers, the spool's writer thread and the Redis source's loop thread.
tsan_suites=(engine_test engine_fates_test engine_model_test spool_test redis_source_test)
cmake --build build/tsan -j"$(nproc)" --target "${tsan_suites[@]}"
for suite in "${tsan_suites[@]}"; do
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=tests/tsan.supp \
    "build/tsan/tests/$suite"
done

step "fuzzing smoke run"
bash tests/fuzz/run.sh "${HOOKFAN_FUZZ_SECONDS:-10}"

step "asan+ubsan build"
bash tools/build.sh asan
# The sanitized suite is also the one that runs the debug checks (HOOKFAN_DCHECK): refuse a
# flavour that quietly compiles them out.
if grep -q -- '-DNDEBUG' build/asan/compile_commands.json; then
  echo "test.sh: build/asan compiles with -DNDEBUG: the debug checks would not run" >&2
  exit 1
fi
step "asan+ubsan tests"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build/asan --output-on-failure -j2
