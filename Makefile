# The front door. Every target sets up what it needs, idempotently.
#   make dev    run the whole product locally (embedded AWS, API, console)
#   make test   every check and test suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PYTHON      := $(VENV)/bin/python
VENV_STAMP  := $(VENV)/.installed
REQS        := crates/local/moto/requirements.txt
LOCAL_BIN   := target/debug/wecare-local

# Debian's mold links the large SDK binaries several times faster; use it when present.
ifneq ($(shell command -v mold 2>/dev/null),)
export RUSTFLAGS ?= -C link-arg=-fuse-ld=mold
endif
export WECARE_PYTHON := $(abspath $(PYTHON))

.PHONY: help dev test test-rust fmt fmt-check lint schema setup

help:
	@echo "make dev    run the product locally (moto, API, console); prints URL and logins"
	@echo "make test   fmt, clippy, unit, property and integration tests"
	@echo "make fmt    format the Rust code"
	@echo "make lint   clippy with warnings as errors"

$(VENV_STAMP): $(REQS)
	@command -v python3 >/dev/null || { echo "python3 is required"; exit 1; }
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r $(REQS)
	touch $@

setup: $(VENV_STAMP)
	@command -v cargo >/dev/null || { echo "cargo (Rust) is required"; exit 1; }

dev: setup
	cargo build -p wecare-local
	$(LOCAL_BIN) dev

fmt:
	cargo fmt --all

fmt-check:
	cargo fmt --all -- --check

lint:
	cargo clippy --workspace --all-targets -- -D warnings

# The table/route definitions the CDK app reads; a test fails if this file is stale.
schema:
	cargo run -q -p wecare-core --bin wecare-schema > infra/schema.json

test-rust: setup
	cargo build -p wecare-local
	$(LOCAL_BIN) with-moto -- cargo test --workspace --no-fail-fast

test: setup fmt-check lint test-rust
	@echo "all test suites passed"
