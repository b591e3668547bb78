# The two commands that matter: `make demo` (one meeting end to end on the local stack)
# and `make test` (every test; starts what it needs). See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Local defaults; `make api-key ACCOUNT=x AWS_ENDPOINT_URL=` talks to real AWS instead.
export AWS_ENDPOINT_URL ?= http://127.0.0.1:4566
ifneq ($(AWS_ENDPOINT_URL),)
export AWS_REGION ?= us-east-1
export AWS_ACCESS_KEY_ID ?= local
export AWS_SECRET_ACCESS_KEY ?= local
endif
export TABLE_NAME ?= pailflow-local
export CARGO_TARGET_DIR ?= $(CURDIR)/target
XTASK := cargo run -q -p xtask --

# Every target has a `## ` description: `make help` lists them all from here (and a system
# test refuses a target without one).
.PHONY: help up down demo test api-key webhook-secret account-limits emails insights lint

help: ## this list
	@awk 'BEGIN { FS = ":[^#]*## " } /^[a-z][a-z-]*:.*## / { printf "make %-18s %s\n", $$1, $$2 }' $(firstword $(MAKEFILE_LIST))

up: ## start the local stack (emulator :4566, API :9000, bot stand-in :9100, webhooks :9200)
	@./scripts/local-stack.sh up

down: ## stop the local stack
	@./scripts/local-stack.sh down

demo: up ## one meeting end to end on the local stack (starts it)
	@$(XTASK) demo

# The web console (http://127.0.0.1:9000/console) in headless Chromium: one meeting joined,
# stopped and read through it, keys and the webhook endpoint; the shots also write
# .local/screenshots/console-<page>-<width>.png.
.PHONY: console-test console-shots
console-test: up ## the web console in headless Chromium against the local stack (starts it)
	@./scripts/console_test.sh

console-shots: up ## the console's main pages at 1280 and 390 px (.local/screenshots)
	@./scripts/console_test.sh --shots .local/screenshots

api-key: ## ACCOUNT=name: print a new API key (last line)
	@test -n "$(ACCOUNT)" || { echo "usage: make api-key ACCOUNT=name" >&2; exit 2; }
	@$(XTASK) api-key "$(ACCOUNT)"

webhook-secret: ## ACCOUNT=name: print the account's webhook signing secret (last line)
	@test -n "$(ACCOUNT)" || { echo "usage: make webhook-secret ACCOUNT=name" >&2; exit 2; }
	@$(XTASK) webhook-secret "$(ACCOUNT)"

# An account's own limits; unset ones keep the service's defaults (ACCOUNT_* settings).
account-limits: ## ACCOUNT=name [active_bots=N joins_per_minute=N emails_per_day=N email_domains=a.com|any retention_hours=H]: set an account's own limits
	@test -n "$(ACCOUNT)" || { echo "usage: make account-limits ACCOUNT=name [active_bots=N] [joins_per_minute=N] [emails_per_day=N] [email_domains=a.com,b.com|any] [retention_hours=1..8760]" >&2; exit 2; }
	@$(XTASK) account-limits "$(ACCOUNT)" $(if $(active_bots),--active-bots $(active_bots)) \
		$(if $(joins_per_minute),--joins-per-minute $(joins_per_minute)) \
		$(if $(emails_per_day),--emails-per-day $(emails_per_day)) \
		$(if $(email_domains),--email-domains $(email_domains)) \
		$(if $(retention_hours),--retention-hours $(retention_hours))

emails: ## print the last emails the emulator received
	@. scripts/python-env.sh && python3 scripts/emails.py

# The result email rendered by headless Chromium at 600 and 375 px: the last demo's, or the
# one composed for FILE (a transcript), or for the stand-in bot's meeting.
.PHONY: email-preview
email-preview: ## [FILE=path]: screenshots of the result email at 600 and 375 px (.local/screenshots)
	@FILE="$(FILE)" ./scripts/email_preview.sh

