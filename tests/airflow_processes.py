"""Real Apache Airflow for the DAG's tests: its own environment (.venv-airflow, `make airflow-setup`),
driven through its command line in subprocesses, one AIRFLOW_HOME (SQLite metadata database)
per test. Plain helpers, no fixtures (conftest.py has those).

Airflow's metadata database is migrated once per session (about 15 s) and copied into each test's
home. The pipeline's settings reach the tasks as a user gives them: MUSIC_ANALYTICS_* variables,
or an Airflow Connection (AIRFLOW_CONN_<ID>); none of the test process's own MUSIC_ANALYTICS_*
or PREFECT_* variables leak in.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
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
