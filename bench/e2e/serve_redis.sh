#!/usr/bin/env bash
# End to end through `hookfan serve`, fed two ways in one run: by HTTP ingest (POST
# /v1/events, one event per request, hookfan blast, closed model) and by a Redis stream
# ([source.redis], entries XADDed by `redis-cli --pipe` while serve reads). One worker, 10-way
# fan-out, signed (Standard Webhooks), nginx receiver, spool in memory. The figure is
# deliveries/s from the producer's start until serve counts the last delivery; the ratio is
# Redis over HTTP (target >= 0.8). Redis commands per event come from INFO commandstats
# (reset before the run; everything but the producer's XADDs, target < 0.05). One JSON line
# per measure. Then, when bench/peers/bullmq has its packages (`npm install` there, once), the
# reference peer on the same Redis and nginx: BullMQ + undici, 10 signed POSTs per job
# (target: hookfan's Redis-fed rate >= 10x it).
#
#   bash bench/e2e/serve_redis.sh [build-dir] [events] [connections]
set -euo pipefail
build=${1:-build/release}
events=${2:-50000}
connections=${3:-256}
fanout=10
[ -x "$build/tools/hookfan" ] || { echo "serve_redis: build first: bash tools/build.sh release" >&2; exit 2; }
hookfan=$(realpath "$build/tools/hookfan")
for tool in nginx redis-server redis-cli curl; do
  command -v "$tool" >/dev/null || { echo "serve_redis: $tool is not installed" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

payload='{"order":42,"customer":"c_1234567890","amount":1999,"currency":"EUR","items":[{"sku":"sku_1","qty":2},{"sku":"sku_2","qty":1}],"note":"padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding"}'
echo "{\"type\":\"order.paid\",\"payload\":$payload}" >"$work/event.json"
# The producer's XADDs as raw RESP for redis-cli --pipe.
python3 - "$events" "$payload" "$work/xadd.resp" <<'PY'
import sys
events, payload, path = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
args = [b"XADD", b"hookfan:events", b"*", b"type", b"order.paid", b"payload", payload]
command = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
with open(path, "wb") as f:
    f.write(command * events)
PY

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

redis_port=$((20000 + RANDOM % 20000))
[ "$redis_port" = "$nginx_port" ] && redis_port=$((redis_port + 1))
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    --daemonize no --loglevel warning >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.05; done
sleep 0.3

# serve in its own directory; `extra` is appended to the config. Sets serve_port, serve_pid.
start_serve() {
  local name=$1 extra=$2 dir="$work/$1"
  mkdir -p "$dir"
  {
    echo "[engine]"; echo "workers = 1"; echo "max_pending_deliveries = 100000000"
    echo "[http]"; echo "max_connections_per_origin = 50"; echo 'allow_cidrs = ["127.0.0.0/8"]'
    echo "[spool]"; echo 'mode = "memory"'
    echo "$extra"
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
  echo "serve_redis: serve ($name) did not start: $(cat "$dir/serve.err")" >&2; exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
delivered() {
  curl -s "http://127.0.0.1:$1/v1/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["delivered"])'
}
# Waits until serve counts `target` deliveries; prints the elapsed seconds since t0.
wait_delivered() {
  local port=$1 target=$2 t0=$3 now
  while now=$(delivered "$port") && [ "$now" -lt "$target" ]; do sleep 0.02; done
  python3 -c "import sys,time; print(time.time() - float(sys.argv[1]))" "$t0"
}
report() {  # name seconds cpu0 cpu1 [extra json]
  python3 - "$1" "$events" "$fanout" "$2" "$3" "$4" "$(getconf CLK_TCK)" "${5:-{\}}" <<'PY'
import json, sys
name, events, fanout, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
cpu_s = (int(sys.argv[6]) - int(sys.argv[5])) / int(sys.argv[7])
out = {"source": name, "events": events, "deliveries_per_s": round(events * fanout / seconds),
       "serve_cpu_us_per_delivery": round(cpu_s * 1e6 / (events * fanout), 2)}
out.update(json.loads(sys.argv[8]))
print(json.dumps(out))
PY
}

echo "{\"loadavg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"nproc\":$(nproc)}"

# HTTP ingest.
start_serve http ""
"$hookfan" blast "http://127.0.0.1:$serve_port/v1/events" --max --connections "$connections" \
    --duration 1s --payload "$work/event.json" --json >/dev/null  # warm-up
sleep 1
target=$(( $(delivered "$serve_port") + events * fanout ))
cpu0=$(cpu_ticks "$serve_pid"); t0=$(date +%s.%N)
"$hookfan" blast "http://127.0.0.1:$serve_port/v1/events" --max --connections "$connections" \
    --count "$events" --payload "$work/event.json" --json >"$work/http.blast.json" &
blast_pid=$!
seconds=$(wait_delivered "$serve_port" "$target" "$t0")
cpu1=$(cpu_ticks "$serve_pid")
wait "$blast_pid"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
http=$(report http "$seconds" "$cpu0" "$cpu1"); echo "$http"

# Redis stream: warm up with a small run, then reset the command counters.
start_serve redis "[source.redis]
url = \"redis://127.0.0.1:$redis_port/0\"
block = \"100ms\""
head -c $(( $(stat -c %s "$work/xadd.resp") / events * 1000 )) "$work/xadd.resp" |
    redis-cli -p "$redis_port" --pipe >/dev/null
while [ "$(delivered "$serve_port")" -lt $((1000 * fanout)) ]; do sleep 0.02; done
sleep 0.5
redis-cli -p "$redis_port" config resetstat >/dev/null
commands0=$(curl -s "http://127.0.0.1:$serve_port/metrics" | awk '/^hookfan_redis_commands_total/ {print $2}')
target=$(( $(delivered "$serve_port") + events * fanout ))
cpu0=$(cpu_ticks "$serve_pid"); t0=$(date +%s.%N)
redis-cli -p "$redis_port" --pipe <"$work/xadd.resp" >"$work/pipe.out"
seconds=$(wait_delivered "$serve_port" "$target" "$t0")
cpu1=$(cpu_ticks "$serve_pid")
sleep 1.5  # the last XACKs and one XINFO tick
stats=$(redis-cli -p "$redis_port" info commandstats)
# Redis's own bytes: what it sent (to hookfan, and the producer's short replies) per event,
# and the stream's memory per entry.
net_out=$(redis-cli -p "$redis_port" info stats | awk -F: '/^total_net_output_bytes/ {print $2+0}')
stream_bytes=$(redis-cli -p "$redis_port" memory usage hookfan:events samples 0)
stream_len=$(redis-cli -p "$redis_port" xlen hookfan:events)
pending=$(redis-cli -p "$redis_port" xpending hookfan:events hookfan | head -1)
commands1=$(curl -s "http://127.0.0.1:$serve_port/metrics" | awk '/^hookfan_redis_commands_total/ {print $2}')
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
extra=$(python3 - "$events" "$stats" "$pending" "$commands0" "$commands1" "$net_out" \
    "$stream_bytes" "$stream_len" <<'PY'
import json, sys
events, stats, pending = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
net_out, stream_bytes, stream_len = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
calls = {}
for line in stats.splitlines():
    if line.startswith("cmdstat_"):
        name, rest = line[8:].split(":", 1)
        calls[name] = int(dict(kv.split("=") for kv in rest.split(","))["calls"])
producer = calls.get("xadd", 0)
# Not hookfan's: the producer's XADDs and --pipe's ECHO, this script's CONFIG/INFO/XPENDING.
ours = {k: v for k, v in calls.items()
        if k not in ("xadd", "echo", "config|resetstat", "info", "xpending", "memory|usage")}
total = sum(ours.values())
print(json.dumps({"redis_commands_by_hookfan": ours, "producer_xadds": producer,
                  "redis_commands_per_event": round(total / events, 4),
                  "hookfan_counted_commands_per_event": round((float(sys.argv[5]) - float(sys.argv[4])) / events, 4),
                  "redis_out_bytes_per_event": round(net_out / events),
                  "stream_bytes_per_entry": round(stream_bytes / max(1, stream_len)),
                  "payload_bytes": 320,
                  "pel_after": pending}))
PY
)
redis=$(report redis "$seconds" "$cpu0" "$cpu1" "$extra"); echo "$redis"

peer_dir=$(dirname "$0")/../peers/bullmq
bullmq='{}'
if command -v node >/dev/null && [ -d "$peer_dir/node_modules/bullmq" ]; then
  bullmq=$(cd "$peer_dir" && REDIS_PORT=$redis_port RECEIVER="http://127.0.0.1:$nginx_port" \
      EVENTS=$((events / 5)) FANOUT=$fanout PAYLOAD="$payload" node dispatcher.mjs)
  echo "$bullmq"
else
  echo '{"peer":"bullmq+undici","skipped":"run npm install in bench/peers/bullmq (and install node)"}'
fi

python3 - "$http" "$redis" "$bullmq" <<'PY'
import json, sys
http, redis, bullmq = (json.loads(a) for a in sys.argv[1:4])
ratio = redis["deliveries_per_s"] / max(1, http["deliveries_per_s"])
peer = {}
if "deliveries_per_s" in bullmq:
    peer = {"redis_vs_bullmq": round(redis["deliveries_per_s"] / max(1, bullmq["deliveries_per_s"]), 1)}
    peer_target = {"redis >= 10x bullmq": peer["redis_vs_bullmq"] >= 10}
else:
    peer_target = {}
print(json.dumps({"redis_vs_http": round(ratio, 3), **peer,
                  "cpu_per_delivery_redis_vs_http": round(redis["serve_cpu_us_per_delivery"] / http["serve_cpu_us_per_delivery"], 3),
                  "targets": {"redis >= 0.8x http": ratio >= 0.8,
                              "commands per event < 0.05": redis["redis_commands_per_event"] < 0.05,
                              **peer_target}}))
PY
