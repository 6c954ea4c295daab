#!/usr/bin/env bash
# Compares `hookfan blast --max --workers 1` (closed loop, like wrk) with `wrk -t1` against
# the same receivers, the same POST body and the same number of connections, in one run.
#
#   bash bench/net/blast_vs_wrk.sh [build/release] [connections] [seconds] [body_bytes] [rounds]
#
# Receivers: `hookfan sink` always, and nginx (`return 200`, one worker, temp config, daemon
# off) when it is installed. For each receiver, runs wrk and blast in alternation for
# `rounds` rounds (default 3) so that noise from other work on the machine hits both alike,
# prints one JSON line per run, then one summary line per receiver with the median rps of
# each and the ratio blast/wrk of the medians. Needs wrk on PATH. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
connections=${2:-64}
seconds=${3:-5}
body_bytes=${4:-256}
rounds=${5:-3}
hookfan="$build/tools/hookfan"
[ -x "$hookfan" ] || { echo "blast_vs_wrk: build $hookfan first (tools/build.sh release)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "blast_vs_wrk: wrk is not installed" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

python3 -c "import sys; n=int(sys.argv[1]); h='{\"data\":\"'; t='\"}'; print(h + 'x'*max(0, n-len(h)-len(t)) + t, end='')" \
  "$body_bytes" >"$work/body.json"
cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$(cat "$work/body.json")'
wrk.headers["Content-Type"] = "application/json"
EOF

# hookfan sink on a free port.
"$hookfan" sink --listen 127.0.0.1:0 >"$work/sink.out" &
pids+=($!)
for _ in $(seq 1 50); do grep -q listening "$work/sink.out" 2>/dev/null && break; sleep 0.1; done
sink_port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/sink.out")
receivers=("sink http://127.0.0.1:$sink_port/hook")

if command -v nginx >/dev/null; then
  nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
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
    listen 127.0.0.1:$nginx_port;
    location / { return 200 "ok"; }
  }
}
EOF
  nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
  pids+=($!)
  for _ in $(seq 1 50); do
    curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" 2>/dev/null && break
    sleep 0.1
  done
  receivers+=("nginx http://127.0.0.1:$nginx_port/hook")
fi

for receiver in "${receivers[@]}"; do
  name=${receiver%% *}
  url=${receiver#* }
  wrk_all=()
  blast_all=()
  for round in $(seq 1 "$rounds"); do
    wrk_out=$(wrk -t1 -c"$connections" -d"${seconds}s" -s "$work/post.lua" "$url")
    wrk_rps=$(echo "$wrk_out" | awk '/Requests\/sec/ {print $2}')
    wrk_errors=$(echo "$wrk_out" | awk '/Non-2xx|Socket errors/ {n++} END {print n+0}')
    echo "{\"receiver\":\"$name\",\"round\":$round,\"tool\":\"wrk -t1 -c$connections\",\"rps\":$wrk_rps,\"error_lines\":$wrk_errors}"
    wrk_all+=("$wrk_rps")

    blast_json=$("$hookfan" blast "$url" --max --workers 1 --connections "$connections" \
      --duration "${seconds}s" --payload "$work/body.json" --json)
    blast_rps=$(echo "$blast_json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.1f" % (d["requests"]["ok"] / d["rate"]["window_s"]))')
    blast_p99=$(echo "$blast_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["latency_us"]["uncorrected"]["p99"])')
    echo "{\"receiver\":\"$name\",\"round\":$round,\"tool\":\"hookfan blast --max --workers 1\",\"rps\":$blast_rps,\"p99_us\":$blast_p99}"
    blast_all+=("$blast_rps")
  done
  python3 - "$name" "${wrk_all[*]}" "${blast_all[*]}" "$connections" "$body_bytes" "$seconds" <<'PY'
import statistics, sys
wrk = statistics.median(float(x) for x in sys.argv[2].split())
blast = statistics.median(float(x) for x in sys.argv[3].split())
print('{"receiver":"%s","connections":%s,"body_bytes":%s,"seconds":%s,"wrk_rps_median":%.1f,'
      '"blast_rps_median":%.1f,"ratio_blast_over_wrk":%.3f}'
      % (sys.argv[1], sys.argv[4], sys.argv[5], sys.argv[6], wrk, blast, blast / wrk))
PY
done
