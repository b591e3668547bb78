#!/usr/bin/env bash
# The local stack (DESIGN.md "Running it on one machine"):
#   moto_server           AWS emulator                 127.0.0.1:4566
#   cargo lambda watch    the functions, real routes   127.0.0.1:9000
#   xtask standin         Pipecat Cloud stand-in       127.0.0.1:9100
#   xtask receiver        webhook receiver             127.0.0.1:9200
#   xtask event-source    SQS -> pipeline function (under watch, or itself: PIPELINE_DIRECT=1)
# `up` starts what is not running and records each pid (its own process group) in
# .local/pids; `down` stops exactly those. Both are safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/.local
PIDS=$STATE/pids
LOGS=$STATE/logs
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-local} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-local}
XTASK=$CARGO_TARGET_DIR/debug/xtask

log() { printf '%s\n' "$*" >&2; }
. "$ROOT/scripts/progress.sh"

alive() { [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

# start NAME CMD...: run CMD in its own session (so its whole tree can be stopped), log to .local/logs.
start() {
  local name=$1; shift
  if alive "$name"; then log "$name already running (pid $(cat "$PIDS/$name.pid"))"; return; fi
  setsid "$@" >"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! >"$PIDS/$name.pid"
  log "started $name (pid $!)"
}

wait_http() {
  local name=$1 url=$2 seconds=${3:-60}
  for _ in $(seq $((seconds * 10))); do
    if curl -s -o /dev/null "$url"; then return 0; fi
    if ! alive "$name"; then log "$name exited; last lines of $LOGS/$name.log:"; tail -20 "$LOGS/$name.log" >&2; return 1; fi
    sleep 0.1
  done
  log "$name did not answer on $url within ${seconds}s"; tail -20 "$LOGS/$name.log" >&2; return 1
}


# One request per function, one at a time, before any client: `cargo lambda watch` builds
# and starts a function on its first invocation, and doing that for every function at once
# under a load run's 50 clients left it unable to answer. Each answer here is our code's
# (401 without a key, an empty batch for the pipeline), so each function is built and up.
warm_up() {
  local zero=00000000-0000-4000-8000-000000000000 code
  local calls=("POST /api/bot/join" "POST /v1/bots/leave/$zero" "GET /api/bot/$zero/status" "GET /api/bot/$zero/transcript" "POST /v1/bots/$zero/exit" "GET /api/bots" "DELETE /api/bot/$zero/data" "GET /api/bot/$zero/deliveries" "GET /api/bot/$zero/insights" "GET /api/keys" "GET /api/webhook-endpoint" "POST /api/webhooks/test" "GET /console")
  [ -n "${PIPELINE_DIRECT:-}" ] || calls+=("POST /2015-03-31/functions/pipeline/invocations")
  local n=0
  for call in "${calls[@]}"; do
    n=$((n + 1))
    log "warm-up $n/${#calls[@]}: $call (cargo lambda watch starts the function on its first call)"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 900 -X "${call%% *}" \
      -H 'content-type: application/json' -d '{"Records":[]}' "http://127.0.0.1:9000${call#* }") || true
    case $code in
      2??|4??) ;;
      *) log "warm-up: $call answered ${code:-nothing}; last lines of $LOGS/api.log:"; tail -20 "$LOGS/api.log" >&2; return 1 ;;
    esac
  done
  log "warm-up: every function answered"
}

up() {
  mkdir -p "$PIDS" "$LOGS"
  # moto and cargo-lambda come from the project's .venv (scripts/python-env.sh).
  . "$ROOT/scripts/python-env.sh"
  # moto_server, with DynamoDB's conditional writes made atomic as they are on AWS.
  start emulator python3 "$ROOT/scripts/emulator.py" -H 127.0.0.1 -p 4566

  wait_http emulator http://127.0.0.1:4566/moto-api/data.json 60
  log "building the functions and tools (minutes on a cold cache)"
  cargo_progress build --workspace --bins
  if [ -n "${WATCH_RELEASE:-}" ]; then
    log "building the optimised functions (fat LTO: minutes on a cold cache)"
    cargo_progress build --release -p join -p stop -p status -p export -p report -p pipeline -p list -p delete -p deliveries -p analysis -p keys -p endpoint -p ping -p console
  fi

  "$XTASK" bootstrap
  # The local development account the saved events in events/ use (emulator only).
  "$XTASK" seed-local
  start standin "$XTASK" standin
  start receiver "$XTASK" receiver
  if [ -n "${FAULT_RATE:-}" ]; then
    # Chaos suite: the functions reach the emulator, and the pipeline the bot runtime, through
    # fault-injecting proxies; webhook URLs given at join point at the third one.
    start proxy-aws "$XTASK" fault-proxy 127.0.0.1:4567 http://127.0.0.1:4566 "$FAULT_RATE"
    start proxy-bot "$XTASK" fault-proxy 127.0.0.1:9101 http://127.0.0.1:9100 "$FAULT_RATE"
    start proxy-hooks "$XTASK" fault-proxy 127.0.0.1:9201 http://127.0.0.1:9200 "$FAULT_RATE"
    WATCH_ARGS="${WATCH_ARGS:-} --env-var AWS_ENDPOINT_URL=http://127.0.0.1:4567 --env-var PIPECAT_API_URL=http://127.0.0.1:9101/v1"
  fi
  # The addresses the functions use, unless WATCH_ARGS points them elsewhere (the fault
  # proxies of make chaos, the meters of make cost). They are not in Cargo.toml's watch
  # table because `cargo lambda watch` lets that table win over --env-var.
  local kv
  for kv in AWS_ENDPOINT_URL=http://127.0.0.1:4566 PIPECAT_API_URL=http://127.0.0.1:9100/v1 PUBLIC_BASE_URL=http://127.0.0.1:9000; do
    [[ " ${WATCH_ARGS:-} " == *" --env-var ${kv%%=*}="* ]] || WATCH_ARGS="${WATCH_ARGS:-} --env-var $kv"
  done

  # WATCH_RELEASE=1 serves optimised builds (load and latency runs); WATCH_ARGS adds flags,
  # e.g. --env-var AWS_ENDPOINT_URL=... to route the functions through the fault proxy.
  # shellcheck disable=SC2086
  start api cargo lambda watch --ignore-changes -A 127.0.0.1 -P 9000 --concurrency "${WATCH_CONCURRENCY:-4}" \
    ${WATCH_RELEASE:+--release} ${WATCH_ARGS:-}

  wait_http standin http://127.0.0.1:9100/_control/sessions 30
  wait_http receiver http://127.0.0.1:9200/events 30
  wait_http api http://127.0.0.1:9000/ 180
  warm_up
  # PIPELINE_DIRECT=1 (the kill suite): the event source runs the pipeline binary itself, one
  # process per poller under its own Runtime API, with watch's environment and overrides.
  local events_flags=() watch_args i
  if [ -n "${PIPELINE_DIRECT:-}" ]; then
    events_flags=(--run "$CARGO_TARGET_DIR/$([ -n "${WATCH_RELEASE:-}" ] && echo release || echo debug)/pipeline")
    read -ra watch_args <<< "${WATCH_ARGS:-}"
    for ((i = 0; i + 1 < ${#watch_args[@]}; i++)); do
      if [ "${watch_args[i]}" = --env-var ]; then events_flags+=(--env-var "${watch_args[i + 1]}"); fi
    done
  fi
  start events "$XTASK" event-source "${EVENT_SOURCE_POLLERS:-2}" "${events_flags[@]}"
  log "local stack up: API http://127.0.0.1:9000, emulator :4566, bot stand-in :9100, webhooks :9200 (logs in .local/logs)"
}

down() {
  [ -d "$PIDS" ] || { log "nothing to stop"; return; }
  for f in "$PIDS"/*.pid; do
    [ -e "$f" ] || continue
    local name pid
    name=$(basename "$f" .pid); pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      log "stopped $name (pid $pid)"
    fi
    rm -f "$f"
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
