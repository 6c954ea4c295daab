#!/usr/bin/env bash
# Issue 14's open-model targets for `hookfan blast`, against nginx (one worker, `return 200`)
# and `hookfan sink` on loopback, with `wrk -t1` as the peer in the same run:
#   1. --max --workers 1 vs wrk -t1 (same connections, body, seconds);
#   2. the open model at RATE (default 100,000/s) for SECONDS: achieved vs planned, late share,
#      corrected p99 (targets: within 1%, late < 1%, p99 < 5 ms);
#   3. the open model at 50% of --max's rate: corrected p99 / uncorrected p99 (target <= 3).
# `rounds` rounds of each; medians printed per receiver as one JSON line each. Loopback only.
#
#   bash bench/net/blast_open_model.sh [build/release] [rate] [seconds] [rounds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
rate=${2:-100000}
seconds=${3:-10}
rounds=${4:-3}
connections=${5:-64}
hookfan="$build/tools/hookfan"
[ -x "$hookfan" ] || { echo "blast_open_model: build $hookfan first" >&2; exit 2; }
command -v wrk >/dev/null || { echo "blast_open_model: wrk is not installed" >&2; exit 2; }
command -v nginx >/dev/null || { echo "blast_open_model: nginx is not installed" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

python3 -c "print('{\"data\":\"' + 'x'*245 + '\"}', end='')" >"$work/body.json"
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$(cat "$work/body.json")'
wrk.headers["Content-Type"] = "application/json"
LUA

"$hookfan" sink --listen 127.0.0.1:0 >"$work/sink.out" &
pids+=($!)
for _ in $(seq 1 50); do grep -q listening "$work/sink.out" 2>/dev/null && break; sleep 0.1; done
sink_port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/sink.out")

nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
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
    listen 127.0.0.1:$nginx_port;
    location / { return 200 "ok"; }
  }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" && break; sleep 0.1; done

field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

echo "{\"uptime\":\"$(uptime)\"}"
for receiver in "nginx http://127.0.0.1:$nginx_port/hook" "sink http://127.0.0.1:$sink_port/hook"; do
  name=${receiver%% *}
  url=${receiver#* }
  : >"$work/$name.rounds"
  for round in $(seq 1 "$rounds"); do
    wrk_rps=$(wrk -t1 -c"$connections" -d"${seconds}s" -s "$work/post.lua" "$url" | awk '/Requests\/sec/ {print $2}')
    "$hookfan" blast "$url" --max --workers 1 --connections "$connections" --duration "${seconds}s" \
      --payload "$work/body.json" --json >"$work/max.json"
    max_rps=$(field "$work/max.json" '"%.1f" % (d["requests"]["ok"] / d["rate"]["window_s"])')
    "$hookfan" blast "$url" --rate "$rate" --workers 1 --connections "$connections" \
      --duration "${seconds}s" --payload "$work/body.json" --json >"$work/open.json" || true
    open=$(field "$work/open.json" '"%.1f %.5f %d %d %.5f" % (d["rate"]["achieved"], d["requests"]["late"] / max(1, d["requests"]["planned"]), d["latency_us"]["corrected"]["p99"], d["latency_us"]["uncorrected"]["p99"], d["error_rate"])')
    half=$(python3 -c "print('%.0f' % (float('$max_rps') / 2))")
    "$hookfan" blast "$url" --rate "$half" --workers 1 --connections "$connections" \
      --duration "${seconds}s" --payload "$work/body.json" --json >"$work/half.json" || true
    half_p99=$(field "$work/half.json" '"%d %d" % (d["latency_us"]["corrected"]["p99"], d["latency_us"]["uncorrected"]["p99"])')
    read -r achieved late p99 up99 errors <<<"$open"
    read -r hc hu <<<"$half_p99"
    echo "{\"receiver\":\"$name\",\"round\":$round,\"wrk_rps\":$wrk_rps,\"max_rps\":$max_rps,\"open_rate\":$rate,\"open_achieved\":$achieved,\"open_late_share\":$late,\"open_p99_us\":$p99,\"open_uncorrected_p99_us\":$up99,\"open_error_rate\":$errors,\"half_rate\":$half,\"half_p99_us\":$hc,\"half_uncorrected_p99_us\":$hu}" | tee -a "$work/$name.rounds"
  done
  python3 - "$work/$name.rounds" "$name" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
m = lambda key: statistics.median(r[key] for r in rows)
print(json.dumps({"receiver": sys.argv[2], "rounds": len(rows), "wrk_rps": m("wrk_rps"),
                  "max_rps": m("max_rps"), "max_over_wrk": round(m("max_rps") / m("wrk_rps"), 3),
                  "open_rate": rows[0]["open_rate"], "open_achieved": m("open_achieved"),
                  "open_achieved_share": round(m("open_achieved") / rows[0]["open_rate"], 4),
                  "open_late_share": m("open_late_share"), "open_p99_us": m("open_p99_us"),
                  "half_rate": m("half_rate"), "half_p99_us": m("half_p99_us"),
                  "half_uncorrected_p99_us": m("half_uncorrected_p99_us"),
                  "half_ratio": round(m("half_p99_us") / max(1, m("half_uncorrected_p99_us")), 2)}))
PY
done
echo "{\"uptime\":\"$(uptime)\"}"
