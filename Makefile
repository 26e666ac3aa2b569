# Everything a fresh machine needs is installed by these targets (Python 3.11+, make, a C compiler
# are expected; PostgreSQL only for the tests). `make run` and `make test` are the README's first commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Two pytest workers: most of the suite's time is waiting on Spark, Prefect and PostgreSQL
# processes, so two workers on two cores cut it from ~24 to ~18 minutes when measured (the suite has
# grown since: ~28 minutes in CI, 2026-12).
PYTEST_WORKERS ?= 2

.PHONY: setup lock airflow-setup airflow-lock run test test-fast lint typecheck format docs golden bench bench-e2e clean help

help:
	@echo "make run        run the ETL end to end on the demo dataset into data/warehouse.duckdb"
	@echo "make test       the whole test suite, fast tier first (needs PostgreSQL, Java, Chromium)"
	@echo "make test-fast  the fast tier only: no server, no JVM, no browser (about three minutes)"
	@echo "make lint       ruff, ruff format --check, mypy (make format applies the formatter)"
	@echo "make docs       regenerate docs/cli.md and music-analytics.example.ini from the code"
	@echo "make golden     regenerate the golden SQL files (review with git diff tests/golden)"
	@echo "make bench      stage-by-stage benchmark (BENCH_EVENTS=5000000 by default)"
	@echo "make bench-e2e  the real run (flows/main.py, gates on) against a bare DuckDB script (E2E_EVENTS=1000000)"
	@echo "make setup      create $(VENV) from uv.lock with the dev tools"
	@echo "make lock       re-resolve uv.lock after a dependency change (UPGRADE=1: newest allowed)"
	@echo "make airflow-setup  create $(AIRFLOW_VENV) (Apache Airflow 3 + the library) from airflow/requirements.lock"
	@echo "make airflow-lock   re-resolve airflow/requirements.lock (after make lock or an airflow/requirements.in change)"

# The environment is installed from uv.lock (every package pinned, for every supported Python and
# platform), never resolved afresh: a new release of any of ~170 dependencies cannot break a fresh
# install. --locked fails when pyproject.toml changed without `make lock`. pip only bootstraps uv:
# -qq shows its errors, not warnings about a machine's own pip configuration.
UV_VERSION ?= 0.13.9
$(STAMP): pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --disable-pip-version-check 'uv==$(UV_VERSION)'
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --quiet --locked --extra dev --python $(BIN)/python
	touch $(STAMP)

setup: $(STAMP)

# Re-resolve uv.lock after a dependency change in pyproject.toml (the other pins stay), or move
# every pin to the newest allowed release: make lock UPGRADE=1. Then run make test and commit it.
lock:
	test -x $(BIN)/uv || (test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); $(BIN)/python -m pip install -qq 'uv==$(UV_VERSION)')
	$(BIN)/uv lock $(if $(UPGRADE),--upgrade,)

# Airflow cannot share the Prefect environment (fastapi pins: see airflow/requirements.in): its own
# venv, installed from a hashed lock, the library on top without its dependencies (Prefect).
AIRFLOW_VENV ?= .venv-airflow
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed
$(AIRFLOW_STAMP): airflow/requirements.lock pyproject.toml $(STAMP)
	test -x $(AIRFLOW_VENV)/bin/python || $(PYTHON) -m venv $(AIRFLOW_VENV)
	$(BIN)/uv pip sync --quiet --require-hashes --python $(AIRFLOW_VENV)/bin/python airflow/requirements.lock
	$(BIN)/uv pip install --quiet --no-deps --python $(AIRFLOW_VENV)/bin/python -e .
	touch $(AIRFLOW_STAMP)

airflow-setup: $(AIRFLOW_STAMP)

# The packages both environments have stay at uv.lock's versions: uv.lock (minus Prefect and the
# fastapi it pins) is the resolution's constraint file.
airflow-lock: $(STAMP)
	$(BIN)/uv export --quiet --frozen --no-hashes --no-emit-project --all-extras --no-header --no-annotate \
		| grep -vE '^\s*#|^(prefect|fastapi)' > $(AIRFLOW_VENV).constraints
	$(BIN)/uv pip compile --quiet airflow/requirements.in --universal --python-version 3.11 --generate-hashes \
		--no-header --no-annotate -c $(AIRFLOW_VENV).constraints -o airflow/requirements.lock
	rm -f $(AIRFLOW_VENV).constraints

run: $(STAMP)
	$(BIN)/python flows/main.py $(ARGS)

# The fast tier: no server, no JVM, no browser, no quality gates, no large data (markers from
# tests/conftest.py).
FAST := not (postgres or prefect or spark or browser or s3 or airflow or gates or slow)
PYTEST := CI=$${CI:-} $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(PYTEST) -m "$(FAST)"

# The whole suite, fast tier first: a broken change fails in a minute or two, before the services start.
test: $(STAMP) $(AIRFLOW_STAMP)
	$(PYTEST) -m "$(FAST)" -x
	$(PYTEST) -m "not ($(FAST))"

docs: $(STAMP)
	$(BIN)/python -m music_analytics.clidoc > docs/cli.md
	$(BIN)/python -c "from music_analytics.config import example_ini; print(example_ini(), end='')" > music-analytics.example.ini

# Regenerate the golden files (generated SQL pinned for review), then look at `git diff tests/golden`.
golden: $(STAMP)
	MA_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q -p no:cacheprovider -m "$(FAST)" tests/test_parse.py tests/test_catalogue.py \
		tests/test_redshift.py tests/test_insights_sql.py

# mypy cannot follow setuptools' editable-install finder, which maps flows/ and tasks/ to their
# installed names: symlinks under .mypy-path give it the same mapping.
MYPY_PATH := .mypy-path
PY_SOURCES := music_analytics flows tasks tests bench deployments airflow
lint: $(STAMP) typecheck
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)

typecheck: $(STAMP)
	@mkdir -p $(MYPY_PATH) && for p in flows tasks; do ln -sfn ../$$p $(MYPY_PATH)/music_analytics_$$p; done
	MYPYPATH=$(MYPY_PATH) $(BIN)/mypy -p music_analytics -p music_analytics_flows -p music_analytics_tasks

# Apply the formatter and the linter's safe fixes (what the pre-commit hooks do to staged files).
format: $(STAMP)
	$(BIN)/ruff format $(PY_SOURCES)
	$(BIN)/ruff check --fix $(PY_SOURCES)

BENCH_EVENTS ?= 5000000
bench: $(STAMP)
	$(BIN)/python bench/bench_pipeline.py --events $(BENCH_EVENTS)

E2E_EVENTS ?= 1000000
bench-e2e: $(STAMP)
	$(BIN)/python bench/bench_e2e.py --events $(E2E_EVENTS)

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
