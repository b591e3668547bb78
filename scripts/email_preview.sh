#!/usr/bin/env bash
# `make email-preview [FILE=transcript.json]`: the result email as people see it, rendered by
# headless Chromium at 600 px (desktop clients) and 375 px (phones) into .local/screenshots/.
#
# Which email: with FILE, the email the pipeline would compose for that transcript (a QMSum
# meeting, an exit report or an array of segments); otherwise the last `make demo`'s email
# as SES received it (.local/email-preview/demo.html, written by the demo); without one, the
# email of the stand-in bot's meeting, composed by the real composer without the stack
# (`xtask email-preview`). Installs Debian's `chromium` package when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/.local/screenshots
preview=$root/.local/email-preview
mkdir -p "$out" "$preview"

if [ -n "${FILE:-}" ]; then
  html=$(cargo run -q -p xtask -- email-preview --transcript "$FILE" --out "$preview")
  echo "email: composed for $FILE"
elif [ -s "$preview/demo.html" ]; then
  html=$preview/demo.html
  echo "email: the last make demo's, as SES received it ($html)"
else
  html=$(cargo run -q -p xtask -- email-preview --out "$preview")
  echo "email: composed for the stand-in bot's meeting (no make demo has run)"
fi

if ! command -v chromium >/dev/null; then
  echo "installing Debian's chromium package (headless rendering of the email)"
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chrome() {
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$profile" "$@" 2>/dev/null
}

for width in 600 375; do
  # The page's height at this width: a copy of the email that writes its own height into
  # its title (the email itself has no script), read back from the DOM Chromium dumps.
  measure=$profile/measure.html
  sed 's|</body>|<script>document.title="height:"+document.documentElement.scrollHeight</script></body>|' \
    "$html" >"$measure"
  height=$(chrome --window-size="$width,1000" --virtual-time-budget=2000 --dump-dom "file://$measure" |
    sed -n 's|.*<title>height:\([0-9]*\)</title>.*|\1|p' | head -1)
  height=${height:-2400}
  shot=$out/email-$width.png
  chrome --window-size="$width,$height" --virtual-time-budget=2000 --screenshot="$shot" "file://$html" >/dev/null
  echo "$shot (${width}x${height})"
done
