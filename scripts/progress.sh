# Sourced by the scripts whose steps take minutes: progress lines instead of silence.

# cargo_progress ARGS...: `cargo ARGS`, printing one line per crate compiled and, while a
# step prints nothing (fat LTO links for minutes), a line every 30 s; on failure, the
# errors. Returns cargo's status.
cargo_progress() {
  local - log rc beat started=$SECONDS
  set +e
  log=$(mktemp)
  (while sleep 30; do printf '  cargo: still building (%d s)\n' $((SECONDS - started)) >&2; done) &
  beat=$!
  cargo "$@" 2>&1 | tee "$log" | grep --line-buffered -E '^\s+(Compiling|Finished)' |
    sed -u 's/^ */  cargo: /' >&2
  rc=${PIPESTATUS[0]}
  kill "$beat" 2>/dev/null
  wait "$beat" 2>/dev/null
  if [ "$rc" -ne 0 ]; then grep -A15 -E '^error' "$log" | head -80 >&2; fi
  rm -f "$log"
  return "$rc"
}
