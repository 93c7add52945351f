#!/usr/bin/env bash
# CPU per proxied POST of the gateway, beside the floors it could reach (bench/live/gateway/):
#   bash bench/live/gateway/run.sh [checkout] [rounds, 3]
# One stand-in service (upstream.mjs, port 4193); the gateway of the checkout (port 8190, every
# upstream pointed at the stand-in, rate limit out of reach) and the three floors of proxies.mjs
# (8191-8193); each measured in turn by client.mjs, ROUNDS times, in one window: read the ratios.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECKOUT="$(cd "${1:-$HERE/../../..}" && pwd)"
ROUNDS="${2:-3}"; N="${N:-15000}"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
node "$HERE/upstream.mjs" 4193 & pids+=($!)
up=http://127.0.0.1:4193
(cd "$CHECKOUT" && exec env NODE_ENV=production LOG_LEVEL=warn PORT=8190 METRICS_PORT=9190 ACCOUNTS_URL=$up GROUPS_URL=$up MESSAGES_URL=$up \
  NOTIFICATIONS_URL=$up RATE_LIMIT_PER_MINUTE=100000000 node --import tsx services/gateway/src/main.ts >/tmp/bench-gateway.log 2>&1) & pids+=($!)
gateway=$!
declare -A port=([node]=8191 [reply-from]=8192 [pipe]=8193) pid=()
for kind in node reply-from pipe; do
  (cd "$CHECKOUT/bench" && exec node "$HERE/proxies.mjs" "${port[$kind]}" 4193 "$kind") & pids+=($!); pid[$kind]=$!
done
for _ in $(seq 1 60); do curl -fs http://127.0.0.1:8190/healthz >/dev/null && break; sleep 0.5; done
sleep 1
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r gateway $(node "$HERE/client.mjs" 8190 "$gateway" "$N")"
  for kind in reply-from pipe node; do echo "round $r $kind $(node "$HERE/client.mjs" "${port[$kind]}" "${pid[$kind]}" "$N")"; done
done
