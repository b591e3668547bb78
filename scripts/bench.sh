#!/usr/bin/env bash
# `make bench`: the performance table of PERFORMANCE.md, measured here and now.
#   1. package size: release arm64 zips (make package);
#   2. cold start, first invocation, warm invocation and peak memory of every release
#      function under a local Runtime API stub, against the emulator, side by side with a
#      Python 3.11 + boto3 handler doing the same calls and a lambda_http hello-world; then
#      init alone over 30 interleaved starts of each binary (the 2x-hello-world comparison);
#   3. handler CPU per request (criterion, in-memory ports);
#   4. latency on the local stack (optimised functions) under 50 concurrent clients;
#   5. stop -> completed for a 1-hour meeting, step by step.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:4566} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
. scripts/python-env.sh  # awslambdaric and boto3 for the Python comparison
. scripts/progress.sh
REPORTS=.local/reports
mkdir -p "$REPORTS"
XTASK=$CARGO_TARGET_DIR/release/xtask

echo "==> package sizes"
./scripts/package.sh | tail -12
echo "==> building release functions for this machine (all 14, and the hello-world in xtask)"
cargo_progress build --release -p join -p stop -p status -p export -p report -p pipeline -p list \
  -p delete -p deliveries -p analysis -p keys -p endpoint -p ping -p console -p xtask

./scripts/local-stack.sh down >/dev/null
WATCH_RELEASE=1 WATCH_CONCURRENCY=8 ./scripts/local-stack.sh up
# The cold-start runs play the pipeline themselves: park the event source meanwhile.
kill -- "-$(cat .local/pids/events.pid)" && rm -f .local/pids/events.pid
echo "==> cold start and memory"
"$XTASK" bench-cold-start "${BENCH_SAMPLES:-5}" | tee "$REPORTS/cold-start.md"
./scripts/local-stack.sh up >/dev/null

echo "==> handler CPU per request (criterion)"
cargo bench -q -p app --features test-support --bench handlers 2>&1 | grep -E "^handler/|time:" | tee "$REPORTS/handlers.txt"

echo "==> latency under 50 concurrent clients (300 bots)"
LOAD_REPORT_JSON=$REPORTS/latency.json "$XTASK" load "${BENCH_BOTS:-300}" 50 150 300 | tee "$REPORTS/latency.txt"

echo "==> pipeline: a 1-hour meeting"
"$XTASK" bench-meeting .local/logs/api.log | tee "$REPORTS/meeting.md"
