#!/usr/bin/env bash
# The web console in a real browser (scripts/console_test.py) against the running local
# stack (make up): headless Chromium from Debian's `chromium` package, installed here when
# missing (Playwright's own browser download is never used), driven by Playwright's Python
# package from the project's .venv. `--shots [DIR]` (make console-shots) also writes
# screenshots of the main pages at 1280 and 390 px, by default into .local/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
. scripts/python-env.sh

if ! command -v chromium >/dev/null; then
  echo "installing Debian's chromium package (the console's browser tests)"
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
# The test mints its key with xtask, like the other suites.
[ -x "$CARGO_TARGET_DIR/debug/xtask" ] || cargo build -q -p xtask

args=()
if [ "${1:-}" = --shots ]; then args=(--shots "${2:-.local/screenshots}"); fi
exec python3 scripts/console_test.py "${args[@]}"
