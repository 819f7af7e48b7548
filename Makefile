# Two commands: `make run` and `make test` set everything up from scratch.
# Needs only make and a Python >= 3.12 (found automatically, or PYTHON=...).
SHELL := /bin/bash
VENV  := .venv
VPY   := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The first interpreter >= 3.12 among: $(PYTHON), python3.13, python3.12, python3,
# and pyenv's installed versions.
PYTHON ?=
FIND_PYTHON = for c in $(PYTHON) python3.13 python3.12 python3 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -r); do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$c; exit 0; fi; \
	done; exit 1

# The dashboard's browser code, served locally (no CDN): npm packages unpacked
# into $(ASSETS_DIR)/<name>@<version>/ for SOLARA_ASSETS_PROXY_CACHE_DIR.
ASSETS_DIR   := .solara-assets
ASSETS_STAMP := $(ASSETS_DIR)/.installed
ASSETS := @widgetti/solara-vuetify-app@10.1.1 requirejs@2.3.6 font-awesome@4.5.0 \
          @widgetti/vue-grid-layout@2.3.13-alpha.2 vega@5 vega-lite@5 vega-embed@6
DASHBOARD_PORT ?= 8765
# A session whose tab has gone without a goodbye (browser killed, laptop asleep,
# network lost) is culled after SOLARA_KERNEL_CULL_TIMEOUT (Solara's default: 24h,
# about 30 MB a session kept): 2 minutes lets a tab that comes back find its
# lesson as it left it. Override it from the environment, e.g. =10m.
DASHBOARD_ENV := SOLARA_ASSETS_PROXY_CACHE_DIR=$(abspath $(ASSETS_DIR)) SOLARA_TELEMETRY_MIXPANEL_ENABLE=False \
                 SOLARA_KERNEL_CULL_TIMEOUT=$${SOLARA_KERNEL_CULL_TIMEOUT:-2m}

.PHONY: setup run test test-fast lint bench maps dashboard browser clean

$(STAMP): pyproject.toml
	@py=$$($(FIND_PYTHON)) || { echo "error: no Python >= 3.12 found (tried PYTHON='$(PYTHON)', python3.13, python3.12, python3, ~/.pyenv/versions/3.12+). Install one or pass PYTHON=/path/to/python3.12." >&2; exit 1; }; \
	  echo "using $$py ($$($$py --version))"; \
	  [ -x $(VPY) ] || $$py -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The engine's rules compiled ahead into numba's cache (beside the sources, in
# __pycache__; about 40 s on a fresh machine), so that no run, worker process or
# test compiles them; again after a change to the code they come from.
COMPILED := $(VENV)/.compiled
RULE_SOURCES := $(shell find sim agents strategies experiments/running/precompile.py benchmarks/reference.py -name '*.py' 2>/dev/null)
$(COMPILED): $(STAMP) $(RULE_SOURCES)
	$(VPY) -m experiments.running.precompile
	$(VPY) -m benchmarks.reference
	@touch $@

setup: $(STAMP) $(COMPILED)

$(ASSETS_STAMP): Makefile
	@command -v npm >/dev/null || { echo "error: npm not found; the dashboard's browser code comes from the npm registry (apt-get install npm)" >&2; exit 1; }
	@rm -rf $(ASSETS_DIR) && mkdir -p $(ASSETS_DIR)
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && for spec in $(ASSETS); do \
	  tgz=$$(cd $$tmp && npm pack --silent "$$spec" 2>/dev/null | tail -n 1) || { echo "error: npm pack $$spec failed" >&2; exit 1; }; \
	  mkdir -p "$(ASSETS_DIR)/$$spec" && tar -xzf "$$tmp/$$tgz" --strip-components=1 -C "$(ASSETS_DIR)/$$spec"; \
	done
	@touch $@
	@echo "dashboard assets in $(ASSETS_DIR)"

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@command -v chromium >/dev/null || { echo "error: chromium is missing and could not be installed (apt-get install chromium as root)" >&2; exit 1; }

# The trainer's dashboard on http://127.0.0.1:$(DASHBOARD_PORT) (works offline; closed
# sessions culled after SOLARA_KERNEL_CULL_TIMEOUT, see DASHBOARD_ENV).
dashboard: $(COMPILED) $(ASSETS_STAMP)
	$(DASHBOARD_ENV) $(VENV)/bin/solara run experiments.classroom.dashboard --host 127.0.0.1 --port $(DASHBOARD_PORT) --production

# The default experiment (conf/experiment/default.yaml); pass Hydra overrides
# with ARGS, e.g. make run ARGS="experiment=price_war experiment.replications=5".
run: $(COMPILED)
	$(VENV)/bin/loyalty-sim $(ARGS)

# The tests, on TEST_WORKERS processes (pytest-xdist; a test file stays on one
# process, so its shared setup runs once), with a progress line every few tests:
# count, time elapsed, time left (tests/conftest.py), and the 15 slowest at the end.
# `make test-fast` runs the tests not marked slow (under a minute; no dashboard
# assets, no chromium); `make test` runs them, then the slow ones (the statistical
# claims, the engine against its reference, whole markets per strategy, the sweeps,
# the apps end to end and the browser tests), and stops at the first stage that fails.
# The fast stage executes the example notebooks of docs/examples/ (nbmake, pyproject.toml).
TEST_WORKERS ?= 2
PYTEST := $(VPY) -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

test: test-fast $(ASSETS_STAMP) browser
	$(DASHBOARD_ENV) $(PYTEST) -m slow $(ARGS)

test-fast: $(COMPILED)
	$(PYTEST) -m "not slow" $(ARGS)

# ruff's lint rules and formatter check (pyproject.toml [tool.ruff]) on the code, the tests and the example notebooks,
# the layers (import-linter's contracts, [tool.importlinter]) and the types (mypy, strict on sim, agents, strategies);
# CI runs it before the tests (.ci/run), and .pre-commit-config.yaml before each commit.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: $(COMPILED)
	$(VPY) -m benchmarks.engine

# The named strategy maps of conf/map/ (loyalty-sim-map), each written to
# docs/maps/<name>/, and their index docs/maps.md; MAPS="a b" runs only those.
MAPS ?= $(sort $(basename $(notdir $(wildcard conf/map/*.yaml))))
maps: $(COMPILED)
	@for m in $(MAPS); do \
	  echo "map $$m"; \
	  $(VENV)/bin/loyalty-sim-map map=$$m map.progress=false hydra.run.dir=docs/maps/$$m \
	    hydra.output_subdir=null hydra/job_logging=disabled hydra/hydra_logging=disabled || exit 1; \
	done
	$(VPY) -m experiments.analysis.map_index

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache $(ASSETS_DIR)
