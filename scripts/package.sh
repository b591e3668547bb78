#!/usr/bin/env bash
# `make package`: release arm64 zips of every function (what Lambda runs), and their sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
. scripts/python-env.sh  # cargo-lambda (and zig for the arm64 cross-build)
FUNCTIONS=(join stop status export report pipeline list delete deliveries analysis keys endpoint ping console)
# The function packages only (-p), not the workspace: Cargo unifies features across the
# packages a build selects, and the tools' and tests' dependencies must not reach a zip.
args=()
for f in "${FUNCTIONS[@]}"; do args+=(-p "$f"); done
echo "package: release arm64 builds of ${FUNCTIONS[*]} (cargo lambda, fat LTO: minutes on a cold cache)"
cargo lambda build --release --arm64 --output-format zip "${args[@]}"
printf '\n%-10s %12s %12s\n' function "zip bytes" "zip MiB"
for f in "${FUNCTIONS[@]}"; do
  zip=$CARGO_TARGET_DIR/lambda/$f/bootstrap.zip
  bytes=$(stat -c %s "$zip")
  printf '%-10s %12d %12.2f\n' "$f" "$bytes" "$(awk "BEGIN { print $bytes / 1048576 }")"
done
echo "zips: $CARGO_TARGET_DIR/lambda/<function>/bootstrap.zip"
# aws-lc (the SDK's and reqwest's default TLS crypto) must not be in any function: they use
# rustls on ring. Its C library leaves its source paths in the binary even when stripped
# (`…/aws-lc/crypto/…`, from its error macros); `aws_lc_rs` alone is only rustls's advice
# text about providers. The binary is unpacked to a file first: `unzip | grep -q` under
# pipefail fails when grep stops early, which would hide a match.
found=0
bin=$(mktemp)
for f in "${FUNCTIONS[@]}"; do
  unzip -p "$CARGO_TARGET_DIR/lambda/$f/bootstrap.zip" bootstrap >"$bin"
  if grep -aqE '/aws-lc/(crypto|include)/|aws-lc-(sys|rs|fips-sys)-[0-9]' "$bin"; then
    echo "package: $f contains aws-lc"; found=1
  fi
done
rm -f "$bin"
[ "$found" = 0 ] && echo "package: no function contains aws-lc (checked for its C sources' paths)"
exit "$found"