lint: ## rustfmt check, clippy -D warnings, cfn-lint
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -q -- -D warnings
	cargo clippy -p app --features test-support --benches -q -- -D warnings
	. scripts/python-env.sh && cfn-lint infra/template.yaml

test: ## every test (starts the emulator and the local stack itself)
	@./scripts/test.sh

.PHONY: package sam-check deploy
package: ## release arm64 zips of every function, their sizes, and the aws-lc check
	@./scripts/package.sh

# The offline infrastructure checks `make test` runs: cfn-lint, sam validate --lint, sam build.
sam-check: ## cfn-lint, sam validate --lint, sam build (offline)
	@./scripts/sam-check.sh

# First deploy: `make deploy GUIDED=1` (sam deploy --guided), then plain `make deploy`.
deploy: ## [GUIDED=1]: sam build + sam deploy
	@./scripts/sam-build.sh
	@. scripts/python-env.sh && sam deploy -t .aws-sam/build/template.yaml $(if $(GUIDED),--guided,)

.PHONY: insights insights-quality insights-scores memory-curve bench-insights load chaos
# The insights JSON of one transcript file (QMSum, or the exit-report format).
insights: ## FILE=path: insights JSON of one transcript (QMSum or exit-report format)
	@test -n "$(FILE)" || { echo "usage: make insights FILE=path/to/transcript.json" >&2; exit 2; }
	@$(XTASK) insights "$(FILE)"

# ROUGE of our summaries against the human ones, side by side with TextRank (summa), and time.
insights-quality: ## [DIR=..]: ROUGE vs the human summaries, side by side with TextRank (summa)
	@. scripts/python-env.sh && python3 scripts/insights_quality.py $(if $(DIR),$(DIR),)

# The meeting score of every transcript in DIR (default: the QMSum validation meetings),
# with strengths and weaknesses, and the distribution (README, "The meeting score").
insights-scores: ## [DIR=..]: the meeting score of every QMSum meeting, and their distribution
	@$(XTASK) insights-scores $(if $(DIR),$(DIR),)

memory-curve: ## the pipeline's insights work under Lambda's CPU share at 128-1769 MB (cgroup quota; root)
	@./scripts/memory_curve.sh

# Criterion benches of the engine: QMSum meetings, 1-hour and 4-hour inputs.
bench-insights: ## criterion benches of the insights engine
	cargo bench -p xtask --bench insights

# 1,000 bots joined and stopped by 50 concurrent clients on the local stack (optimised build).
load: ## [BOTS=1000 CLIENTS=50]: many bots joined and stopped on the local stack
	@./scripts/local-stack.sh down
	@WATCH_RELEASE=1 WATCH_CONCURRENCY=8 ./scripts/local-stack.sh up
	@LOAD_REPORT_JSON=.local/reports/load.json $(XTASK) load $(or $(BOTS),1000) $(or $(CLIENTS),50)

# What our part of a meeting costs on AWS: QMSum meetings through the local stack with
# meters in its paths (restarted for it, stopped after), every billable unit counted and priced.
.PHONY: cost
cost: ## [MEETINGS=100]: what a meeting costs on AWS, from counted calls (PERFORMANCE.md)
	@$(XTASK) cost $(or $(MEETINGS),100) --write PERFORMANCE.md

# The long reliability suites: faults + kills, redelivery x3, long API fuzzing (RELIABILITY.md).
chaos: ## faults + kills, redelivery x3, long API fuzzing (RELIABILITY.md)
	@./scripts/chaos.sh

.PHONY: fuzz
# schemathesis against openapi.yaml on the local stack (starts it), valid and wrong keys.
fuzz: up ## [EXAMPLES=250]: schemathesis against openapi.yaml on the local stack
	@./scripts/fuzz_api.sh $(or $(EXAMPLES),250)


.PHONY: bench
# The performance table (PERFORMANCE.md): sizes, cold start vs Python and hello-world,
# memory, handler CPU, latency under load, and a 1-hour meeting step by step.
bench: ## the performance table (PERFORMANCE.md)
	@./scripts/bench.sh
