#!/usr/bin/env bash
# End to end through `hookfan serve`: POST /v1/events (one event per request, hookfan blast,
# closed model) into one worker delivering signed POSTs (Standard Webhooks, 10-way fan-out)
# to nginx, with the spool in memory, fsync = "batch" and fsync = "never", in one run. The
# figure is deliveries/s from the first post until serve counts the last delivery; the
# ratios are against memory. Then ingest latency (202 after the durable write) with fsync = "batch"
# at half memory's rate, open model, corrected for coordinated omission. One JSON per line.
#
#   bash bench/e2e/serve_spool.sh [build-dir] [events] [connections] [seconds]
set -euo pipefail
build=${1:-build/release}
events=${2:-50000}
connections=${3:-256}
seconds=${4:-5}
fanout=10
[ -x "$build/tools/hookfan" ] || { echo "serve_spool: build first: bash tools/build.sh release" >&2; exit 2; }
hookfan=$(realpath "$build/tools/hookfan")
command -v nginx >/dev/null || { echo "serve_spool: nginx is not installed" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

echo '{"type":"order.paid","payload":{"order":42,"customer":"c_1234567890","amount":1999,"currency":"EUR","items":[{"sku":"sku_1","qty":2},{"sku":"sku_2","qty":1}],"note":"padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding"}}' >"$work/event.json"

nginx_port=$((20000 + RANDOM % 20000))
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<NGINX
daemon off; worker_processes 1; pid $work/nginx/pid; error_log $work/nginx/error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $work/nginx;
  server { listen 127.0.0.1:$nginx_port; location / { return 200 "ok"; } } }
NGINX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)
sleep 0.5

# serve in its own directory (the spool is ./hookfan-data there); sets serve_port, serve_pid.
start_serve() {
  local name=$1 spool=$2 dir="$work/$1"
  mkdir -p "$dir"
  : >"$dir/serve.out"
  {
    echo "[engine]"; echo "workers = 1"; echo "max_pending_deliveries = 100000000"
    echo "[http]"; echo "max_connections_per_origin = 50"
    echo "allow_cidrs = [\"127.0.0.0/8\"]  # nginx is on loopback"
    echo "[spool]"; echo "$spool"
    for i in $(seq 0 $((fanout - 1))); do
      echo "[[endpoints]]"
      echo "id = \"e$i\""
      echo "url = \"http://127.0.0.1:$nginx_port/hooks/e$i\""
      echo "secrets = [\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"]"
      echo "max_in_flight = 5"
      echo "max_pending = 100000000"
    done
  } >"$dir/hookfan.toml"
  (cd "$dir" && exec "$hookfan" serve --config hookfan.toml --listen 127.0.0.1:0 \
      >"$dir/serve.out" 2>"$dir/serve.err") &
  serve_pid=$!
  pids+=("$serve_pid")
  for _ in $(seq 200); do
    serve_port=$(grep -oE 'listening on 127.0.0.1:[0-9]+' "$dir/serve.out" | grep -oE '[0-9]+$' || true)
    [ -n "$serve_port" ] && return
    sleep 0.05
  done
  echo "serve_spool: serve ($name) did not start: $(cat "$dir/serve.err")" >&2; exit 1
}

# serve's CPU time so far (user + system, clock ticks): its cost per delivery is steadier
# than a rate on a shared machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

delivered() {
  curl -s "http://127.0.0.1:$1/v1/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["delivered"])'
}

