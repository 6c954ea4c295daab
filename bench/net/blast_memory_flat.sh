#!/usr/bin/env bash
# Issue 14's memory target: `hookfan blast` RSS stays flat over a long open-model run
# (default 50,000/s for 600 s, one worker) against nginx (one worker, `return 200`) on
# loopback. Samples VmRSS of the blast process every `every` seconds; prints one JSON line
# per sample, then the run's summary (achieved rate, late, corrected p99, RSS at 5 s and at
# the end). Loopback only.
#
#   bash bench/net/blast_memory_flat.sh [build/release] [rate] [seconds] [every]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
rate=${2:-50000}
seconds=${3:-600}
every=${4:-30}
hookfan="$build/tools/hookfan"
[ -x "$hookfan" ] || { echo "blast_memory_flat: build $hookfan first" >&2; exit 2; }
command -v nginx >/dev/null || { echo "blast_memory_flat: nginx is not installed" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
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
CONF
nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

echo "{\"uptime\":\"$(uptime)\"}"
"$hookfan" blast "http://127.0.0.1:$port/hook" --rate "$rate" --workers 1 --connections 64 \
  --duration "${seconds}s" --json >"$work/run.json" &
blast=$!
rss() { awk '/VmRSS/ {print $2}' "/proc/$blast/status" 2>/dev/null || echo 0; }
sleep 5
first=$(rss)
echo "{\"t\":5,\"rss_kib\":$first}"
last=$first
t=5
while kill -0 "$blast" 2>/dev/null; do
  sleep "$every"
  t=$((t + every))
  now=$(rss)
  [ "$now" != 0 ] && last=$now && echo "{\"t\":$t,\"rss_kib\":$now}"
done
wait "$blast" || true
python3 - "$work/run.json" "$first" "$last" "$rate" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps({"rate": float(sys.argv[4]), "achieved": d["rate"]["achieved"],
                  "late": d["requests"]["late"], "planned": d["requests"]["planned"],
                  "errors": d["requests"]["errors"], "p99_us": d["latency_us"]["corrected"]["p99"],
                  "rss_kib_at_5s": int(sys.argv[2]), "rss_kib_at_end": int(sys.argv[3])}))
PY
echo "{\"uptime\":\"$(uptime)\"}"
