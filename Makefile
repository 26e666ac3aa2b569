# Everything a fresh machine needs is installed by these targets (Python 3.11+, make, a C compiler
# are expected; PostgreSQL only for the tests). `make run` and `make test` are the README's first commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Two pytest workers: most of the suite's time is waiting on Spark, Prefect and PostgreSQL
# processes, so two workers on two cores cut it from ~24 to ~16 minutes.
PYTEST_WORKERS ?= 2

.PHONY: setup run test lint bench clean help

help:
	@echo "make run     run the ETL end to end on the demo dataset into data/warehouse.duckdb"
	@echo "make test    run the test suite (needs PostgreSQL on 127.0.0.1:5432)"
	@echo "make lint    ruff + mypy"
	@echo "make bench   stage-by-stage benchmark (BENCH_EVENTS=5000000 by default)"
	@echo "make setup   create $(VENV) and install the project with its dev tools"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/python flows/main.py $(ARGS)

test: $(STAMP)
	CI=$${CI:-} $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# mypy cannot follow setuptools' editable-install finder, which maps flows/ and tasks/ to their
# installed names: symlinks under .mypy-path give it the same mapping.
MYPY_PATH := .mypy-path
lint: $(STAMP)
	$(BIN)/ruff check music_analytics flows tasks tests bench
	@mkdir -p $(MYPY_PATH) && for p in flows tasks; do ln -sfn ../$$p $(MYPY_PATH)/music_analytics_$$p; done
	MYPYPATH=$(MYPY_PATH) $(BIN)/mypy -p music_analytics -p music_analytics_flows -p music_analytics_tasks

BENCH_EVENTS ?= 5000000
bench: $(STAMP)
	$(BIN)/python bench/bench_pipeline.py --events $(BENCH_EVENTS)

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
