#!/usr/bin/env bash
# Offline checks of infra/template.yaml: cfn-lint, `sam validate --lint`, and `sam build`
# (cargo-lambda, arm64, release) producing every function's bootstrap. Nothing reaches AWS.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
export SAM_CLI_TELEMETRY=0 AWS_REGION=${AWS_REGION:-us-east-1}
unset AWS_ENDPOINT_URL
. scripts/python-env.sh  # cfn-lint, sam, cargo-lambda

cfn-lint infra/template.yaml
sam validate --lint -t infra/template.yaml
./scripts/sam-build.sh
build=.aws-sam/build
missing=0
for fn in JoinFunction StopFunction StatusFunction ExportFunction ReportFunction PipelineFunction ListFunction DeleteFunction DeliveriesFunction AnalysisFunction KeysFunction EndpointFunction PingFunction ConsoleFunction; do
  bin=$build/$fn/bootstrap
  # ELF e_machine 183 is AArch64.
  if [ -x "$bin" ] && python3 -c 'import sys; d=open(sys.argv[1],"rb").read(20); sys.exit(0 if d[:4]==b"\x7fELF" and int.from_bytes(d[18:20],"little")==183 else 1)' "$bin"; then

    printf 'sam build: %-17s %s bytes (arm64)\n' "$fn" "$(stat -c %s "$bin")"
  else
    echo "sam build: $fn has no arm64 bootstrap at $bin"; missing=1
  fi
done
exit $missing
