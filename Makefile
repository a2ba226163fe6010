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
	@echo "make bench  – Messungen (Importdauer) mit Zielwerten, schreibt bench/results.json"

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(DB_FILE): | $(VENV)/.runtime
	$(PY) -m planning demo

demo: $(VENV)/.runtime
	$(PY) -m planning demo --force

run: $(VENV)/.runtime $(DB_FILE)
	bash scripts/ensure-system-deps.sh --runtime
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

system-deps:
	bash scripts/ensure-system-deps.sh

test: $(VENV)/.dev system-deps
	$(PY) -m pytest

e2e: $(VENV)/.dev system-deps
	$(PY) -m pytest -m e2e

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy planning geodata

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(VENV)/.dev
	$(PY) bench/run.py

docs: $(VENV)/.runtime
	$(PY) -m planning.imports.guide
	$(PY) -m planning.parameters

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache tests/artifacts
