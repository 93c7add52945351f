#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the end-to-end tests and the browser
# benchmark (playwright-core drives it; no browser is ever downloaded from the npm registry).
# Installs it with apt-get when it is missing: needs root (CI and the dev machines run as root)
# or sudo. Prints the version it found or installed.
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

if [[ -x "$CHROMIUM" ]]; then
  "$CHROMIUM" --version 2>/dev/null || echo "chromium: $CHROMIUM"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "$CHROMIUM is missing and installing it needs root: run 'apt-get install -y chromium' as root" >&2
  exit 1
fi

echo "==> installing Debian's chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends chromium

if [[ ! -x "$CHROMIUM" ]]; then
  echo "apt-get installed chromium but $CHROMIUM is still missing" >&2
  exit 1
fi
"$CHROMIUM" --version
