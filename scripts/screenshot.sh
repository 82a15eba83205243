#!/usr/bin/env bash
# The README's screenshots of `--format html` (not part of CI): renders the report of the
# bundled samples with headless Chromium (Debian package `chromium`, installed when
# missing and running as root) to
#   docs/report.png       the top of the page: totals, the host table, findings by rule
#   docs/report-host.png  the section of EXMBX02: the interrupted SP1 upgrade and its picture
# and prints how long Chromium took to load and draw each page.
#
#   scripts/screenshot.sh [WIDTH]     (default 1280 CSS pixels)
#
# Chromium notes for this machine: --headless=new --no-sandbox (root) --disable-gpu; a
# D-Bus error and a "[: ... unexpected operator" line from Debian's wrapper on stderr
# are harmless. The page is a file:// URL: it loads nothing from elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
width=${1:-1280}

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "screenshot: chromium is not installed (apt-get install chromium)" >&2
    exit 1
  fi
  { apt-get install -y -qq --no-install-recommends chromium ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; }; } >/dev/null
fi

cargo build --release --quiet --bin exdoctor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Renders $1 (an HTML file) at $width x $2 to $3 and prints the time it took.
shoot() {
  local started ended
  started=$(date +%s.%N)
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$width,$2" --screenshot="$3" "file://$1" >/dev/null 2>&1
  ended=$(date +%s.%N)
  awk -v out="$3" -v bytes="$(stat -c %s "$1")" -v s="$started" -v e="$ended" \
    'BEGIN { printf "%s: page of %d bytes, Chromium started, loaded and drew it in %.1f s\n", out, bytes, e - s }'
}

# The samples' report exits 0 (no --fail-on): any other code is a failure here.
target/release/exdoctor analyze samples --format html --quiet -o "$work/report.html"
target/release/exdoctor analyze samples --host EXMBX02 --view hosts --format html --quiet -o "$work/host.html"
mkdir -p docs
shoot "$work/report.html" 1500 docs/report.png
shoot "$work/host.html" 1500 docs/report-host.png
