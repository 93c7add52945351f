#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the end-to-end tests and the browser
# benchmark (playwright-core drives it; no browser is ever downloaded from the npm registry),
# with a colour emoji font (the app's icons and reactions are emoji; without one the
# screenshots show empty boxes). Installs what is missing with apt-get (`apt-get update` once,
# then `apt-get install -y`): needs root (CI and the dev machines run as root) or sudo.
# Prints the Chromium version it found or installed.
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
EMOJI_FONT=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf

missing=()
[[ -x "$CHROMIUM" ]] || missing+=(chromium)
[[ -f "$EMOJI_FONT" ]] || missing+=(fonts-noto-color-emoji)

if [[ ${#missing[@]} -eq 0 ]]; then
  "$CHROMIUM" --version 2>/dev/null || echo "chromium: $CHROMIUM"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "${missing[*]} missing and installing needs root: run 'apt-get install -y ${missing[*]}' as root" >&2
  exit 1
fi

echo "==> installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

if [[ ! -x "$CHROMIUM" ]]; then
  echo "apt-get installed chromium but $CHROMIUM is still missing" >&2
  exit 1
fi
"$CHROMIUM" --version 2>/dev/null
