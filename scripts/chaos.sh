#!/usr/bin/env bash
# `make chaos`: the long reliability suites on the local stack (loopback only; each run is
# bounded by its bot count and timeouts and stops by itself). Reports go to .local/reports/.
#   1. faults: 200 meetings with 10% of the functions' AWS calls, the pipeline's bot-runtime
#      calls and the webhook deliveries failing (5xx, throttling, resets, delays), while the
#      pipeline function process is killed with SIGKILL every 20 seconds, mid-batch or idle;
#   2. redelivery: 200 meetings with every pipeline message delivered three times, each copy
#      after a random delay (so out of order);
#   3. API fuzzing: schemathesis, 250 examples per operation with a valid and a wrong key
#      (well over 1,000 requests);

# (Stuck bots — a bot that never reports, a runtime refusing the stop — are quick and run in
# `make test`: `cargo test -p system-tests --test system stuck_`.)

set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python-env.sh
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:4566} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
REPORTS=.local/reports
mkdir -p "$REPORTS"
XTASK=$CARGO_TARGET_DIR/debug/xtask
BOTS=${CHAOS_BOTS:-200}
FAST_RETRIES="--env-var WEBHOOK_RETRY_BASE_SECONDS=1 --env-var WEBHOOK_RETRY_MAX_DELAY_SECONDS=8 --env-var EXIT_DEADLINE_SECONDS=60"
status=0
trap './scripts/local-stack.sh down >/dev/null 2>&1 || true' EXIT

# CHAOS_STEPS picks steps (default all: "1 2 3").
STEPS=" ${CHAOS_STEPS:-1 2 3} "
if [[ $STEPS == *" 1 "* ]]; then
echo "==> 1. $BOTS meetings at 10% faults, pipeline killed mid-batch"
./scripts/local-stack.sh down
# The event source runs the pipeline processes itself here (PIPELINE_DIRECT): it sees one
# die and starts another, as Lambda does; `cargo lambda watch` stops invoking a function
# whose process was killed a few times.
# Timings kept in production's proportions (RELIABILITY.md): a killed process's delivery
# lease (DELIVERY_LEASE_SECONDS, 120 s in production) must run out well within the time a
# message spends in its five receives (visibility timeout 720 s in production); locally
# 20 s and 30 s. With the production lease and 10 s or 30 s visibility, messages waiting
# out a dead process's lease used up their receives and went to the dead-letter queue.
# A kill every KILL_EVERY seconds (default 20, so most land mid-batch).
KILL_EVERY=${CHAOS_KILL_SECONDS:-20}
LOCAL_VISIBILITY_TIMEOUT=30 PIPELINE_DIRECT=1 FAULT_RATE=0.1 \
  WATCH_ARGS="$FAST_RETRIES --env-var DELIVERY_LEASE_SECONDS=20" ./scripts/local-stack.sh up
events_pid=$(cat .local/pids/events.pid)
: > "$REPORTS/kills.log"
(
  while sleep "$KILL_EVERY"; do
    pid=$(pgrep -P "$events_pid" -x pipeline | shuf -n 1 || true)
    if [ -n "$pid" ]; then kill -9 "$pid" && echo "killed pipeline pid $pid" >> "$REPORTS/kills.log"; fi
  done
) & killer=$!
LOAD_WEBHOOK_BASE=http://127.0.0.1:9201 LOAD_REPORT_JSON=$REPORTS/faults.json "$XTASK" load "$BOTS" 20 150 600 || status=1
kill "$killer" 2>/dev/null || true
kills=$(wc -l < "$REPORTS/kills.log")
echo "pipeline processes killed: $kills ($(grep -c 'exited mid-invocation' .local/logs/events.log || true) of them mid-batch)"
for p in proxy-aws proxy-bot proxy-hooks; do echo "$p: $(grep forwarded ".local/logs/$p.log" | tail -1)"; done
echo "dead-letter queue: $(python3 scripts/queue_depth.py pailflow-local-pipeline-dlq) messages"

fi

if [[ $STEPS == *" 2 "* ]]; then
echo "==> 2. $BOTS meetings, every pipeline message delivered three times and reordered"
./scripts/local-stack.sh down
EVENT_SOURCE_COPIES=3 WATCH_ARGS="$FAST_RETRIES" ./scripts/local-stack.sh up
LOAD_REPORT_JSON=$REPORTS/redelivery.json "$XTASK" load "$BOTS" 20 150 600 || status=1

fi

if [[ $STEPS == *" 3 "* ]]; then
echo "==> 3. API fuzzing, long run (schemathesis, ${FUZZ_EXAMPLES:-250} examples per operation and key)"
./scripts/local-stack.sh down
./scripts/local-stack.sh up
./scripts/fuzz_api.sh "${FUZZ_EXAMPLES:-250}" || status=1
fi
exit $status


