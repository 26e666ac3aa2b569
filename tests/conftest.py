"""Shared fixtures: the real Sparkify sample, fresh PostgreSQL databases, isolated Prefect home.

Anything a test needs that is absent fails loudly under CI=true and skips only on a developer's
machine, so a green CI never hides a skipped test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest

from music_analytics.config import Config, load_config

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_HOST = os.environ.get("MA_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("MA_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("MA_TEST_PG_USER", "postgres")


def need(condition: bool, what: str) -> None:
    """Skip locally, fail in CI, when a real component the test needs is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required for this test but missing in CI: {what}")
    pytest.skip(f"missing: {what}")


def sample_path() -> Path:
    env = os.environ.get("SPARKIFY_SAMPLE")
    return Path(env) if env else REPO.parent / "shared" / "data" / "sparkify-sample"


@pytest.fixture(scope="session")
def sample() -> Path:
    path = sample_path()
    need((path / "log_data").is_dir() and (path / "song_data").is_dir(), f"the Sparkify sample at {path}")
    return path


def _pg_admin() -> psycopg2.extensions.connection:
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=5)
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def pg_available() -> bool:
    try:
        _pg_admin().close()
        return True
    except psycopg2.Error:
        return False


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped on exit."""
    name = f"ma_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    try:
        yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin = _pg_admin()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def pg_url(pg_available: bool) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    need(pg_available, f"PostgreSQL on {PG_HOST}:{PG_PORT}")
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
def duckdb_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def make_config(tmp_path: Path, source: Path | str | None, warehouse: str, **flags: object) -> Config:
    """A Config isolated in tmp_path (no INI file, no environment overrides).

    Quality gates are off unless asked for (quality_gates="lake,warehouse"): they cost ~3 s a run
    and have their own tests (test_quality.py, and every flow run through flows/main.py).
    """
    flags.setdefault("quality_gates", "none")
    return load_config(environ={}, source=str(source) if source else None, warehouse=warehouse,
                       data_dir=str(tmp_path / "data"), **flags)
