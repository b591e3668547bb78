#!/usr/bin/env bash
# `make memory-curve`: the pipeline's CPU-bound work (the insights engine on every QMSum
# validation meeting, in-process, median of five runs each) under Lambda's CPU share at
# each memory size: Lambda gives a function CPU in proportion to its memory, one vCPU at
# 1,769 MB. The share is emulated with a CFS quota (cgroup v1 `cpu` controller, default
# 100 ms period) around the release xtask binary; root is needed to create the cgroup.
# Prints, per memory size, the median and slowest meeting's time and what the slowest
# costs in GB-seconds (duration x memory), so the setting can be chosen from the curve.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
. scripts/progress.sh
CG_ROOT=/sys/fs/cgroup/cpu
if [ ! -w "$CG_ROOT" ]; then
  echo "memory-curve: needs a writable cgroup v1 cpu controller at $CG_ROOT (root)" >&2
  exit 2
fi
cargo_progress build --release -p xtask
XTASK=$CARGO_TARGET_DIR/release/xtask
PERIOD_US=100000
printf '%-8s %-10s %14s %14s %16s\n' "memory" "CPU share" "median (ms)" "slowest (ms)" "slowest GB-ms"
for mb in 128 256 512 1024 1769; do
  cg=$CG_ROOT/pailflow-memory-curve-$mb
  mkdir -p "$cg"
  quota=$(( PERIOD_US * mb / 1769 ))
  echo "$PERIOD_US" >"$cg/cpu.cfs_period_us"
  echo "$quota" >"$cg/cpu.cfs_quota_us"
  out=$(sh -c "echo \$\$ > $cg/cgroup.procs && exec $XTASK insights-batch")
  rmdir "$cg"
  echo "$out" | python3 -c '
import json, sys
mb = int(sys.argv[1])
ms = sorted(json.loads(l)["micros"] / 1000 for l in sys.stdin if l.strip())
median, slowest = ms[len(ms) // 2], ms[-1]
print(f"{mb:>4} MB  {mb / 1769:>8.0%}  {median:>14.1f} {slowest:>14.1f} {slowest * mb / 1024:>16.1f}")
' "$mb"
done
