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

.PHONY: setup run test bench clean

$(STAMP): pyproject.toml
	@py=$$($(FIND_PYTHON)) || { echo "error: no Python >= 3.12 found (tried PYTHON='$(PYTHON)', python3.13, python3.12, python3, ~/.pyenv/versions/3.12+). Install one or pass PYTHON=/path/to/python3.12." >&2; exit 1; }; \
	  echo "using $$py ($$($$py --version))"; \
	  [ -x $(VPY) ] || $$py -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

# The default experiment (conf/experiment/default.yaml); pass Hydra overrides
# with ARGS, e.g. make run ARGS="experiment=price_war experiment.replications=5".
run: $(STAMP)
	$(VENV)/bin/loyalty-sim $(ARGS)

test: $(STAMP)
	$(VPY) -m pytest -q

bench: $(STAMP)
	$(VPY) -m experiments.benchmark

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
