# Expo — the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat .python-version)
# Prefer the interpreter named by .python-version (pyenv), else any python3.13 on PATH.
BOOTSTRAP_PYTHON ?= $(shell (pyenv which python 2>/dev/null || command -v python3.13) | head -n1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test lint format browser fuzz bench migrate seed worker serve-prod clean

help:
	@echo "make run    – install, migrate, load demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test   – install, lint, run the whole test suite (PostgreSQL if reachable, else SQLite)"
	@echo "make bench  – performance figures (see docs/benchmarks.md)"
	@echo "make lint   – ruff and mypy only"
	@echo "make serve-prod – gunicorn + Celery worker + beat with production settings, local PostgreSQL/Redis"

$(STAMP): pyproject.toml .python-version
	@test -n "$(BOOTSTRAP_PYTHON)" || { echo "Python 3.13 not found: install it (pyenv install 3.13.0)"; exit 1; }
	@test -x $(PYTHON) || $(BOOTSTRAP_PYTHON) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PYTHON) manage.py migrate --noinput

seed: migrate
	$(PYTHON) manage.py seed_demo

run: seed
	$(PYTHON) manage.py runserver $(HOST):$(PORT)

lint: install
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy

format: install
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

# The test database: $DATABASE_URL if set (CI sets it), else the local PostgreSQL when it
# answers, else SQLite. pytest's own exit code is passed through: 5 (no tests) fails too.
# Two xdist workers for the two cores; tests that share Redis run in one worker (loadgroup).
test: lint browser
	@export DATABASE_URL="$$($(PYTHON) bin/test_database_url)"; \
	echo "Testing against $${DATABASE_URL%%@*}…"; \
	$(PYTHON) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium (no browser download); install it when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
	    || echo "Could not install chromium: browser tests will be skipped."; }

bench: install
	@$(PYTHON) -c "import fairlearn" 2>/dev/null || $(PYTHON) -m pip install --quiet --disable-pip-version-check -e ".[dev,bench]"
	$(PYTHON) bench/run.py $(BENCH_ARGS)

# Property-based fuzzing of the API from its OpenAPI schema (schemathesis); 0 server errors.
fuzz: install
	@export DATABASE_URL="$$($(PYTHON) bin/test_database_url)"; \
	EXPO_FUZZ_RANDOM=1 EXPO_FUZZ_EXAMPLES=$${EXPO_FUZZ_EXAMPLES:-100} $(PYTHON) -m pytest tests/security/test_api_fuzz.py -q -s -p no:cacheprovider

serve-prod: install
	bin/serve-prod

worker: install
	$(VENV)/bin/celery -A expo worker --loglevel=INFO --concurrency=2

clean:
	rm -rf $(VENV) db.sqlite3 var .pytest_cache .mypy_cache .ruff_cache
