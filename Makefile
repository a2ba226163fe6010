# Planungsatlas — two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Only this computer by default; a shared server sets ADDRESS=0.0.0.0 (see issue on sign-in and roles).
ADDRESS ?= localhost
DB_FILE := $(or $(PLANUNGSATLAS_DATA_DIR),data)/planungsatlas.db

.PHONY: run test e2e lint format bench demo docs system-deps clean help

help:
	@echo "make run    – venv anlegen, installieren, Demo-Datenbank bauen (falls fehlend), App starten"
	@echo "make test   – alle Tests (Unit, Golden, AppTest, Ende-zu-Ende in Chromium)"
	@echo "make e2e    – nur die Browser-Tests"
	@echo "make lint   – ruff und mypy"
	@echo "make demo   – Demo-Datenbank neu bauen"
	@echo "make bench  – Messungen (Import, Prognose, Seiten, Karte im Browser, 20 Sitzungen) mit Zielwerten, schreibt bench/results.json"

# Packages come through uv (parallel downloads: about 2 instead of 20 minutes on a slow line); where
# uv cannot reach the index (a pip-only mirror set in pip.conf, say), pip installs the same pins.
UV_VERSION := 0.13.9
define pip_install
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -r $(1) || $(PY) -m pip install --quiet -r $(1)
endef

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet uv==$(UV_VERSION) || true
	$(call pip_install,requirements.txt)
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(call pip_install,requirements-dev.txt)
	touch $@

$(DB_FILE): | $(VENV)/.runtime
	$(PY) -m planning demo

demo: $(VENV)/.runtime
	$(PY) -m planning demo --force

run: $(VENV)/.runtime $(DB_FILE)
	bash scripts/ensure-system-deps.sh --runtime
	$(VENV)/bin/streamlit run serve.py --server.port $(PORT) --server.address $(ADDRESS)

system-deps:
	bash scripts/ensure-system-deps.sh

# Python packages and Debian packages are fetched side by side (both mostly wait on the network).
# Tests run on TEST_WORKERS processes (pytest-xdist); the browser tests stay together on one (tests/conftest.py).
TEST_WORKERS ?= 2

test:
	$(MAKE) --no-print-directory -j2 $(VENV)/.dev system-deps
	$(PY) -m pytest -n $(TEST_WORKERS) --durations=30

e2e: $(VENV)/.dev system-deps
	$(PY) -m pytest -m e2e

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy planning geodata

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(VENV)/.dev system-deps
	$(PY) bench/run.py

docs: $(VENV)/.runtime
	$(PY) -m planning.imports.guide
	$(PY) -m planning.parameters

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache tests/artifacts
