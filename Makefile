# The front door. Every target sets up what it needs, idempotently.
#   make dev    run the whole product locally (embedded AWS, API, console)
#   make test   every check and test suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PYTHON      := $(VENV)/bin/python
VENV_STAMP  := $(VENV)/.installed
REQS        := crates/local/moto/requirements.txt infra/requirements.txt
INFRA_STAMP := infra/node_modules/.installed
WEB_STAMP   := frontend/node_modules/.installed
LOCAL_BIN   := target/debug/wecare-local

# Debian's mold links the large SDK binaries several times faster; use it when present.
ifneq ($(shell command -v mold 2>/dev/null),)
export RUSTFLAGS ?= -C link-arg=-fuse-ld=mold
endif
export WECARE_PYTHON := $(abspath $(PYTHON))

.PHONY: help dev test test-rust test-infra test-frontend console fmt fmt-check lint lint-workflows schema schema-check setup

help:
	@echo "make dev    run the product locally (moto, API, console); prints URL and logins"
	@echo "make test   fmt, clippy, unit, property and integration tests, infrastructure checks, console and browser suite"
	@echo "make fmt    format the Rust code"
	@echo "make lint   clippy with warnings as errors"
	@echo "make lint-workflows  the CI workflows in .github with jactionlint and ShellCheck (offline)"
	@echo "make build            release zips of every function (arm64; ARCH=x86-64 for x86)"
	@echo "make bench           send latency and DynamoDB calls per send vs health and authorizer baselines"
	@echo "make bench-bulk      a 10,000-recipient campaign at 50/s with 4 workers: rate, limit, duplicates, units, cost"
	@echo "make bench-coldstart  cold start, CPU and RSS of each function vs a Python/boto3 baseline"
	@echo "make bench-size       each function's zip size vs the 6 MB goal"

$(VENV_STAMP): $(REQS)
	@command -v python3 >/dev/null || { echo "python3 is required"; exit 1; }
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check $(addprefix -r ,$(REQS))
	touch $@

$(WEB_STAMP): frontend/package-lock.json
	@command -v npm >/dev/null || { echo "node and npm are required for the console"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(INFRA_STAMP): infra/package-lock.json
	@command -v npm >/dev/null || { echo "node and npm are required for the infrastructure checks"; exit 1; }
	cd infra && npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV_STAMP)
	@command -v cargo >/dev/null || { echo "cargo (Rust) is required"; exit 1; }

# The console is served by the local stack from frontend/dist.
console: $(WEB_STAMP)
	cd frontend && npm run build

dev: setup console
	cargo build -p wecare-local
	$(LOCAL_BIN) dev

fmt:
	cargo fmt --all

fmt-check:
	cargo fmt --all -- --check

lint:
	cargo clippy --workspace --all-targets -- -D warnings

# The table/route definitions the CDK app reads, generated from crates/core.
schema:
	cargo run -q -p wecare-core --bin wecare-schema > infra/schema.json

schema-check:
	@cargo run -q -p wecare-core --bin wecare-schema | diff -u infra/schema.json - \
	  || { echo "infra/schema.json is stale: run 'make schema'"; exit 1; }

test-rust: setup
	cargo build -p wecare-local
	$(LOCAL_BIN) with-moto -- cargo test --workspace --no-fail-fast

# CDK: synthesis with bundling skipped, assertions, cdk-nag, cfn-lint on the templates.
test-infra: setup $(INFRA_STAMP) schema-check
	cd infra && npm test && npm run synth && npm run lint:cfn

# Console: lint, types, unit tests, production build, then the browser suite (Debian chromium)
# against a stack of its own on free ports.
test-frontend: setup $(WEB_STAMP)
	@test -x /usr/bin/chromium || { echo "the browser suite needs Debian's chromium (apt-get install chromium)"; exit 1; }
	cargo build -p wecare-local
	cd frontend && npm run lint && npm run build && npm test && npm run e2e

# The CI workflows (.github/workflows) cannot run here; jactionlint checks them offline (syntax,
# expressions, action inputs, ShellCheck on every run: script, security and policy rules), with
# .github/jactionlint.yaml, and ShellCheck the scripts they run. Both from PyPI into the virtualenv.
WORKFLOW_LINT_REQS  := .github/requirements.txt
WORKFLOW_LINT_STAMP := $(VENV)/.workflow-lint-installed

$(WORKFLOW_LINT_STAMP): $(WORKFLOW_LINT_REQS) $(VENV_STAMP)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r $(WORKFLOW_LINT_REQS)
	touch $@

