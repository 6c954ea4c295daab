#!/usr/bin/env bash
# End-to-end: one hookfan worker delivering signed POSTs (Standard Webhooks, 10-way fan-out)
# over keep-alive to a loopback receiver, against `wrk -t1` on the same receiver with the
# same body and connection count, in the same run. Receivers: the project's sink, and nginx
# when installed. Prints one JSON object per receiver.
#
#   bash bench/e2e/engine_vs_wrk.sh [build-dir] [events] [connections] [body-bytes]
set -euo pipefail
build=${1:-build/release}
events=${2:-50000}
connections=${3:-50}
body_bytes=${4:-512}
fanout=10
hookfan="$build/tools/hookfan"
[ -x "$hookfan" ] || { echo "engine_vs_wrk: build first: bash tools/build.sh release" >&2; exit 2; }
command -v wrk >/dev/null || { echo "engine_vs_wrk: wrk is not installed" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# The payload: a JSON object padded to body_bytes.
python3 - "$body_bytes" "$events" "$work" <<'PY'
import json, sys
size, events, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
base = {"type": "order.paid", "order": 42, "pad": ""}
base["pad"] = "x" * max(0, size - len(json.dumps(base, separators=(",", ":"))))
payload = json.dumps(base, separators=(",", ":"))
open(f"{work}/body.json", "w").write(payload)
with open(f"{work}/events.ndjson", "w") as f:
    line = json.dumps({"type": "order.paid", "payload": base}, separators=(",", ":"))
    for _ in range(events):
        f.write(line + "\n")
with open(f"{work}/post.lua", "w") as f:
    f.write('wrk.method = "POST"\n')
    f.write('wrk.headers["Content-Type"] = "application/json"\n')
    f.write("wrk.body = " + json.dumps(payload) + "\n")
PY

start_sink() {
  "$hookfan" sink --listen 127.0.0.1:0 >"$work/sink.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    port=$(grep -oE 'listening on [0-9.]+:[0-9]+' "$work/sink.out" | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.05
  done
  echo "engine_vs_wrk: the sink did not start" >&2; exit 1
}

start_nginx() {
  local port=$1
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<NGINX
daemon off; worker_processes 1; pid $work/nginx/pid; error_log $work/nginx/error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $work/nginx;
  server { listen 127.0.0.1:$port; location / { return 200 "ok"; } } }
NGINX
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
  pids+=($!)
  sleep 0.5
}

write_config() {
  local port=$1
  {
    echo "[engine]"; echo "workers = 1"
    echo "max_pending_deliveries = 100000000"
    echo "[http]"; echo "max_connections_per_origin = $connections"
    echo "allow_cidrs = [\"127.0.0.0/8\"]  # the receivers are on loopback"
    for i in $(seq 0 $((fanout - 1))); do
      echo "[[endpoints]]"
      echo "id = \"e$i\""
      echo "url = \"http://127.0.0.1:$port/hooks/e$i\""
      echo "secrets = [\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"]"
      echo "max_in_flight = $(( (connections + fanout - 1) / fanout ))"
      echo "max_pending = 100000000"
    done
  } >"$work/hookfan.toml"
}

measure() {
  local name=$1 port=$2
  write_config "$port"
  local run_json wrk_rps
  run_json=$("$hookfan" run --config "$work/hookfan.toml" --input "$work/events.ndjson")
  wrk_out=$(wrk -t1 -c"$connections" -d10s -s "$work/post.lua" "http://127.0.0.1:$port/hooks/wrk")
  wrk_rps=$(echo "$wrk_out" | awk '/Requests\/sec/ {print $2}')
  python3 - "$name" "$run_json" "$wrk_rps" "$connections" "$body_bytes" "$events" "$fanout" <<'PY'
import json, sys
name, run, wrk_rps, conns, body, events, fanout = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3]), *sys.argv[4:]
print(json.dumps({
    "receiver": name, "connections": int(conns), "body_bytes": int(body),
    "events": int(events), "fanout": int(fanout),
    "deliveries": run["delivered"], "deliveries_per_s": round(run["deliveries_per_s"]),
    "wrk_requests_per_s": round(wrk_rps),
    "ratio": round(run["deliveries_per_s"] / wrk_rps, 3),
    "p50_ms": run["latency_ms"]["p50"], "p99_ms": run["latency_ms"]["p99"],
    "peak_rss_bytes": run["peak_rss_bytes"], "dead_lettered": run["dead_lettered"]}))
PY
}

sink_port=$(start_sink)
measure sink "$sink_port"
if command -v nginx >/dev/null; then
  nginx_port=$((20000 + RANDOM % 20000))
  start_nginx "$nginx_port"
  measure nginx "$nginx_port"
else
  echo '{"receiver":"nginx","skipped":"nginx is not installed"}'
fi
