# The two commands: `make run` serves the API on SQLite with demo data; `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest test-postgres contracts mutation lock schemathesis bench bench-search bench-import bench-lookup bench-load bench-hot bench-match clean messages language

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the lock files, hashes checked, so every install runs the versions CI passed.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(VENV)/.installed $@

# Refreshes both lock files from pyproject.toml (newest versions its ranges allow), for Python
# 3.11+ on any platform; the runtime lock is held to the versions of the development one.
UV_VERSION := 0.13.8
lock: | $(BIN)/python
	$(BIN)/pip install --quiet 'uv==$(UV_VERSION)'
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --upgrade --quiet -o requirements-dev.lock
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
		--generate-hashes --quiet -c requirements-dev.lock -o requirements.lock

# Any PORT or HOST works: the links the service writes follow the address each request reached.
run: $(VENV)/.installed
	$(BIN)/claimreview migrate
	$(BIN)/claimreview demo
	@echo "Serving http://$(HOST):$(PORT)/ (API documentation at /docs and /redoc)"
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

# Mutation testing of the modules listed under [tool.mutmut] in pyproject.toml (docs/mutation.md).
# MUTATE narrows a run to some mutants, e.g. MUTATE='app.domain.keys*'.
mutation: $(VENV)/.installed-dev
	rm -rf mutants
	HYPOTHESIS_PROFILE=mutation $(BIN)/mutmut run $(MUTATE)
	$(BIN)/mutmut results --all true > mutants/results.txt || true
	$(BIN)/python -m tests.mutation_scores mutants/results.txt

# Schemathesis from openapi.yaml against a live server, on SQLite, and on PostgreSQL too when
# SCHEMATHESIS_POSTGRES_URL names a test database (its public schema is recreated).
schemathesis: $(VENV)/.installed-dev
	bash tests/schemathesis/run.sh

# The web app's strings: extract them (see babel.cfg) into messages.pot and update every language's
# messages.po (then translate the new entries). `make language NEW=de` starts a new language.
LOCALES := app/locales
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k Message --no-location --sort-output --omit-header \
		-o $(LOCALES)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --width 100 --ignore-obsolete

language: messages
	$(BIN)/pybabel init -i $(LOCALES)/messages.pot -d $(LOCALES) -l $(NEW) --width 100

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

# Claim matching: CLEF 2020 CheckThat! Task 2 quality, and POST /v1/match speed on both engines.
bench-match: $(VENV)/.installed-dev
	$(BIN)/python -m bench.match

clean:
	rm -rf $(VENV) mutants .mypy_cache .ruff_cache .pytest_cache claimreview.db*
