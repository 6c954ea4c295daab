#!/usr/bin/env bash
# Runs every benchmark binary for a moment: proves they build and run, measures nothing.
# Large-size cases (10 million timers) are skipped here; bench/README-style full runs are in
# docs/benchmarks.md.
set -euo pipefail
build=${1:-build/release}
count=0
for binary in $(find "$build/bench" -type f -name '*_bench' -perm -u+x | sort); do
  echo "smoke: $(basename "$binary")"
  HOOKFAN_BENCH_SMOKE=1 "$binary" --benchmark_min_time=0.001 >/dev/null
  count=$((count + 1))
done
echo "smoke: $count benchmark binaries ran"
