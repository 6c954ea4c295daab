#!/usr/bin/env bash
# Builds the fuzz flavour (tools/build.sh fuzz) and runs every libFuzzer target
# tests/fuzz/<name>_fuzz.cc for N seconds (default 10), one after the other, starting from
# its committed seed corpus tests/fuzz/corpus/<name>/ (a few real inputs, valid and not)
# and, when present, the dictionary tests/fuzz/<name>.dict. A new target is one new
# <name>_fuzz.cc file (CMake and this script find it), plus its seeds. Exits non-zero
# when any target crashes, leaks, trips ASan/UBSan or fails one of its checks.
#
#   bash tests/fuzz/run.sh        # CI: 10 s per target
#   bash tests/fuzz/run.sh 300    # a longer local run
#
# Inputs the fuzzer finds go to build/fuzz/corpus/<name>/ (kept between local runs, never
# committed; copy a telling one into tests/fuzz/corpus/<name>/ by hand). Logs are in
# build/fuzz/logs/; a failing input is saved as build/fuzz/crashes/<name>-crash-<sha1> and
# replays with: build/fuzz/tests/fuzz/<name>_fuzz build/fuzz/crashes/<name>-crash-<sha1>
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "run.sh: seconds-per-target must be a positive whole number, got '$seconds'" >&2
  exit 2
fi

bash tools/build.sh fuzz
mkdir -p build/fuzz/logs build/fuzz/crashes
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=()
for source in tests/fuzz/*_fuzz.cc; do
  name=$(basename "$source" _fuzz.cc)
  seeds=tests/fuzz/corpus/$name
  if [ ! -d "$seeds" ]; then
    echo "run.sh: warning: $name has no seeds in $seeds/, starting from nothing" >&2
    seeds=build/fuzz/corpus/$name
  fi
  mkdir -p "build/fuzz/corpus/$name"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="build/fuzz/crashes/$name-")
  [ -f "tests/fuzz/$name.dict" ] && args+=(-dict="tests/fuzz/$name.dict")
  log=build/fuzz/logs/$name.log
  echo "== fuzz $name (${seconds}s)"
  # The first directory receives new inputs; the committed seeds are only read.
  if "build/fuzz/tests/fuzz/${name}_fuzz" "${args[@]}" "build/fuzz/corpus/$name" "$seeds" \
      >"$log" 2>&1; then
    grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true
  else
    echo "FAILED: $name (log: $log)"
    tail -n 60 "$log"
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}"
  exit 1
fi
echo "fuzz: all targets ran ${seconds}s clean"
