#!/usr/bin/env bash
# Configures and builds one flavour into build/<flavour>:
#   release  optimised, what benchmarks and the demo use (default)
#   asan     address + undefined-behaviour sanitizers, with debug checks ON (-O1 -g1, no
#            NDEBUG: RelWithDebInfo would add -DNDEBUG, so it uses its own build type; -O1
#            and line tables only compile 2.4x faster than -O2 -g and still give file:line
#            stacks; no benchmarks: CI runs them from the release build)
#   tsan     thread sanitizer
#   debug    no optimisation, debug checks on
#   fuzz     clang, libFuzzer targets of tests/fuzz with ASan+UBSan (tests/fuzz/run.sh runs them)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=AsanChecked -DCMAKE_CXX_FLAGS_ASANCHECKED="-O1 -g1"
              -DCMAKE_C_FLAGS_ASANCHECKED="-O1 -g1" -DHOOKFAN_SANITIZE=address,undefined
              -DHOOKFAN_BUILD_BENCHMARKS=OFF) ;;
  # clang: moodycamel's queue marks its lock-free paths for TSan only under clang.
  tsan) args=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
              -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOOKFAN_SANITIZE=thread) ;;
  debug) args=(-DCMAKE_BUILD_TYPE=Debug) ;;
  # -O1 -g1: half the compile time of -O2 -g, and libFuzzer's own docs build at -O1.
  fuzz) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
              -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
              -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
              -DHOOKFAN_BUILD_FUZZERS=ON -DHOOKFAN_BUILD_TESTS=OFF -DHOOKFAN_BUILD_BENCHMARKS=OFF) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan, tsan, debug, fuzz)" >&2; exit 2 ;;
esac
cmake -S . -B "build/$flavour" "${args[@]}" >/dev/null
cmake --build "build/$flavour" -j"$(nproc)"
