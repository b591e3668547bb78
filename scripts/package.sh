#!/usr/bin/env bash
# `make package`: release arm64 zips of every function (what Lambda runs), and their sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
. scripts/python-env.sh  # cargo-lambda (and zig for the arm64 cross-build)
FUNCTIONS=(join stop status export report pipeline list delete deliveries analysis keys endpoint ping console)
args=()
for f in "${FUNCTIONS[@]}"; do args+=(--bin "$f"); done
cargo lambda build --release --arm64 --output-format zip "${args[@]}"
printf '\n%-10s %12s %12s\n' function "zip bytes" "zip MiB"
for f in "${FUNCTIONS[@]}"; do
  zip=$CARGO_TARGET_DIR/lambda/$f/bootstrap.zip
  bytes=$(stat -c %s "$zip")
  printf '%-10s %12d %12.2f\n' "$f" "$bytes" "$(awk "BEGIN { print $bytes / 1048576 }")"
done
echo "zips: $CARGO_TARGET_DIR/lambda/<function>/bootstrap.zip"
