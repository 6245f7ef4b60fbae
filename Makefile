# Two entry points that work on a fresh machine with only Python 3.11+:
#   make demo   creates .venv, installs advisor and its plugins, runs a real example
#   make test   creates .venv with the test extras, type-checks (mypy, strict; pyproject.toml), runs the whole suite
# Installs are real (not editable): the tests exercise the installed wheel, price tables included.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
PLUGINS := $(patsubst %/pyproject.toml,./%,$(wildcard plugins/*/pyproject.toml))

.PHONY: demo test test-browser test-local-training lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "advisor needs Python 3.11 or newer; run make with PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

demo: $(BIN)/python
	$(PIP) install . $(PLUGINS)
	$(BIN)/advisor recommend examples/invoice-extraction/scenario.toml

test: $(BIN)/python
	$(PIP) install ".[test]" $(PLUGINS)
	$(BIN)/mypy
	$(BIN)/python -m pytest

# `advisor serve` in a real browser: Debian's Chromium driven by Playwright (no browser download), installed
# first when missing and run as root; `make test` runs the same tests when Chromium is there, else skips them.
test-browser: $(BIN)/python
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && (apt-get install -y chromium || (apt-get update && apt-get install -y chromium)); } || \
	  { echo "make test-browser needs Chromium: run as root, or apt-get install chromium"; exit 1; }
	$(PIP) install ".[test]" $(PLUGINS)
	$(BIN)/python -m pytest tests/test_web_browser.py tests/test_web.py

# Real tiny SFT, DPO and GRPO runs on CPU with the local plugin's [train] extra (torch from PyPI is the
# CUDA build, gigabytes), in a virtualenv of their own; plain `make test` skips them (docs/providers/local.md).
TRAIN_VENV := .venv-train
test-local-training:
	$(PYTHON) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip --disable-pip-version-check --quiet install ".[test]" "./plugins/advisor-local[train]"
	ADVISOR_TEST_LOCAL_TRAINING=1 $(TRAIN_VENV)/bin/python -m pytest -p no:cacheprovider -s tests/test_local_training.py

lint: $(BIN)/python
	$(PIP) install ".[test]"
	$(BIN)/ruff check src tests benchmarks plugins

bench: $(BIN)/python
	$(PIP) install . $(PLUGINS)
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/dataset_check.py
	$(BIN)/python benchmarks/costs.py
	$(PIP) install ".[web]" httpx
	$(BIN)/python benchmarks/web_whatif.py

clean:
	rm -rf $(VENV) $(TRAIN_VENV) build dist .pytest_cache .hypothesis .ruff_cache
