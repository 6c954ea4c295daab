#!/usr/bin/env bash
# Recovery of `serve` at scale: `events` events (default 1,000,000) posted in batches of 1000
# to 10 endpoints that a rate limit holds back (so every delivery stays pending), serve
# killed with SIGKILL, then restarted on the same spool: prints how long the store's
# recovery took, how long handing the deliveries back to the engine took, the time from
# exec to the listening line, the spool's size and bytes per pending delivery, and serve's
# peak RSS after the restart. One JSON line.
#
#   bash bench/e2e/serve_spool_recovery.sh [build-dir] [events]
set -euo pipefail
build=${1:-build/release}
events=${2:-1000000}
fanout=10
[ -x "$build/tools/hookfan" ] || { echo "serve_spool_recovery: build first" >&2; exit 2; }
hookfan=$(realpath "$build/tools/hookfan")
work=$(mktemp -d)
serve_pid=
cleanup() { [ -n "$serve_pid" ] && kill -9 "$serve_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

{
  echo "[engine]"; echo "workers = 1"; echo "max_pending_deliveries = 100000000"
  echo "[http]"; echo "allow_cidrs = [\"127.0.0.0/8\"]  # the (closed) receiver is on loopback"
  for i in $(seq 0 $((fanout - 1))); do
    echo "[[endpoints]]"; echo "id = \"e$i\""; echo "url = \"http://127.0.0.1:9/e$i\""
    echo "secrets = [\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"]"
    echo "max_pending = 100000000"; echo "rate_limit = { per_second = 0.001, burst = 1 }"
  done
} >"$work/hookfan.toml"
python3 -c '
import json
print(json.dumps([{"type": "order.paid", "payload": {"order": i, "note": "x" * 150}} for i in range(1000)]))
' >"$work/batch.json"

start() {
  : >"$work/serve.out"
  (cd "$work" && exec "$hookfan" serve --config hookfan.toml --listen 127.0.0.1:0 \
      >"$work/serve.out" 2>"$work/serve.err") &
  serve_pid=$!
  for _ in $(seq 6000); do
    port=$(grep -oE 'listening on 127.0.0.1:[0-9]+' "$work/serve.out" | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && return
    sleep 0.01
  done
  echo "serve_spool_recovery: serve did not start: $(cat "$work/serve.err")" >&2; exit 1
}

start
for _ in $(seq $((events / 1000))); do
  curl -s -o /dev/null -w '%{http_code}\n' -X POST --data-binary @"$work/batch.json" \
      -H 'Content-Type: application/json' "http://127.0.0.1:$port/v1/events"
done | sort | uniq -c >"$work/posted"
kill -9 "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=
spool_bytes=$(du -sb "$work/hookfan-data" | cut -f1)
t0=$(date +%s.%N)
start
t1=$(date +%s.%N)
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$serve_pid/status")
python3 - "$work/serve.err" "$t0" "$t1" "$spool_bytes" "$rss_kb" "$work/posted" <<'PY'
import json, re, sys
log = open(sys.argv[1]).read()
recovered = re.search(r"recovered (\d+) pending deliveries of (\d+) events.* in ([0-9.]+) s", log)
restored = re.search(r"restored (\d+) deliveries of (\d+) events.* in ([0-9.]+) s", log)
print(json.dumps({
    "posted": open(sys.argv[6]).read().split(),
    "pending_recovered": int(recovered.group(1)), "events": int(recovered.group(2)),
    "store_recovery_s": float(recovered.group(3)),
    "handed_to_engine_s": float(restored.group(3)),
    "exec_to_listening_s": round(float(sys.argv[3]) - float(sys.argv[2]), 2),
    "spool_bytes": int(sys.argv[4]),
    "bytes_per_pending_delivery": round(int(sys.argv[4]) / max(1, int(recovered.group(1))), 1),
    "peak_rss_mb_after_restart": round(int(sys.argv[5]) / 1024)}))
PY
