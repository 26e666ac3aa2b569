"""prefect.yaml's deployments, end to end with real processes: a Prefect server, a process work pool
and worker, `prefect --no-prompt deploy --all`, `prefect deployment run ... --watch`.

The warehouse credentials come from a SqlAlchemyConnector block created by deployments/blocks.py;
its password is a sentinel that must not appear in any log. Every process started is stopped by PID.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from music_analytics import pipeline
from music_analytics import warehouse as wh
from music_analytics.config import WarehouseURL
from tests.helpers import REPO, STAR, day_file, make_config, plays_in, query, row_count, table_rows
from tests.prefect_processes import PrefectStack, alive, log_tail

SENTINEL = "s3ntinel-Pa55word"  # PostgreSQL here trusts local connections: any password works
AWS_SECRET = "s3ntinel-aws-Secret/Key+0"
BLOCK = "music-warehouse"
AWS_BLOCK = "music-aws"


@pytest.fixture(scope="module")
def prefect_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectStack]:
    # The scheduler stays off: a test running across 02:00 UTC must not see a real scheduled run.
    # Scheduled runs are created explicitly below instead.
    with PrefectStack(
        tmp_path_factory.mktemp("prefect"), REPO, env={"PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"}
    ) as s:
        s.start_server()
        s.create_pool()
        output = s.deploy_all()
        assert "music-analytics-etl/daily" in output and "music-analytics-etl/backfill" in output, output
        s.start_worker()
        yield s
    assert not any(alive(pid) for pid in s.pids), "a Prefect process outlived the test"


def _with_password(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.replace("@", f":{SENTINEL}@", 1)))


def _deployment(stack: PrefectStack, name: str) -> dict[str, Any]:
    found: dict[str, Any] = stack.api("GET", f"/deployments/name/{name}")
    return found


def _wait(stack: PrefectStack, flow_run_id: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = stack.flow_run(flow_run_id)
        if (run.get("state") or {}).get("type") in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(1)
    raise TimeoutError(f"flow run {flow_run_id} did not finish in {timeout} s\n{log_tail(stack.worker_log)}")


def test_daily_and_backfill_deployments_load_the_sample_through_a_worker(
    prefect_stack: PrefectStack, sample: Path, pg_url: str, tmp_path: Path
) -> None:
    stack = prefect_stack
    daily = _deployment(stack, "music-analytics-etl/daily")
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"], s["active"]) for s in daily["schedules"]] == [
        ("0 2 * * *", "UTC", True)
    ]
    # The kind of run is the entrypoint: a run's request, which replaces the deployment's, cannot lose it.
    assert daily["entrypoint"] == "flows/main.py:music_analytics_daily" and daily["parameters"] == {"request": {}}
    assert daily["work_pool_name"] == "music-analytics"

    # The warehouse block, from the environment (as an operator would create it).
    made = subprocess.run(
        [sys.executable, "deployments/blocks.py", "--warehouse-block", BLOCK, "--aws-block", AWS_BLOCK],
        cwd=REPO,
        env={
            **stack.env(),
            "MA_WAREHOUSE_URL": _with_password(pg_url),
            "AWS_ACCESS_KEY_ID": "AKIATESTSENTINEL",
            "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
            "AWS_DEFAULT_REGION": "us-west-2",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert SENTINEL not in made.stdout + made.stderr and AWS_SECRET not in made.stdout + made.stderr

    data_dir = str(tmp_path / "data")
    common = {"source": str(sample), "warehouse_block": BLOCK, "data_dir": data_dir}

    # 1. The daily deployment for one day, as the operator runs it.
    result = stack.run(
        "deployment",
        "run",
        "music-analytics-etl/daily",
        "--param",
        "request=" + json.dumps({"date": "2018-11-15", **common}),
        "--watch",
        "--watch-timeout",
        "300",
        timeout=400,
    )
    assert result.returncode == 0, result.stdout + result.stderr + log_tail(stack.worker_log)
    day_run = re.search(r"UUID:\s*([0-9a-f-]{36})", result.stdout)
    assert day_run is not None
    assert stack.flow_run(day_run.group(1))["state"]["type"] == "COMPLETED"
    pg = wh.connect(WarehouseURL.parse(pg_url))
    assert row_count(pg, "songplays") == plays_in(day_file(sample, dt.date(2018, 11, 15)))
    assert query(pg, "SELECT first_day, status, files_loaded FROM pipeline_runs") == [
        (dt.date(2018, 11, 15), "succeeded", 72)
    ]
    artifacts = stack.api("POST", "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [day_run.group(1)]}}})
    keys = {a["key"] for a in artifacts}
    assert {
        "music-analytics-run-summary",
        "music-analytics-tables",
        "music-analytics-stage-seconds",
        "music-analytics-quality-lake",
        "music-analytics-quality-warehouse",
        "music-analytics-insights",
        "music-analytics-top-songs",
        "music-analytics-top-artists",
        "music-analytics-funnels",
        "music-analytics-active-users",
        "music-analytics-levels-per-day",
        "music-analytics-skip-rates",
    } <= keys
    # No [reports] base_url on this worker: no link artifacts (a file:// path on it opens nowhere).
    assert not keys & {"music-analytics-quality-report", "music-analytics-insights-report"}

    # 2. A scheduled run of the daily deployment (02:00 UTC on the 17th) loads the day before: the 16th.
    scheduled = stack.api(
        "POST",
        f"/deployments/{daily['id']}/create_flow_run",
        {
            "state": {"type": "SCHEDULED", "state_details": {"scheduled_time": "2018-11-17T02:00:00+00:00"}},
            "parameters": {
                "request": {
                    "source": str(sample),
                    "warehouse_block": BLOCK,
                    "aws_credentials_block": AWS_BLOCK,
                    "data_dir": data_dir,
                    "quality_gates": "none",
                }
            },
        },
    )
    assert _wait(stack, scheduled["id"])["state"]["type"] == "COMPLETED", log_tail(stack.worker_log)
    assert query(pg, "SELECT first_day, status, files_loaded FROM pipeline_runs ORDER BY started_at")[-1] == (
        dt.date(2018, 11, 16),
        "succeeded",
        1,
    )

    # 3. The backfill deployment over the whole month equals a one-shot load of the sample.
    state, output = stack.run_deployment(
        "music-analytics-etl/backfill",
        {
            "request": {
                "start": "2018-11-01",
                "end": "2018-11-30",
                "source": str(sample),
                "warehouse_block": BLOCK,
                "data_dir": data_dir,
                "quality_gates": "none",
            }
        },
        timeout=600,
    )
    assert state == "Completed", output + log_tail(stack.worker_log)
    one_shot = make_config(tmp_path / "one-shot", sample, f"duckdb:///{tmp_path / 'one-shot.duckdb'}")
    pipeline.run(one_shot)
    ref = wh.connect(one_shot.warehouse)
    for table in STAR:
        assert table_rows(pg, table) == table_rows(ref, table), table
    runs = query(pg, "SELECT first_day, status FROM pipeline_runs ORDER BY started_at")[2:]
    assert [d for d, _ in runs] == [dt.date(2018, 11, d) for d in range(1, 31)]
    # The two days the daily deployment loaded are skipped: their files are in the ledger, unchanged.
    assert {d.day for d, status in runs if status == "skipped"} == {15, 16}

    # 4. A block name that does not exist: the run fails, saying which.
    state, _ = stack.run_deployment(
        "music-analytics-etl/daily",
        {
            "request": {
                "date": "2018-11-15",
                "source": str(sample),
                "warehouse_block": "no-such-block",
                "data_dir": data_dir,
            }
        },
        timeout=300,
    )
    assert state == "Failed"
    assert "warehouse_block 'no-such-block': no SqlAlchemyConnector block of that name" in log_tail(
        stack.worker_log, 200
    )

    logs = stack.worker_log.read_text(errors="replace")
    artifacts_text = json.dumps(stack.api("POST", "/artifacts/filter", {}))
    for secret in (SENTINEL, AWS_SECRET):
        assert secret not in logs and secret not in artifacts_text
    runs_text = json.dumps(stack.api("POST", "/flow_runs/filter", {}))  # parameters as the server stores them
    assert SENTINEL not in runs_text and AWS_SECRET not in runs_text
