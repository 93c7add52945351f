#!/bin/sh
# Starts one Parley process in the image. The first argument names it; without one, the SERVICE
# variable does (the image's SERVICE build arg, default gateway):
#
#   accounts | groups | messages | notifications | gateway   services/<name>/src/main.ts
#   accounts-worker  (any <name>-worker)                     services/<name>/src/worker-main.ts
#   standalone                                               apps/standalone/src/main.ts
#   path/to/file.ts                                          that file
#
# Further arguments go to the process. Anything else is executed as given, e.g.
# `docker run --rm -it parley:local sh`.
set -eu
cd /app

name="${1:-${SERVICE:-gateway}}"
[ "$#" -gt 0 ] && shift

case "$name" in
  *.ts) entry="$name" ;;
  standalone) entry="apps/standalone/src/main.ts" ;;
  *-worker) entry="services/${name%-worker}/src/worker-main.ts" ;;
  *) entry="services/$name/src/main.ts" ;;
esac

if [ -f "$entry" ]; then
  # exec: node replaces this shell, so it is the one that receives SIGTERM.
  exec node --import tsx "$entry" "$@"
fi

if command -v "$name" >/dev/null 2>&1; then
  exec "$name" "$@"
fi

echo "parley: unknown process \"$name\" (no $entry)." >&2
echo "  choose one of: $(ls services | tr '\n' ' ')accounts-worker standalone" >&2
exit 64
