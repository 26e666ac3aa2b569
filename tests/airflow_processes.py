"""Real Apache Airflow for the DAG's tests: its own environment (.venv-airflow, `make airflow-setup`),
driven through its command line in subprocesses, one AIRFLOW_HOME (SQLite metadata database)
per test. Plain helpers, no fixtures (conftest.py has those).

Airflow's metadata database is migrated once per session (about 15 s) and copied into each test's
home. The pipeline's settings reach the tasks as a user gives them: MUSIC_ANALYTICS_* variables,
or an Airflow Connection (AIRFLOW_CONN_<ID>); none of the test process's own MUSIC_ANALYTICS_*
or PREFECT_* variables leak in.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.helpers import REPO

AIRFLOW_VENV = Path(os.environ.get("MA_TEST_AIRFLOW_VENV", REPO / ".venv-airflow"))
AIRFLOW = AIRFLOW_VENV / "bin" / "airflow"
DAGS = REPO / "airflow" / "dags"
DAG_ID = "music_analytics_etl"


def environment(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUSIC_ANALYTICS_", "PREFECT_", "AIRFLOW"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # Parse-time warnings about a missing graphviz and the like are not what the tests read.
            "PYTHONWARNINGS": "ignore",
        }
    )
    env.update(extra or {})
    return env


def migrate(home: Path) -> Path:
    """A new metadata database in `home`; returns its file."""
    home.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [str(AIRFLOW), "db", "migrate"], env=environment(home), capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return home / "airflow.db"


class Airflow:
    """One test's Airflow: `home` with a copy of the migrated database."""

    def __init__(self, home: Path, template_db: Path) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        shutil.copy(template_db, home / "airflow.db")

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 900
    ) -> subprocess.CompletedProcess[str]:
        """`airflow ARGS` with the test's settings (`env`), output captured."""
        return subprocess.run(
            [str(AIRFLOW), *args],
            env=environment(self.home, env),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.home,
        )

    def python(self, code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Python code in the Airflow environment (what the DagBag makes of the DAG folder)."""
        return subprocess.run(
            [str(AIRFLOW_VENV / "bin" / "python"), "-c", code],
            env=environment(self.home, env),
            capture_output=True,
            text=True,
            timeout=300,
        )

    def test_day(self, day: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        """`airflow dags test music_analytics_etl DAY`: a whole DAG run, its tasks in this process."""
        return self.run("dags", "test", DAG_ID, day, env=env)

    def task_states(self) -> list[dict[str, dict[str, object]]]:
        """Per DAG run, oldest first: {task_id: {"state", "try_number"}} from the metadata database."""
        con = sqlite3.connect(self.home / "airflow.db")
        try:
            runs = [r[0] for r in con.execute("SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id", (DAG_ID,))]
            out = []
            for run_id in runs:
                rows = con.execute(
                    "SELECT task_id, state, try_number FROM task_instance WHERE dag_id = ? AND run_id = ?",
                    (DAG_ID, run_id),
                )
                out.append({task: {"state": state, "try_number": tries} for task, state, tries in rows})
            return out
        finally:
            con.close()

    def xcoms(self) -> list[str]:
        """Every XCom value stored (as text): what a task handed to the next."""
        con = sqlite3.connect(self.home / "airflow.db")
        try:
            return [str(r[0]) for r in con.execute("SELECT value FROM xcom")]
        finally:
            con.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Scheduler:
    """Airflow as deployed: API server, DAG processor and scheduler (LocalExecutor: every task its own
    process), each its own process group; `stop()` (also on exit) ends them and their task processes."""

    def __init__(self, airflow: Airflow, env: dict[str, str]) -> None:
        self.airflow = airflow
        port = free_port()
        self.env = {
            **env,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            # One secret for the tokens the scheduler gives the tasks and the API server checks (each
            # process would otherwise make up its own: "Invalid auth token").
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        }
        self.port = port
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Scheduler:
        for command in (["api-server", "--port", str(self.port)], ["dag-processor"], ["scheduler"]):
            log = (self.airflow.home / f"{command[0]}.log").open("wb")
            self.processes.append(
                subprocess.Popen(
                    [str(AIRFLOW), *command],
                    env=environment(self.airflow.home, self.env),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.airflow.home,
                    start_new_session=True,
                )
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        for proc in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.processes:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.processes.clear()

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.airflow.home.glob("*.log")))

    def _query(self, statement: str, *params: object) -> list[tuple[object, ...]]:
        con = sqlite3.connect(self.airflow.home / "airflow.db", timeout=30)
        try:
            return con.execute(statement, params).fetchall()
        finally:
            con.close()

    def wait_for_dag(self, timeout: float = 300) -> None:
        """Until the DAG processor has parsed and stored the DAG."""
        self._until(lambda: bool(self._query("SELECT 1 FROM dag WHERE dag_id = ?", DAG_ID)), timeout, "the DAG parsed")

    def wait_for_runs(self, count: int, timeout: float = 900) -> list[tuple[str, str, str]]:
        """Until `count` DAG runs have finished: [(run_id, run_type, state)], oldest first."""

        def finished() -> bool:
            rows = self._query(
                "SELECT COUNT(*) FROM dag_run WHERE dag_id = ? AND state IN ('success', 'failed')", DAG_ID
            )
            return int(str(rows[0][0])) >= count

        self._until(finished, timeout, f"{count} DAG run(s) finished")
        rows = self._query("SELECT run_id, run_type, state FROM dag_run WHERE dag_id = ? ORDER BY id", DAG_ID)
        return [(str(a), str(b), str(c)) for a, b, c in rows]

    def task_pids(self, run_id: str) -> dict[str, object]:
        rows = self._query("SELECT task_id, pid FROM task_instance WHERE dag_id = ? AND run_id = ?", DAG_ID, run_id)
        return {str(task): pid for task, pid in rows}

    def _until(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            dead = [p.args for p in self.processes if p.poll() is not None]
            assert not dead, f"Airflow process(es) exited: {dead}\n{self.logs()}"
            assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}\n{self.logs()}"
            time.sleep(2)
