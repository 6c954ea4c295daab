#!/usr/bin/env bash
# End-to-end: requests per second of `hookfan sink` against nginx answering the same POST with
# a 1 KiB body, both measured by `wrk -t1 -c50` in the same run. Prints one JSON object:
#   {"sink_rps":..,"nginx_rps":..,"ratio":..}      (ratio = sink / nginx)
# nginx missing: "nginx_rps":null,"ratio":null and a note on stderr.
#
#   bash bench/net/sink_vs_nginx.sh [build dir, default build/release] [seconds, default 5]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
seconds=${2:-5}
hookfan="$build/tools/hookfan"
[ -x "$hookfan" ] || { echo "sink_vs_nginx: $hookfan not built (bash tools/build.sh release)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "sink_vs_nginx: wrk is not installed" >&2; exit 2; }

work=$(mktemp -d)
sink_pid=""
nginx_pid=""
cleanup() {
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 1024)
wrk.headers["Content-Type"] = "application/json"
LUA

# Requests/sec from wrk's report.
measure() {
  wrk -t1 -c50 -d"${seconds}s" -s "$work/post.lua" "$1" | awk '/^Requests\/sec:/ {print $2}'
}

# A free loopback port for nginx, which cannot report one it picked itself.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

"$hookfan" sink --listen 127.0.0.1:0 >"$work/sink.out" 2>&1 &
sink_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on' "$work/sink.out" 2>/dev/null && break
  sleep 0.05
done
sink_port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/sink.out")
[ -n "$sink_port" ] || { echo "sink_vs_nginx: the sink did not start: $(cat "$work/sink.out")" >&2; exit 1; }
sink_rps=$(measure "http://127.0.0.1:$sink_port/")
kill -TERM "$sink_pid"
wait "$sink_pid" || true
sink_pid=""

nginx_rps=null
ratio=null
nginx_bin=$(command -v nginx || true)
[ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
if [ -n "$nginx_bin" ]; then
  nginx_port=$(free_port)
  mkdir -p "$work/nginx/logs"
  cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { return 200 "ok"; }
  }
}
CONF
  "$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
  nginx_pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null && break
    sleep 0.05
  done
  nginx_rps=$(measure "http://127.0.0.1:$nginx_port/")
  ratio=$(awk -v a="$sink_rps" -v b="$nginx_rps" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
else
  echo "sink_vs_nginx: nginx is not installed; measuring the sink only" >&2
fi
printf '{"sink_rps":%s,"nginx_rps":%s,"ratio":%s}\n' "$sink_rps" "$nginx_rps" "$ratio"
