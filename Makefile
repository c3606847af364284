# The two Quick start commands (`make demo`, `make test`) install what they need first.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := liblmdb-dev libsqlite3-dev pkg-config

.PHONY: deps demo test install bench bench-cli clean

# Installs the C libraries (Debian packages) when pkg-config cannot find them.
deps:
	@if ! pkg-config --exists lmdb sqlite3 2>/dev/null; then \
		echo "installing $(APT_PACKAGES) with apt-get"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); \
	fi
	@if ! python3 -c 'import cryptography' 2>/dev/null && ! /usr/bin/python3 -c 'import cryptography' 2>/dev/null; then \
		echo "installing python3-cryptography with apt-get (tools/verify_bundle.py, which the tests run)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-cryptography; \
	fi
	@if ! command -v node >/dev/null 2>&1; then \
		echo "installing nodejs with apt-get (the tests run the web pages' script under node)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs; \
	fi

# The main job: play a realistic quarter on a fresh embedded ledger and show what it knows.
demo: deps
	$(SWIFT) build --product align
	./.build/debug/align demo $(DEMO_ARGS)

# The whole test suite. First the layering: a target that imports a module of this package it does not declare
# in Package.swift fails (tools/check-imports.py; SwiftPM's --explicit-target-dependency-import-check, kept on
# too, accepts indirect dependencies, so alone it would let the CLI import storage through the service).
test: deps
	python3 tools/check-imports.py
	$(SWIFT) build --build-tests --explicit-target-dependency-import-check error
	$(SWIFT) test --skip-build

# Installs a static release build of `align` in $(PREFIX)/bin (with sudo when that is not writable;
# PREFIX=~/.local needs no root).
PREFIX ?= /usr/local
install: deps
	$(SWIFT) build -c release --product align --static-swift-stdlib --scratch-path .build-static
	@bin="$(DESTDIR)$(PREFIX)/bin"; run=""; \
	{ mkdir -p "$$bin" 2>/dev/null && [ -w "$$bin" ]; } || run="$(SUDO)"; \
	$$run install -d "$$bin" && $$run install -m 0755 .build-static/release/align "$$bin/align" && \
	echo "installed $$bin/align: $$("$$bin/align" --version)"

# Benchmarks (release build, not part of the tests). BENCH_ARGS=--quick for a short run.
bench: deps
	$(SWIFT) build -c release --product align-bench --scratch-path .build-bench
	./.build-bench/release/align-bench $(BENCH_ARGS)

# Whole-command figures of the align CLI (sign-off latency, apply, rebuild, audit, scorecard, export).
# QUICK=1 for smaller ledgers.
bench-cli: deps
	tools/bench-cli.sh

clean:
	rm -rf .build .build-*
