#!/usr/bin/env bash
# `sam build` of infra/template.yaml into .aws-sam/build (cargo-lambda, arm64, release).
# SAM's Rust builder runs cargo-lambda with CARGO_TARGET_DIR but then copies each binary from
# <source>/target/lambda: when the build directory is elsewhere (CI keeps it outside the
# clone), <source>/target/lambda points at it.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
export SAM_CLI_TELEMETRY=0 AWS_REGION=${AWS_REGION:-us-east-1}
. scripts/python-env.sh  # sam, cargo-lambda
if [ "$(realpath -m "$CARGO_TARGET_DIR")" != "$(realpath -m "$PWD/target")" ]; then
  mkdir -p target "$CARGO_TARGET_DIR/lambda"
  if [ -d target/lambda ] && [ ! -L target/lambda ]; then rm -rf target/lambda; fi
  ln -sfn "$CARGO_TARGET_DIR/lambda" target/lambda
fi
build=.aws-sam/build
rm -rf "$build"
echo "sam build: every function, release arm64 (minutes on a cold cache)"
sam build -t infra/template.yaml --beta-features --build-dir "$build" >/tmp/sam-build.$$.log 2>&1 ||
  { tail -40 /tmp/sam-build.$$.log; exit 1; }
