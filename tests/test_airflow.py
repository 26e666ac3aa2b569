"""The Airflow DAG music_analytics_etl on real Apache Airflow 3 (.venv-airflow), through its command line.

`airflow dags test` runs a whole DAG run (every task, its XComs, retries, the teardown) against a
real metadata database. The reference is the Prefect flow (`python flows/main.py`) or a plain
pipeline run of the same day; both are the steps the DAG's tasks call (music_analytics.stepwise).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from music_analytics import pipeline, stepwise
from music_analytics import warehouse as wh
from music_analytics.config import WarehouseURL
from tests.airflow_processes import Airflow, Scheduler
from tests.batch_faults import GOLD
from tests.helpers import REPO, FlowCli, make_config, query, tables

DAY = "2018-11-15"
# The DAG's tasks in order: extract, the rest of pipeline.STEPS, then insights and the teardown.
TASKS = [*stepwise.STEP_NAMES, "insights", "end"]
SENTINEL = "af-S3cret-sentinel"


def _settings(tmp_path: Path, sample: Path, warehouse: str | None, **more: str) -> dict[str, str]:
    env = {"MUSIC_ANALYTICS_PIPELINE_SOURCE": str(sample), "MUSIC_ANALYTICS_PIPELINE_DATA_DIR": str(tmp_path / "data")}
    if warehouse:
        env["MUSIC_ANALYTICS_WAREHOUSE_URL"] = warehouse
    env.update(more)
    return env


def _ledger(url: str) -> list[tuple[object, ...]]:
    statement = "SELECT status, files_loaded, songplays_inserted FROM pipeline_runs ORDER BY started_at"
    return query(wh.connect(WarehouseURL.parse(url)), statement)


def test_the_dag_imports_cleanly_parses_in_under_a_second_and_has_the_pipelines_steps(airflow: Airflow) -> None:
    proc = airflow.python(
        """
import json, time
from airflow.dag_processing.dagbag import DagBag
t0 = time.perf_counter()
bag = DagBag()
seconds = time.perf_counter() - t0
dag = bag.dags.get("music_analytics_etl")
def seconds_of(d):
    return d.total_seconds() if hasattr(d, "total_seconds") else d
