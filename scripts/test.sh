#!/usr/bin/env bash
# `make test`: every test, starting what it needs. Unit tests first (no emulator), then the
# local stack (emulator, functions under cargo lambda watch, stand-in bot, webhook
# receiver, SQS event source) and the tests that use it, then the offline infra checks.
# A stack this script started is stopped at the end; one that was running is restarted
# on the current code and left running.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
. scripts/python-env.sh  # every Python tool from the project's .venv, pinned
. scripts/progress.sh

step() { printf '\n==> %s\n' "$1"; shift; "$@"; }

was_running=0
if [ -f .local/pids/api.pid ] && kill -0 "$(cat .local/pids/api.pid)" 2>/dev/null; then was_running=1; fi
finish() { [ "$was_running" = 1 ] || ./scripts/local-stack.sh down; }
trap finish EXIT


step "build (minutes on a cold cache)" cargo_progress build --workspace --all-targets
step "unit tests (in-memory ports)" cargo test -q --workspace --exclude system-tests
# The handler benches need the in-memory ports (a feature): checked here so they cannot rot.
step "feature-gated benches: clippy -D warnings" cargo clippy -q -p app --features test-support --benches -- -D warnings
[ "$was_running" = 0 ] || ./scripts/local-stack.sh down
step "local stack up" ./scripts/local-stack.sh up
step "emulator, drift and end-to-end tests (real SDK, real HTTP)" cargo test -q -p system-tests
step "OpenAPI conformance of real responses (every route, every error)" python3 scripts/check_openapi.py
step "the web console in headless Chromium (join, stop, transcript, charts, redelivery, keys)" ./scripts/console_test.sh
step "API fuzzing, bounded sample (schemathesis; make fuzz for the long run)" ./scripts/fuzz_api.sh 20

step "release arm64 packages (make package)" ./scripts/package.sh
step "SAM template: cfn-lint, sam validate --lint, sam build" ./scripts/sam-check.sh


printf '\nall tests passed\n'
