#!/usr/bin/env bash
# Configures and builds one flavour into build/<flavour>:
#   release  optimised, what benchmarks and the demo use (default)
#   asan     address + undefined-behaviour sanitizers
#   tsan     thread sanitizer
#   debug    no optimisation, debug checks on
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOOKFAN_SANITIZE=address,undefined) ;;
  tsan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOOKFAN_SANITIZE=thread) ;;
  debug) args=(-DCMAKE_BUILD_TYPE=Debug) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan, tsan, debug)" >&2; exit 2 ;;
esac
cmake -S . -B "build/$flavour" "${args[@]}" >/dev/null
cmake --build "build/$flavour" -j"$(nproc)"
