# The Exchange: `make run` serves the demo, `make test` runs every test. Both work on a machine with only Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test db lint bench bench-pages evaluate clean translations catalogues

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

# The translation catalogues (exchange/**/translations/*/LC_MESSAGES/messages.po) compiled to .mo, again
# whenever a .po changes: part of every install, never done at run time.
PO_FILES := $(shell find exchange -path '*/translations/*/LC_MESSAGES/messages.po' 2>/dev/null)
$(VENV)/.translations: $(VENV)/.installed $(PO_FILES)
	$(BIN)/python -m exchange.core.catalogues compile
	touch $@

translations: $(VENV)/.translations

# After changing texts in the code: extract them and add the new ones, untranslated, to every catalogue.
catalogues: install
	$(BIN)/python -m exchange.core.catalogues update
	$(BIN)/python -m exchange.core.catalogues check || true

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed $(VENV)/.translations
install-test: $(VENV)/.installed-test $(VENV)/.translations

db: install
	$(FLASK) db upgrade
	$(FLASK) seed reference
	$(FLASK) seed demo --if-empty

# The web server and a job worker (with the scheduler: reminders, digests) in one process, the queue in
# instance/jobs.sqlite3: the production layout (README) runs them apart, on Redis.
run: db
	@echo "Serving the Exchange on http://$(HOST):$(PORT) with a job worker (Ctrl+C to stop)"
	$(FLASK) serve --host $(HOST) --port $(PORT)

test: install-test
	@if [ -x /usr/bin/chromium ]; then echo "Browser tests: using /usr/bin/chromium"; \
	else echo "Browser tests: SKIPPED — /usr/bin/chromium is missing (apt-get install -y chromium)"; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo

bench: install
	$(BIN)/python benchmarks/matching_bench.py

# BENCH_PAGES_ARGS, e.g. "--engine both --database-url postgresql+psycopg://…" or "--quick"
bench-pages: install
	$(BIN)/python benchmarks/pages_bench.py $(BENCH_PAGES_ARGS)

evaluate: install
	$(FLASK) matching evaluate

clean:
	rm -rf $(VENV) build *.egg-info
