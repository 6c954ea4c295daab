#!/usr/bin/env bash
# Compares hookfan_client_load with `wrk -t1` against the same receiver (nginx on loopback,
# `return 200 "ok"`), the same body and the same number of connections, in one run.
#
#   bash bench/net/client_vs_wrk.sh [build/release] [connections] [seconds] [body_bytes] [rounds]
#
# Runs wrk and hookfan_client_load in alternation for `rounds` rounds (default 3) so that
# noise from other work on the machine hits both alike, prints one JSON line per run, then
# a summary with the median rps of each and the ratio hookfan/wrk of the medians. Needs
# nginx and wrk on PATH (tools/setup.sh installs them). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
connections=${2:-64}
seconds=${3:-10}
body_bytes=${4:-256}
rounds=${5:-3}
driver="$build/bench/hookfan_client_load"
[ -x "$driver" ] || { echo "client_vs_wrk: build $driver first (tools/build.sh release)" >&2; exit 2; }

work=$(mktemp -d)
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
error_log $work/error.log warn;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/body;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:$port;
    location / { return 200 "ok"; }
  }
}
EOF
nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 1 50); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then break; fi
  sleep 0.1
done

body=$(python3 -c "import sys; n=int(sys.argv[1]); h='{\"data\":\"'; t='\"}'; print(h + 'x'*max(0, n-len(h)-len(t)) + t, end='')" "$body_bytes")
cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
EOF

wrk_all=()
hookfan_all=()
for round in $(seq 1 "$rounds"); do
  wrk_out=$(wrk -t1 -c"$connections" -d"${seconds}s" -s "$work/post.lua" "http://127.0.0.1:$port/")
  wrk_rps=$(echo "$wrk_out" | awk '/Requests\/sec/ {print $2}')
  wrk_errors=$(echo "$wrk_out" | awk '/Non-2xx|Socket errors/ {n++} END {print n+0}')
  echo "{\"round\":$round,\"tool\":\"wrk -t1 -c$connections\",\"rps\":$wrk_rps,\"error_lines\":$wrk_errors}"
  wrk_all+=("$wrk_rps")

  hookfan_out=$("$driver" --url "http://127.0.0.1:$port/" --connections "$connections" \
    --seconds "$seconds" --body-bytes "$body_bytes")
  echo "{\"round\":$round,\"tool\":\"hookfan_client_load\",${hookfan_out#\{}"
  hookfan_all+=("$(echo "$hookfan_out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rps"])')")
done
python3 - "${wrk_all[*]}" "${hookfan_all[*]}" "$connections" "$body_bytes" <<'PY'
import statistics, sys
wrk = statistics.median(float(x) for x in sys.argv[1].split())
hookfan = statistics.median(float(x) for x in sys.argv[2].split())
print('{"connections":%s,"body_bytes":%s,"wrk_rps_median":%.1f,"hookfan_rps_median":%.1f,'
      '"ratio_hookfan_over_wrk":%.3f}' % (sys.argv[3], sys.argv[4], wrk, hookfan, hookfan / wrk))
PY
