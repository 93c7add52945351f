#!/usr/bin/env bash
# CPU per message, by process, of Parley distributed under a steady fan-out load (bench-peers):
#   BENCH=/tmp/live-bench-peers RATE=100 WINDOW=20 bash bench/live/profile-run.sh [checkout]
# Starts the stack with bench-peers' parley-dist.sh (fresh databases), runs fanout.mjs at RATE
# msg/s (rooms of ROOM_SIZE, 1,000 clients), and once messages are being stored samples every
# process's CPU over WINDOW seconds (bench/live/cpu-by-process.mjs): ms of CPU per stored message.
# NODE_OPTIONS (e.g. --cpu-prof --cpu-prof-dir=...) reaches the services.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECKOUT="$(cd "${1:-$PWD}" && pwd)"
BENCH="${BENCH:-/tmp/live-bench-peers}"
RATE="${RATE:-100}"; WINDOW="${WINDOW:-20}"; ROOM_SIZE="${ROOM_SIZE:-10}"; CLIENTS="${CLIENTS:-1000}"
count() { psql -h 127.0.0.1 -U postgres -At -d bench_parley_messages -c 'SELECT count(*) FROM messages' 2>/dev/null || echo 0; }
BENCH_COPY=1 bash "$BENCH/parley-dist.sh" start "$CHECKOUT" >&2
trap 'BENCH_COPY=1 bash "$BENCH/parley-dist.sh" stop >&2' EXIT
pids="$(cat "$BENCH/.run"/parley-*.pid | paste -sd, -)"
PARLEY_API_PORT=8090 node --experimental-websocket "$BENCH/fanout.mjs" --system parley --clients "$CLIENTS" --room-size "$ROOM_SIZE" \
  --rate "$RATE" --duration $((WINDOW + 20)) --warmup 5 --ports 4004,4014 --server-pids "$pids" >/tmp/live-profile-fanout.json &
gen=$!
start=$(count)
until [ "$(count)" -gt "$start" ]; do sleep 1; done
sleep 5
node "$HERE/cpu-by-process.mjs" "$WINDOW" "$BENCH/.run"
wait $gen || true
cut -c1-400 /tmp/live-profile-fanout.json >&2