stats = [{"file": s.file, "duration": seconds_of(s.duration)} for s in bag.dagbag_stats]
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "dags": sorted(bag.dag_ids),
    "tasks": [t.task_id for t in dag.topological_sort()] if dag else None,
    "upstream": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks} if dag else None,
    "schedule": [type(dag.timetable).__name__, dag.timetable.expression] if dag else None,
    "max_active_runs": dag.max_active_runs if dag else None,
    "retries": {t.task_id: t.retries for t in dag.tasks} if dag else None,
    "teardown": [t.task_id for t in dag.tasks if t.is_teardown] if dag else None,
    "stats": stats,
    "seconds": seconds,
}))
"""
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["errors"] == {} and got["dags"] == ["music_analytics_etl"]
    assert got["tasks"] == TASKS
    assert got["upstream"]["end"] == ["insights"] and got["upstream"]["load"] == ["extract", "quality_warehouse"]
    assert got["schedule"] == ["CronDataIntervalTimetable", "0 0 * * *"]  # a run loads its data interval's day
    assert (got["max_active_runs"], got["teardown"]) == (1, ["end"])
    assert set(got["retries"].values()) == {3}
    # The DAG file's own parse time, as the DAG processor measures it (not the interpreter's start-up).
    (stat,) = got["stats"]
    assert stat["file"].endswith("music_analytics_dag.py") and stat["duration"] < 1.0, stat


def test_dags_test_of_a_day_gives_the_prefect_flows_tables_and_a_rerun_changes_nothing(
    airflow: Airflow, sample: Path, tmp_path: Path, flow_cli: FlowCli
) -> None:
    url = f"duckdb:///{tmp_path / 'airflow.duckdb'}"
    proc = airflow.test_day(DAY, _settings(tmp_path / "af", sample, url))
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    (states,) = airflow.task_states()
    assert {t: s["state"] for t, s in states.items()} == dict.fromkeys(TASKS, "success")

    reference = tmp_path / "prefect.duckdb"
    flow = flow_cli(
        "--source", str(sample), "--warehouse", f"duckdb:///{reference}", "--data-dir", str(tmp_path / "pf"),
        "--date", DAY, "--quality-gates", "none", cwd=tmp_path,
    )  # fmt: skip
    assert flow.returncode == 0, flow.stderr[-3000:]
    expected = tables(make_config(tmp_path / "x", sample, f"duckdb:///{reference}"))
    got = tables(make_config(tmp_path / "y", sample, url))
    assert got == expected
    day_plays = "SELECT COUNT(*) FROM songplays WHERE CAST(start_time AS DATE) = DATE '2018-11-15'"
    assert [(len(got["songplays"]),)] == query(wh.connect(WarehouseURL.parse(url)), day_plays) != [(0,)]
    assert _ledger(url) == [("succeeded", 72, len(got["songplays"]))]
    # What went between the tasks: the run id, the report's path, the final status; nothing else.
    assert all(len(x) < 200 for x in airflow.xcoms())
    report = tmp_path / "af" / "data" / "reports" / "airflow" / "insights.html"
    assert report.is_file() and (tmp_path / "af" / "data" / "quality-docs").is_dir()

    again = airflow.test_day(DAY, _settings(tmp_path / "af", sample, url))
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    second = airflow.task_states()[-1]
    assert {t: s["state"] for t, s in second.items()} == {
        "extract": "success", **dict.fromkeys(stepwise.STEP_NAMES[1:], "skipped"), "insights": "success",
        "end": "success",
    }  # fmt: skip
    assert tables(make_config(tmp_path / "y", sample, url)) == expected
    assert _ledger(url)[-1] == ("skipped", 0, None)


def test_the_warehouse_from_an_airflow_connection_into_postgresql_never_shows_its_password(
    airflow: Airflow, sample: Path, tmp_path: Path, pg_url: str
) -> None:
    parsed = WarehouseURL.parse(pg_url)
    conn = f"postgres://{parsed.user}:{SENTINEL}@{parsed.host}:{parsed.port}/{parsed.database}"
    # The gates have their own tests (the DAG's gate test in this module, test_quality.py on PostgreSQL).
    env = _settings(tmp_path, sample, None, AIRFLOW_CONN_MA_WAREHOUSE=conn, MUSIC_ANALYTICS_QUALITY_GATES="none")
    proc = airflow.run(
        "dags", "test", "music_analytics_etl", DAY, "-c", json.dumps({"warehouse_conn_id": "ma_warehouse"}), env=env
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    one = make_config(
        tmp_path / "one",
        sample,
        f"duckdb:///{tmp_path / 'one.duckdb'}",
        start=dt.date(2018, 11, 15),
        end=dt.date(2018, 11, 15),
    )
    pipeline.run(one)
    assert tables(make_config(tmp_path / "pg", sample, pg_url)) == tables(one)
    assert _ledger(pg_url)[0][:2] == ("succeeded", 72)
    logs = "".join(p.read_text(errors="replace") for p in (airflow.home / "logs").rglob("*") if p.is_file())
    assert SENTINEL not in proc.stdout + proc.stderr + logs + "".join(airflow.xcoms())
    assert not list((tmp_path / "data" / "runs").glob("*"))  # the run's state is removed at its end


def test_a_failing_quality_gate_fails_its_task_at_once_and_publishes_nothing(
    airflow: Airflow, sample: Path, tmp_path: Path
) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    faulty = {"PYTHONPATH": str(REPO / "tests" / "faulty_batch"), "MA_TEST_FAULTY_BATCH": json.dumps(GOLD)}
    proc = airflow.test_day(DAY, _settings(tmp_path, sample, url, **faulty))
    assert proc.returncode == 1 and "DagRun failed" in proc.stderr, proc.stdout[-3000:] + proc.stderr[-3000:]
    (states,) = airflow.task_states()
    assert states["quality_lake"] == {"state": "failed", "try_number": 1}  # a data error is not retried
    assert {t: states[t]["state"] for t in ("stage", "quality_warehouse", "load", "insights")} == dict.fromkeys(
        ("stage", "quality_warehouse", "load", "insights"), "upstream_failed"
    )
    assert states["end"]["state"] == "success"
    (row,) = query(wh.connect(WarehouseURL.parse(url)), "SELECT status, files_loaded, error FROM pipeline_runs")
    assert row[:2] == ("failed", 0) and "quality gate 'lake' BLOCKED" in str(row[2])
    w = wh.connect(WarehouseURL.parse(url))
    assert query(w, "SELECT COUNT(*) FROM songplays") == [(0,)]
    assert query(w, "SELECT COUNT(*) FROM pipeline_lease") == [(0,)]
    assert not (tmp_path / "data" / "lake" / "songplays").exists()  # the batch was not published
    # The warehouse is free again: a fixed transform loads the day.
    cfg = make_config(tmp_path, sample, url, start=dt.date(2018, 11, 15), end=dt.date(2018, 11, 15))
    assert pipeline.run(cfg).status == "succeeded"


def test_the_scheduler_runs_each_task_in_its_own_process_and_its_runs_take_turns(
    airflow: Airflow, sample: Path, tmp_path: Path
) -> None:
    """Airflow as deployed (API server, DAG processor, scheduler, LocalExecutor): the run state goes from
    one task's process to the next through the data directory, the lease keeps the warehouse between
    them. Unpaused, the DAG also gets its latest scheduled run (yesterday, no event file in the sample:
    the song files), and takes the two runs in turn (max_active_runs=1)."""
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    env = _settings(
        tmp_path,
        sample,
        url,
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        MUSIC_ANALYTICS_QUALITY_GATES="none",  # what this test is about is the processes, not the gates
    )
    with Scheduler(airflow, env) as services:
        services.wait_for_dag()
        trigger = airflow.run(
            "dags", "trigger", "music_analytics_etl", "--logical-date", f"{DAY}T00:00:00+00:00", env=services.env
        )
        assert trigger.returncode == 0, trigger.stderr[-3000:]
        runs = services.wait_for_runs(2)
        assert sorted((kind, state) for _, kind, state in runs) == [("manual", "success"), ("scheduled", "success")]
        manual = next(run_id for run_id, kind, _ in runs if kind == "manual")
        pids = services.task_pids(manual)
    assert set(pids) == set(TASKS) and len(set(pids.values())) == len(TASKS)  # one process per task

    day = dt.date.fromisoformat(DAY)
    one = make_config(tmp_path / "one", sample, f"duckdb:///{tmp_path / 'one.duckdb'}", start=day, end=day)
    pipeline.run(one)
    assert tables(make_config(tmp_path / "x", sample, url)) == tables(one)
    ledger = _ledger(url)
    assert {status for status, _, _ in ledger} <= {"succeeded", "skipped"} and len(ledger) == 2
    assert sum(int(str(files)) for _, files, _ in ledger) == 72  # every file loaded once, by one of the runs
    assert query(wh.connect(WarehouseURL.parse(url)), "SELECT COUNT(*) FROM pipeline_lease") == [(0,)]


def test_a_bad_setting_fails_the_run_at_once_with_its_one_line_message(airflow: Airflow, tmp_path: Path) -> None:
    env = _settings(tmp_path, tmp_path, f"duckdb:///{tmp_path / 'w.duckdb'}", MUSIC_ANALYTICS_PIPELINE_ENGINE="duckbd")
    proc = airflow.test_day(DAY, env)
    assert proc.returncode == 1 and "DagRun failed" in proc.stderr
    (states,) = airflow.task_states()
    assert states["extract"] == {"state": "failed", "try_number": 1}  # a configuration error is not retried
    assert "ConfigError: engine 'duckbd' is not one of: duckdb, spark" in proc.stdout + proc.stderr
    assert not (tmp_path / "w.duckdb").exists()
