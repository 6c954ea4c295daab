#!/usr/bin/env bash
# install_test (ctest, Release flavour): installs the build into a temporary prefix, builds
# the installed docs/examples embedding program from outside the tree twice (CMake
# find_package(hookfan), then pkg-config --cflags --libs hookfan), and runs both against the
# installed `hookfan sink` on 127.0.0.1. Fails if the install misses a header, a library or
# a dependency, or if a consumer build reaches back into the source tree.
#   install_test.sh BUILD_DIR SOURCE_DIR CXX
set -euo pipefail
build_dir=$1 source_dir=$2 cxx=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/hookfan-install-test.XXXXXX")
sink_pid=""
cleanup() {
  if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "install_test: $*" >&2; exit 1; }

prefix=$work/prefix
cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log"
[ -x "$prefix/bin/hookfan" ] || fail "no bin/hookfan in the prefix"
grep -q "complete -o default -F _hookfan hookfan" "$prefix/share/bash-completion/completions/hookfan" ||
  fail "no bash completion in share/bash-completion/completions"
cp -r "$prefix/share/doc/hookfan/examples" "$work/src"

# 1. CMake: find_package(hookfan CONFIG) from the prefix, hookfan::engine.
cmake -S "$work/src" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  >"$work/configure.log" || { cat "$work/configure.log"; fail "find_package(hookfan) failed"; }
grep -q "^hookfan_DIR:PATH=$prefix/" "$work/cmake-build/CMakeCache.txt" ||
  fail "find_package(hookfan) found another hookfan: $(grep ^hookfan_DIR "$work/cmake-build/CMakeCache.txt")"
cmake --build "$work/cmake-build" >"$work/build.log" || { cat "$work/build.log"; fail "CMake build failed"; }
if grep -q -- "$source_dir" "$work/cmake-build/compile_commands.json"; then
  fail "the CMake consumer's compile line names the source tree"
fi

# 1b. find_package(hookfan COMPONENTS redis): hookfan::redis links (hiredis found through
# pkg-config) and its installed headers compile outside the tree.
mkdir -p "$work/redis-src"
cat >"$work/redis-src/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(redis_consumer LANGUAGES CXX)
find_package(hookfan CONFIG REQUIRED COMPONENTS redis)
add_executable(redis_consumer main.cc)
target_link_libraries(redis_consumer PRIVATE hookfan::redis)
CMAKE
cat >"$work/redis-src/main.cc" <<'CXX'
#include <cstdio>
#include "sources/redis/redis_source.h"
int main() {
  auto address = hookfan::sources::ParseRedisUrl("redis://127.0.0.1:6380/2");
  if (!address.ok()) return 1;
  std::printf("port=%d db=%d\n", address->port, address->db);
}
CXX
cmake -S "$work/redis-src" -B "$work/redis-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release >"$work/redis-configure.log" ||
  { cat "$work/redis-configure.log"; fail "find_package(hookfan COMPONENTS redis) failed"; }
cmake --build "$work/redis-build" >"$work/redis-build.log" ||
  { cat "$work/redis-build.log"; fail "hookfan::redis consumer build failed"; }
[ "$("$work/redis-build/redis_consumer")" = "port=6380 db=2" ] || fail "hookfan::redis consumer"

# 2. pkg-config: hookfan.pc from the prefix.
pc_file=$(find "$prefix" -name hookfan.pc)
[ -n "$pc_file" ] || fail "no hookfan.pc installed"
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc_file")
read -r -a pc_flags <<<"$(pkg-config --cflags --libs hookfan)"
[[ " ${pc_flags[*]} " == *" -I$prefix/"* ]] || fail "pkg-config --cflags lacks the prefix: ${pc_flags[*]}"
"$cxx" -std=c++20 -O1 "$work/src/embedding_example.cc" -o "$work/pkg-config-example" \
  "${pc_flags[@]}" || fail "pkg-config build failed"

# 3. Both programs deliver to the installed sink (loopback only).
"$prefix/bin/hookfan" sink --listen 127.0.0.1:0 >"$work/sink.out" 2>&1 &
sink_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/sink.out" && break
  sleep 0.1
done
address=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9]*\)$/\1/p' "$work/sink.out")
[ -n "$address" ] || fail "hookfan sink did not start: $(cat "$work/sink.out")"
lib_dir=$(dirname "$(dirname "$pc_file")")  # for a shared-library build
for program in "$work/cmake-build/embedding_example" "$work/pkg-config-example"; do
  output=$(LD_LIBRARY_PATH=$lib_dir "$program" "http://$address/hooks") ||
    fail "$program exited $?: $output"
  [[ "$output" == *"delivered 3 of 3; 0 still pending at shutdown"* ]] ||
    fail "$program: $output"
done
kill -TERM "$sink_pid"
wait "$sink_pid" || fail "hookfan sink exited $? on SIGTERM"
sink_pid=""
grep -q '^summary .* requests=6 .*status=200:6 ' "$work/sink.out" ||
  fail "the sink did not see 6 answered deliveries: $(cat "$work/sink.out")"
echo "install_test: find_package and pkg-config builds both delivered 3 of 3 to hookfan sink"
