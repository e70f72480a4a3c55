# satuatap: the two commands are `make run` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
SATUATAP := $(BIN)/satuatap
HOST   ?= 127.0.0.1:8000
PYTEST_WORKERS ?= 2

.PHONY: run test test-pg lint install install-test bench bench-instructions bench-queue bench-cards bench-dashboard bench-crash fuzz serve worker messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

messages: install
	$(SATUATAP) compile-messages

## make run: install, migrate SQLite, load reference + demo data, serve on http://$(HOST)
run: install messages
	$(SATUATAP) migrate --noinput
	$(SATUATAP) load-reference
	$(SATUATAP) load_placement_reference
	$(SATUATAP) load_crisis_rules
	$(SATUATAP) demo --no-logins
	$(SATUATAP) cards-demo
	$(SATUATAP) queue-demo
	$(SATUATAP) monitoring-rollup --no-progress
	$(SATUATAP) classify-offices
	$(SATUATAP) classify-offices --month $$(date +%Y-%m)  # the demo's own month, so the pages show classes
	$(SATUATAP) demo --logins
	$(SATUATAP) serve $(HOST)

serve: install
	$(SATUATAP) serve $(HOST)

## background work: the task queue (notifications), plus what cron should run
worker: install
	$(SATUATAP) db_worker

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

## make test: lint, import contracts, then the whole suite (SQLite unless DATABASE_URL is set)
test: install-test messages lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

## the suite against PostgreSQL (used by .ci/run)
test-pg: install-test messages
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

bench: install-test
	$(BIN)/python bench/step_throughput.py

## interpreter instructions per transition, both sides, under valgrind (after `make bench` made the data)
bench-instructions: install-test
	$(BIN)/python bench/transition_instructions.py

bench-queue: install-test
	$(BIN)/python bench/queue.py

bench-cards: install-test
	$(BIN)/python bench/card_verify.py

bench-dashboard: install-test
	$(BIN)/python bench/national_data.py
	$(BIN)/python bench/dashboard.py

bench-crash: install-test
	$(BIN)/python bench/crash.py

## a longer hostile-input run over the whole OpenAPI (make test runs a bounded one)
fuzz: install-test messages
	SATUATAP_FUZZ_EXAMPLES=$${SATUATAP_FUZZ_EXAMPLES:-200} $(BIN)/pytest tests/config -k fuzz -p no:cacheprovider

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
