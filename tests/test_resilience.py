"""A PostgreSQL restart in the middle of a run: the flow retries with backoff and completes exactly.

The database is a throwaway PostgreSQL server of its own (tests/pgcluster.py): stopping the shared
one would break the tests running beside this one.
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from music_analytics import warehouse as wh
from music_analytics.config import WarehouseURL
from tests.helpers import REPO, need, plays_in, query, row_count
from tests.pgcluster import TempPostgres

RETRY = re.compile(r"Retry \d+/\d+ will start")


@pytest.fixture
def own_postgres(tmp_path: Path) -> TempPostgres:
    need(any(Path("/usr/lib/postgresql").glob("*/bin/initdb")), "PostgreSQL server binaries (initdb)")
    return TempPostgres(tmp_path)


def _lines(proc: subprocess.Popen[str], out: queue.Queue[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        out.put(line)


def _wait_for(lines: queue.Queue[str], seen: list[str], pattern: re.Pattern[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line)
        if pattern.search(line):
            return line
    raise AssertionError(f"no line matching {pattern.pattern!r} within {timeout} s:\n{''.join(seen[-40:])}")


def test_the_flow_survives_a_postgresql_restart_mid_run(
    own_postgres: TempPostgres, sample: Path, tmp_path: Path, flow_env: dict[str, str]
) -> None:
    with own_postgres as pg:
        url = pg.create_database("music")
        env = {**flow_env, "PREFECT_LOGGING_LEVEL": "INFO"}
        proc = subprocess.Popen(
            [
                sys.executable,
                "flows/main.py",
                "--source",
                str(sample),
                "--warehouse",
                url,
                "--data-dir",
                str(tmp_path / "data"),
                "--quality-gates",
                "none",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_lines, args=(proc, lines), daemon=True).start()
        seen: list[str] = []
        try:
            # The plan is made (the run holds the lock and has its ledger row); the transform that
            # follows does not touch the database. The database goes down now and stays down until a
            # task has failed on it and scheduled a retry: the restart is certain to hit the run.
            _wait_for(lines, seen, re.compile(r"plan: "), timeout=240)
            pg.stop("immediate")
            _wait_for(lines, seen, RETRY, timeout=120)
            pg.start()
            code = proc.wait(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
        while not lines.empty():
            seen.append(lines.get())
        output = "".join(seen)
        assert code == 0, output[-4000:]
        assert "Run summary (succeeded)" in output

        warehouse = wh.connect(WarehouseURL.parse(url))
        expected = sum(plays_in(p) for p in sorted((sample / "log_data").rglob("*.json")))
        assert row_count(warehouse, "songplays") == expected == 6820
        assert (row_count(warehouse, "users"), row_count(warehouse, "songs"), row_count(warehouse, "time")) == (
            97,
            71,
            6813,
        )
        assert query(warehouse, "SELECT status, files_loaded FROM pipeline_runs") == [("succeeded", 101)]
        assert row_count(warehouse, "loaded_files") == 101
