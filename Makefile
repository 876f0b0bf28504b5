# ledgerchat — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

SWIFT ?= swift
CACHE_DIR ?= $(HOME)/.cache/ledgerchat
APT_PACKAGES := libcurl4-openssl-dev libncurses-dev libsqlite3-dev curl openssl jq python3-venv tmux
BENCH_APT_PACKAGES := wrk
PEERS_LOCK := Tests/Interop/requirements.lock
# The peers' virtualenv is keyed by the lock file's hash: a changed pin builds a fresh one.
PEERS_KEY := $(shell sha256sum $(PEERS_LOCK) 2>/dev/null | cut -c1-12)
PEERS_VENV := $(CACHE_DIR)/peers-$(PEERS_KEY)
PEERS_PYTHON := $(PEERS_VENV)/bin/python
ASK_PEER_LOCK := bench/ask-peer.lock
ASK_PEER_VENV := $(CACHE_DIR)/ask-peer-$(shell sha256sum $(ASK_PEER_LOCK) 2>/dev/null | cut -c1-12)
BIN := .build/debug/ledgerchat
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps bench-deps peers ask-peer build test run bench local-model clean help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

deps: ## install the system packages that are missing (apt; sudo when not root)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages: $$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6 is required: put swift on PATH (see README)"; exit 1; }

bench-deps: deps
	@missing=$$(for p in $(BENCH_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing benchmark packages: $$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

peers: $(PEERS_VENV)/.complete ## the Python MCP SDK, FastMCP and jsonschema, hash-checked, for interop tests and benchmarks

$(PEERS_VENV)/.complete: $(PEERS_LOCK)
	@echo "Setting up the Python peers in $(PEERS_VENV) (pinned, sha256-verified)…"
	@rm -rf $(PEERS_VENV) && python3 -m venv $(PEERS_VENV)
	@$(PEERS_PYTHON) -m pip install -q --disable-pip-version-check --root-user-action=ignore --require-hashes --no-deps -r $(PEERS_LOCK)
	@touch $@

build: deps ## build ledgerchat (debug)
	$(SWIFT) build

# Output stays short (errors, failures, totals): the whole test output goes to .build/test-output.log.
test: deps peers local-model ## build and run every test: interop with Python MCP peers, the real local model
	@echo "Building ledgerchat and its tests (about 5 minutes the first time)…"
	@$(SWIFT) build --build-tests --quiet
	@LEDGERCHAT_BIN=$(CURDIR)/$(BIN) LEDGERCHAT_PEERS_PYTHON=$(PEERS_PYTHON) SWIFT=$(SWIFT) scripts/run-tests.sh

run: build local-model ## build and start ledgerchat on the demo ledger with the offline model
	$(BIN)

ask-peer: $(ASK_PEER_VENV)/.complete ## the llm CLI with its MCP plugin, hash-checked, the peer of `ask` in make bench

$(ASK_PEER_VENV)/.complete: $(ASK_PEER_LOCK)
	@echo "Setting up the ask peer in $(ASK_PEER_VENV) (pinned, sha256-verified)…"
	@rm -rf $(ASK_PEER_VENV) && python3 -m venv $(ASK_PEER_VENV)
	@$(ASK_PEER_VENV)/bin/python -m pip install -q --disable-pip-version-check --root-user-action=ignore --require-hashes --no-deps -r $(ASK_PEER_LOCK)
	@touch $@

bench: bench-deps peers ask-peer local-model ## serve --http against FastMCP, and ask against the llm CLI, in one run
	$(SWIFT) build -c release --product ledgerchat
	PEERS_PYTHON=$(PEERS_PYTHON) LEDGERCHAT_BIN=$(CURDIR)/.build/release/ledgerchat bench/http-bench.sh
	@echo
	python3 bench/ask_bench.py $(CURDIR)/.build/release/ledgerchat $(ASK_PEER_VENV)
	@echo
	LEDGERCHAT_BIN=$(CURDIR)/.build/release/ledgerchat bench/local-model-bench.sh
	@echo
	PEERS_PYTHON=$(PEERS_PYTHON) LEDGERCHAT_BIN=$(CURDIR)/.build/release/ledgerchat bench/tui-bench.sh

local-model: ## build llama-server and assemble the offline model into ~/.cache/ledgerchat (12 minutes the first time)
	bash scripts/local-model.sh

clean: ## remove build products (the caches in ~/.cache/ledgerchat stay)
	rm -rf .build