# Deliveries/s of the whole pipeline: blast posts `events` events as fast as `connections`
# allow (closed model), and the clock runs until serve counts all their deliveries done
# (/v1/stats), so ingest and delivery share the machine as they would. The JSON line goes to
# $work/$name.json.
throughput() {
  local name=$1 spool=$2 port before target t0 t1 now cpu0 cpu1
  start_serve "$name" "$spool"
  port=$serve_port
  "$hookfan" blast "http://127.0.0.1:$port/v1/events" --max --connections "$connections" \
      --duration 1s --payload "$work/event.json" --json >/dev/null  # warm-up
  sleep 1
  before=$(delivered "$port")
  target=$((before + events * fanout))
  cpu0=$(cpu_ticks "$serve_pid")
  t0=$(date +%s.%N)
  "$hookfan" blast "http://127.0.0.1:$port/v1/events" --max --connections "$connections" \
      --count "$events" --payload "$work/event.json" --json >"$work/$name.blast.json" &
  local blast_pid=$!
  local waited=0
  while now=$(delivered "$port") && [ "$now" -lt "$target" ]; do
    sleep 0.02
    waited=$((waited + 1))
    [ "$waited" -lt 6000 ] || { echo "serve_spool: $name: $now of $target deliveries after 120 s" >&2; exit 1; }
  done
  t1=$(date +%s.%N)
  cpu1=$(cpu_ticks "$serve_pid")
  wait "$blast_pid"
  kill "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  python3 - "$name" "$events" "$fanout" "$t0" "$t1" "$work/$name.blast.json" "$cpu0" "$cpu1" \
      "$(getconf CLK_TCK)" <<'PY'
import json, sys
name, events, fanout, t0, t1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
blast = json.load(open(sys.argv[6]))
cpu_s = (int(sys.argv[8]) - int(sys.argv[7])) / int(sys.argv[9])
print(json.dumps({"spool": name, "events": events,
                  "deliveries_per_s": round(events * fanout / (t1 - t0)),
                  "serve_cpu_us_per_delivery": round(cpu_s * 1e6 / (events * fanout), 2),
                  "ingest_events_per_s": round(blast["requests"]["ok"] / blast["rate"]["window_s"]),
                  "ingest_p99_ms": blast["latency_us"]["uncorrected"]["p99"] / 1000,
                  "errors": blast["requests"]["errors"]}))
PY
}

throughput memory 'mode = "memory"' >"$work/memory.json"; memory=$(cat "$work/memory.json"); echo "$memory"
throughput batch 'fsync = "batch"' >"$work/batch.json"; batch=$(cat "$work/batch.json"); echo "$batch"
throughput never 'fsync = "never"' >"$work/never.json"; never=$(cat "$work/never.json"); echo "$never"

# The disk's own floor, the peer of the batch latency: write(4 KiB) + fdatasync, 200 times.
python3 - "$work" <<'PY'
import json, os, sys, time
fd = os.open(sys.argv[1] + "/probe", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
times = []
for _ in range(200):
    os.write(fd, b"x" * 4096)
    t = time.perf_counter(); os.fdatasync(fd); times.append((time.perf_counter() - t) * 1000)
os.close(fd)
times.sort()
print(json.dumps({"peer": "write 4 KiB + fdatasync", "p50_ms": round(times[100], 2),
                  "p99_ms": round(times[198], 2)}))
PY

# Ingest latency with fsync = "batch" at half memory's rate (events/s = deliveries/s / 10).
rate=$(python3 -c 'import json,sys; print(max(1, round(json.loads(sys.argv[1])["deliveries_per_s"] / 10 / 2)))' "$memory")
start_serve batch_half 'fsync = "batch"'
half=$("$hookfan" blast "http://127.0.0.1:$serve_port/v1/events" --rate "$rate" --connections "$connections" \
    --duration "${seconds}s" --payload "$work/event.json" --json)
python3 - "$memory" "$batch" "$never" "$rate" "$half" <<'PY'
import json, sys
memory, batch, never = (json.loads(a) for a in sys.argv[1:4])
rate, half = float(sys.argv[4]), json.loads(sys.argv[5])
m = memory["deliveries_per_s"] or 1
print(json.dumps({"batch_vs_memory": round(batch["deliveries_per_s"] / m, 3),
                  "never_vs_memory": round(never["deliveries_per_s"] / m, 3),
                  "cpu_per_delivery_batch_vs_memory": round(batch["serve_cpu_us_per_delivery"] / memory["serve_cpu_us_per_delivery"], 3),
                  "cpu_per_delivery_never_vs_memory": round(never["serve_cpu_us_per_delivery"] / memory["serve_cpu_us_per_delivery"], 3),
                  "batch_half_rate_events_per_s": rate,
                  "batch_half_rate_achieved": half["rate"]["achieved"],
                  "batch_half_rate_ingest_p50_ms": half["latency_us"]["corrected"]["p50"] / 1000,
                  "batch_half_rate_ingest_p99_ms": half["latency_us"]["corrected"]["p99"] / 1000,
                  "batch_half_rate_errors": half["requests"]["errors"],
                  "targets": {"batch >= 0.7x": batch["deliveries_per_s"] >= 0.7 * m,
                              "never >= 0.9x": never["deliveries_per_s"] >= 0.9 * m,
                              "p99 < 10 ms": half["latency_us"]["corrected"]["p99"] < 10000}}))
PY
