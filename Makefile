# The two commands: `make run` serves the API on SQLite with demo data; `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest test-postgres contracts schemathesis bench bench-search bench-import bench-lookup bench-load bench-hot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/claimreview migrate
	$(BIN)/claimreview demo
	$(BIN)/claimreview serve --host $(HOST) --port $(PORT)

test: lint typecheck pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy app

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest

# The same suite on PostgreSQL (the server must be running; .ci/run starts it).
test-postgres: $(VENV)/.installed-dev
	CLAIMREVIEW_TEST_DATABASE_URL=$${CLAIMREVIEW_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/pytest

$(VENV)/.installed-contract: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,contract]'
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

# Schemathesis from openapi.yaml against a live server, on SQLite, and on PostgreSQL too when
# SCHEMATHESIS_POSTGRES_URL names a test database (its public schema is recreated).
schemathesis: $(VENV)/.installed-contract
	bash tests/schemathesis/run.sh

contracts: $(VENV)/.installed-dev
	$(BIN)/python -m app.tools.contracts

# Benchmarks (not part of `make test`); each prints its figures, see bench/README.md.
# Options pass through ARGS, e.g. `make bench-hot ARGS="--seconds 3 --no-cache"`.
WRK := @command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

bench: $(VENV)/.installed-dev
	$(WRK)
	$(BIN)/python -m bench.read $(ARGS)

bench-search: $(VENV)/.installed-dev
	$(BIN)/python -m bench.search $(ARGS)

bench-import: $(VENV)/.installed-dev
	$(BIN)/python -m bench.imports $(ARGS)

bench-lookup: $(VENV)/.installed-dev
	$(WRK)
	$(BIN)/python -m bench.lookup $(ARGS)

bench-load: $(VENV)/.installed-dev
	$(WRK)
	$(BIN)/python -m bench.load $(ARGS)

bench-hot: $(VENV)/.installed-dev
	$(WRK)
	$(BIN)/python -m bench.hot $(ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache claimreview.db*
