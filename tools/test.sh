#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, format check, a Release build with its tests
# and a benchmark smoke run, then the tests again under AddressSanitizer +
# UndefinedBehaviorSanitizer. Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh

echo "== format check"
bash tools/check_format.sh

echo "== release build"
bash tools/build.sh release
echo "== benchmark smoke run"
bash bench/smoke.sh build/release
echo "== release tests"
ctest --test-dir build/release --output-on-failure -j2

echo "== asan+ubsan build"
bash tools/build.sh asan
echo "== asan+ubsan tests"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build/asan --output-on-failure -j2
