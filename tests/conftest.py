"""Fixtures for the real components the tests use, and the test tiers derived from them.

A test's tier follows from what it uses: every fixture in its closure (and a parametrized
warehouse kind) maps to the markers below, applied at collection. `make test-fast` runs what has
none of them: no server, no JVM, no browser, no large data. Nothing is marked by hand, so a test
that starts needing PostgreSQL leaves the fast tier by itself. Shared helpers live in helpers.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import pytest

from tests.airflow_processes import Airflow
from tests.browser import CHROMIUM
from tests.helpers import PG_HOST, PG_PORT, REPO, FlowCli, fresh_pg_database, need, pg_admin, sample_path

# marker -> the fixtures that bring it in (a fixture used by any fixture of the test counts too).
COMPONENTS: dict[str, frozenset[str]] = {
    "postgres": frozenset({"pg_available", "pg_url", "own_postgres"}),
    "prefect": frozenset({"prefect_server", "prefect_stack", "flow_env", "flow_cli"}),
    "spark": frozenset({"jvm"}),
    "browser": frozenset({"chromium"}),
    "s3": frozenset({"moto_endpoint"}),
    "airflow": frozenset({"airflow"}),
    # Great Expectations: ~10 s to import, about a second per suite validated.
    "gates": frozenset({"gx"}),
    # Minutes of work: whole runs through the CLI or a Prefect worker, a wheel built and installed.
    "slow": frozenset({"flow_env", "flow_cli", "prefect_stack", "wheel", "own_postgres", "airflow"}),
}
SERVICE_MARKERS = tuple(COMPONENTS)  # everything outside the fast tier
# The fixtures parametrized by warehouse kind (conftest's warehouse_url, test_insights' warehouse):
# their "postgresql" instance needs the server. A test parametrized by a dialect name does not.
WAREHOUSE_FIXTURES = frozenset({"warehouse_url", "warehouse"})
SERVER_PARAMS = frozenset({"postgresql"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        for marker, fixtures in COMPONENTS.items():
            if used & fixtures:
                item.add_marker(marker)
        if SERVER_PARAMS & {str(v) for k, v in params.items() if k in WAREHOUSE_FIXTURES}:
            item.add_marker("postgres")


@pytest.fixture(scope="session")
def sample() -> Path:
    path = sample_path()
    need((path / "log_data").is_dir() and (path / "song_data").is_dir(), f"the Sparkify sample at {path}")
    return path


@pytest.fixture(scope="session")
def pg_available() -> bool:
    try:
        pg_admin().close()
        return True
    except psycopg2.Error:
        return False


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


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium (headless), for the HTML pages."""
    need(CHROMIUM is not None, "Chromium (the chromium command, /usr/bin/chromium on Debian)")
    assert CHROMIUM is not None
    return CHROMIUM


@pytest.fixture(scope="session")
def jvm() -> None:
    """Java for Spark (pyspark brings Spark, not Java)."""
    home = os.environ.get("JAVA_HOME")
    need(
        bool(shutil.which("java") or (home and (Path(home) / "bin" / "java").exists())), "Java (the Spark engine's JVM)"
    )


@pytest.fixture(scope="session")
def gx() -> None:
    """Great Expectations, for tests that run the quality gates (imported once, up front)."""
    import great_expectations  # noqa: F401


@pytest.fixture(scope="session")
def airflow_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Airflow's metadata database, migrated once per session (each test gets a copy)."""
    from tests import airflow_processes

    need(
        airflow_processes.AIRFLOW.exists(),
        f"the Airflow environment {airflow_processes.AIRFLOW_VENV} (make airflow-setup)",
    )
    return airflow_processes.migrate(tmp_path_factory.mktemp("airflow-template"))


@pytest.fixture
def airflow(airflow_db: Path, tmp_path: Path) -> Airflow:
    """Real Apache Airflow 3 (its own environment) with its own AIRFLOW_HOME for this test."""
    return Airflow(tmp_path / "airflow", airflow_db)


@pytest.fixture
def flow_env(tmp_path: Path) -> dict[str, str]:
    """The environment of `python flows/main.py` run as a user runs it: its own Prefect home and a
    temporary Prefect server (no PREFECT_API_URL), no telemetry."""
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    return env


@pytest.fixture
def flow_cli(flow_env: dict[str, str]) -> FlowCli:
    """Run `python flows/main.py ARGS` in its own process (the README's command), output captured."""

    def run(
        *args: str,
        cwd: Path = REPO,
        env: dict[str, str] | None = None,
        unset: tuple[str, ...] = (),
        timeout: float = 900,
    ) -> subprocess.CompletedProcess[str]:
        """`env` adds to the environment; variables starting with a prefix in `unset` are removed."""
        full = {k: v for k, v in flow_env.items() if not (unset and k.startswith(unset))}
        return subprocess.run(
            [sys.executable, str(REPO / "flows" / "main.py"), *args],
            cwd=cwd,
            env={**full, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture
def faulty_transform() -> Iterator[Callable[..., None]]:
    """faulty_transform(changes=GOLD, when=...): from then on each run's lake batch is corrupted
    (tests/batch_faults.py), as a transform bug would; undone when the test ends."""
    from tests import batch_faults

    undo: list[Callable[[], None]] = []

    def start(changes: dict[str, str] = batch_faults.GOLD, when: Callable[[Path], bool] = lambda lake: True) -> None:
        undo.append(batch_faults.install(changes, when))

    yield start
    for stop in reversed(undo):
        stop()