lint-workflows: $(WORKFLOW_LINT_STAMP)
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/jactionlint --no-online --no-color
	$(VENV)/bin/shellcheck .ci/run infra/scripts/*.sh
	@echo "workflows: clean"

test: setup fmt-check lint lint-workflows test-rust test-infra test-frontend
	@echo "all test suites passed"

# ---- Release packaging and cold-start benchmark (crates/coldstart/README.md) ------------------
#   make build                  every function as target/lambda-arm64/<fn>/bootstrap.zip
#   make build ARCH=x86-64      the same for x86-64, in target/lambda-x86-64
#   make bench-coldstart        cold start of each function vs a Python/boto3 baseline
#   make bench-size             each zip's size vs the 6 MB goal (ARCH=x86-64 for those zips)
ARCH         ?= arm64
LAMBDA_DIR    = target/lambda-$(ARCH)
LAMBDA_REQS  := crates/coldstart/requirements.txt
LAMBDA_STAMP := $(VENV)/.lambda-tools-installed
# The benchmark runs binaries natively, so it uses the build for this machine's architecture.
BENCH_ARCH   := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x86-64)

.PHONY: build bench-coldstart bench-size

# cargo-lambda and Zig from PyPI into the project virtualenv; nothing is downloaded from elsewhere.
$(LAMBDA_STAMP): $(LAMBDA_REQS) $(VENV_STAMP)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r $(LAMBDA_REQS)
	touch $@

# Only the function crates (-p each, from the schema), so the tests' and tools' features are not
# unified into the Lambda binaries. RUSTFLAGS is cleared: the mold flag above is for host debug
# builds, and RUSTFLAGS would also override cargo-lambda's own target-cpu flag.
# aws-lc without jitter entropy: otherwise tens of ms of CPU at the first random number.
# $(call lambda-build,ARCH) builds every function for ARCH (arm64 or x86-64) into target/lambda-ARCH.
define lambda-build
	@case "$(1)" in arm64|x86-64) ;; *) echo "ARCH must be arm64 or x86-64, not '$(1)'"; exit 1;; esac
	@command -v cargo >/dev/null || { echo "cargo (Rust) is required"; exit 1; }
	pkgs=$$(cargo run -q -p wecare-core --bin wecare-schema \
	  | $(PYTHON) -c 'import json, sys; print(" ".join("-p " + f for f in json.load(sys.stdin)["functions"]))') \
	&& env -u RUSTFLAGS PATH="$(abspath $(VENV))/bin:$$PATH" AWS_LC_SYS_NO_JITTER_ENTROPY=1 \
	  cargo lambda build --release --$(1) --output-format zip --lambda-dir target/lambda-$(1) $$pkgs
endef

build: $(LAMBDA_STAMP)
	$(call lambda-build,$(ARCH))

# The benchmark runs binaries natively: it builds (if needed) and measures this machine's architecture.
bench-coldstart: $(LAMBDA_STAMP)
	$(call lambda-build,$(BENCH_ARCH))
	cargo run -q -p wecare-coldstart -- bench --bin-dir target/lambda-$(BENCH_ARCH) --python $(PYTHON)

bench-size: build
	cargo run -q -p wecare-coldstart -- size --lambda-dir $(LAMBDA_DIR)

# ---- Benchmarks ------------------------------------------------------------------------------
# The send path through the local stack against baselines measured in the same run (ratios).
.PHONY: bench
bench: setup
	cargo build -p wecare-local -p wecare-tests --bin wecare-local --bin bench-send
	$(LOCAL_BIN) with-moto -- target/debug/bench-send

# AI suggestions through the local stack (tests/src/bin/bench-ai.rs): a question, a draft and an
# approval, as ratios to GET /api/me in the same run; about a minute.
.PHONY: bench-ai
bench-ai: setup
	cargo build -p wecare-local -p wecare-tests --bin wecare-local --bin bench-ai
	$(LOCAL_BIN) with-moto -- target/debug/bench-ai

# A campaign through the local stack (tests/src/bin/bench-bulk.rs); about 10 minutes here, and a
# first build of the bench-local profile about 6 more (measured here). Built optimised, as Lambda runs
# release code: a debug build's CPU per request would be taken from moto on the same two cores.
.PHONY: bench-bulk
bench-bulk: setup
	cargo build --profile bench-local -p wecare-local -p wecare-tests --bin wecare-local --bin bench-bulk
	target/bench-local/wecare-local with-moto -- target/bench-local/bench-bulk
