# Two commands do everything: `make serve` and `make test`. Each target sets up
# what it needs; the environment is reinstalled only when the lock file changes.

PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium
SERVE_ADDR ?= 127.0.0.1:8000

.PHONY: help setup engines serve build dist test test-fast lint-kb lint-code pytest browser-deps lock bench clean

# The unit tier: the linter's example files, the CLI, the shared owners (HTML
# allowlist, names, URL space, limits) and the content checks, in well under 30 s.
FAST_TESTS := tests/test_policy.py tests/test_lint_fixtures.py tests/test_cli.py \
	tests/test_bounded.py tests/test_content.py

help:
	@echo "make serve   set up, build and serve the site on http://127.0.0.1:8000"
	@echo "             (ENGINE=properdocs or ENGINE=zensical to serve with another engine)"
	@echo "make test    set up, lint the knowledge base and the code, run every test"
	@echo "make test-fast  lint the knowledge base and run the unit tier (seconds)"
	@echo "make build   build the static site into site/ (strict)"
	@echo "make lock    refresh requirements.lock from pyproject.toml"
	@echo "make bench   run the benchmarks (minutes; BENCH_ARGS='--large' for N=10,000)"

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# Other engines, each in its own pinned environment (ProperDocs takes over MkDocs'
# imports; Zensical brings its own Markdown stack), with conceptkb installed from here.
ENGINE ?= mkdocs
ENGINE_LOCK = tests/engines/$(1).lock
.venv-%/.installed-stamp: tests/engines/%.lock pyproject.toml
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --upgrade pip
	.venv-$*/bin/python -m pip install --quiet -r tests/engines/$*.lock
	.venv-$*/bin/python -m pip install --quiet --no-deps -e .
	touch $@

engines: .venv-properdocs/.installed-stamp .venv-zensical/.installed-stamp

serve: $(STAMP)
ifeq ($(ENGINE),properdocs)
serve: .venv-properdocs/.installed-stamp
	.venv-properdocs/bin/properdocs serve --dirty --dev-addr $(SERVE_ADDR)
else ifeq ($(ENGINE),zensical)
# Zensical runs no MkDocs plugin: it builds the tree `conceptkb generate` writes, and
# `generate --watch` rewrites what each edit changes while Zensical serves it.
serve: .venv-zensical/.installed-stamp
	.venv-zensical/bin/conceptkb generate --preview
	.venv-zensical/bin/conceptkb generate --preview --watch & watcher=$$!; \
	trap 'kill $$watcher 2>/dev/null' EXIT INT TERM; \
	.venv-zensical/bin/zensical serve -f mkdocs.generated.yml --dev-addr $(SERVE_ADDR)
else ifeq ($(ENGINE),mkdocs)
	$(BIN)/mkdocs serve --dirty --dev-addr $(SERVE_ADDR)
else
	@echo "ENGINE=$(ENGINE): the engines are mkdocs (default), properdocs and zensical"; exit 2
endif

build: $(STAMP)
	$(BIN)/mkdocs build --strict

# The release artefacts, built and checked as the publish workflow does.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist . >/dev/null
	$(BIN)/twine check --strict dist/*

lint-kb: $(STAMP)
	$(BIN)/conceptkb lint

lint-code: $(STAMP)
	$(BIN)/ruff check plugin tests benchmarks
	$(BIN)/ruff format --check plugin tests benchmarks
	$(BIN)/mypy

# axe-core, the accessibility rules the browser tests run inside each page: pinned with
# its integrity in tests/browser/package-lock.json and installed by `npm ci` (which checks
# that integrity) into tests/browser/node_modules/, which git ignores.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "installing npm (Debian package)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else \
	    echo "npm is missing: install Debian's 'npm' package (sudo apt-get install npm)"; exit 1; \
	  fi; \
	fi
	npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The browser tests drive Debian's Chromium; install it when it is missing and we may.
browser-deps: $(AXE)
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium (Debian package)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "chromium is missing: install Debian's 'chromium' package (sudo apt-get install chromium)"; exit 1; \
	  fi; \
	fi

pytest: $(STAMP) browser-deps engines
	$(BIN)/pytest

test: lint-kb lint-code pytest

test-fast: lint-kb $(STAMP)
	$(BIN)/pytest -q $(FAST_TESTS)

lock: $(STAMP)
	$(BIN)/pip-compile --quiet --extra dev --extra mkdocs --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/hostile.py --docs
	$(BIN)/python benchmarks/changed.py --docs
	$(MAKE) engines
	$(BIN)/python benchmarks/engines.py --docs
	$(BIN)/python benchmarks/reload.py --docs

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache
