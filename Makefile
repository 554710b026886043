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

.PHONY: help dev test test-rust test-infra test-frontend console fmt fmt-check lint schema schema-check setup

help:
	@echo "make dev    run the product locally (moto, API, console); prints URL and logins"
	@echo "make test   fmt, clippy, unit, property and integration tests, infrastructure checks, console and browser suite"
	@echo "make fmt    format the Rust code"
	@echo "make lint   clippy with warnings as errors"

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

test: setup fmt-check lint test-rust test-infra test-frontend
	@echo "all test suites passed"
