# The Exchange: `make run` serves the demo, `make test` runs every test. Both work on a machine with only Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test db lint bench bench-pages evaluate clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

db: install
	$(FLASK) db upgrade
	$(FLASK) seed reference
	$(FLASK) seed demo --if-empty

run: db
	@echo "Serving the Exchange on http://$(HOST):$(PORT) (Ctrl+C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-test
	@if [ -x /usr/bin/chromium ]; then echo "Browser tests: using /usr/bin/chromium"; \
	else echo "Browser tests: SKIPPED — /usr/bin/chromium is missing (apt-get install -y chromium)"; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo

bench: install
	$(BIN)/python benchmarks/matching_bench.py

bench-pages: install
	$(BIN)/python benchmarks/pages_bench.py

evaluate: install
	$(FLASK) matching evaluate

clean:
	rm -rf $(VENV) build *.egg-info
