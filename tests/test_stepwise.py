"""A run carried out one step per call (music_analytics.stepwise, what the Airflow DAG's tasks call):
the same tables as one `pipeline.run`, its turn on the warehouse kept between the calls, and a
run that stopped recorded as failed. The DAG itself, on real Airflow: test_airflow.py."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from music_analytics import lease, pipeline, stepwise
from music_analytics import warehouse as wh
from music_analytics.config import Config
from music_analytics.errors import WarehouseError
from music_analytics.ledger import utcnow
from tests.helpers import make_config, query, tables

DAY = dt.date(2018, 11, 15)


def _config(tmp_path: Path, sample: Path, name: str, **flags: object) -> Config:
    flags.setdefault("start", DAY)
    flags.setdefault("end", DAY)
    return make_config(tmp_path / name, sample, f"duckdb:///{tmp_path / name}.duckdb", **flags)


def _rest(cfg: Config, run_id: str) -> None:
    for name in stepwise.STEP_NAMES[1:]:
        stepwise.step(cfg, run_id, name)


def _runs(cfg: Config) -> list[tuple[object, ...]]:
    statement = "SELECT run_id, status, files_loaded, error FROM pipeline_runs ORDER BY started_at"
    return query(wh.for_config(cfg), statement)


def test_the_steps_one_call_each_give_the_tables_of_one_run(sample: Path, tmp_path: Path) -> None:
    one = _config(tmp_path, sample, "one")
    pipeline.run(one)
    steps = _config(tmp_path, sample, "steps")
    run_id = stepwise.start(steps, "test", "stepwise-1")
    assert stepwise.state_dir(steps, run_id).is_dir()
    _rest(steps, run_id)
    assert stepwise.insights(steps, run_id) is not None and steps.report_path.is_file()
    assert stepwise.end(steps, run_id) == "succeeded"
    reference = tables(one)
    assert tables(steps) == reference and len(reference["songplays"]) > 0
    assert _runs(steps) == [("stepwise-1", "succeeded", 72, None)]
    assert lease.current(wh.for_config(steps)) is None and not stepwise.state_dir(steps, run_id).exists()

    # The day again: nothing new; the later steps say so, the report is left as it is.
    again = stepwise.start(steps, "test", "stepwise-2")
    with pytest.raises(stepwise.NothingToDo):
        stepwise.step(steps, again, "transform")
    report = stepwise.insights(steps, again)
    assert report is not None and report.skipped == "nothing new was loaded"
    assert stepwise.end(steps, again) == "skipped"
    assert tables(steps) == reference
    assert _runs(steps)[-1] == ("stepwise-2", "skipped", 0, None)


def test_another_run_waits_for_a_stepwise_run_between_its_steps(sample: Path, tmp_path: Path) -> None:
    cfg = _config(tmp_path, sample, "w", lock_timeout=1)
    run_id = stepwise.start(cfg, "Airflow music_analytics_etl run manual__1", "stepwise-a")
    stepwise.step(cfg, run_id, "transform")
    # No process of the stepwise run holds the lock now; its lease still gives it the warehouse.
    holder = r"holds the lock: Airflow music_analytics_etl run manual__1 \(run stepwise-a, its last task"
    with pytest.raises(WarehouseError, match=holder):
        pipeline.run(cfg)
    with pytest.raises(WarehouseError, match=holder):
        stepwise.start(cfg, "a second DAG run", "stepwise-b")
    for name in stepwise.STEP_NAMES[2:]:
        stepwise.step(cfg, run_id, name)
    assert stepwise.end(cfg, run_id) == "succeeded"
    # Its turn over, the other run goes ahead, and finds nothing left to load.
    assert pipeline.run(cfg).status == "skipped"


def test_a_lapsed_lease_is_taken_over_and_its_run_publishes_nothing(sample: Path, tmp_path: Path) -> None:
    cfg = _config(tmp_path, sample, "w", lock_timeout=1)
    run_id = stepwise.start(cfg, "a DAG run whose worker died", "stepwise-dead")
    stepwise.step(cfg, run_id, "transform")
    w = wh.for_config(cfg)
    with w.transaction() as tx:  # as if its last task ran longer ago than [pipeline] lease_timeout
        old = utcnow() - dt.timedelta(seconds=cfg.pipeline.lease_timeout + 60)
        w.execute(tx, f"UPDATE pipeline_lease SET renewed_at = TIMESTAMP '{old:%Y-%m-%d %H:%M:%S}'")
    assert pipeline.run(cfg).status == "succeeded"
    loaded = tables(cfg)
    with pytest.raises(lease.LeaseLost, match="stepwise-dead lost its turn"):
        stepwise.step(cfg, run_id, "quality_lake")
    assert stepwise.end(cfg, run_id) == "failed"
    assert tables(cfg) == loaded
    dead = [r for r in _runs(cfg) if r[0] == "stepwise-dead"]
    assert dead == [("stepwise-dead", "failed", 0, dead[0][3])] and "lost its turn" in str(dead[0][3])


def test_a_run_that_stops_is_recorded_failed_and_gives_the_warehouse_up(sample: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(sample, bad)
    with (bad / "log_data" / "2018" / "11" / "2018-11-15-events.json").open("a") as fh:
        fh.write("{not json\n")
    cfg = _config(tmp_path, bad, "w", max_rejected_fraction=0.0)
    run_id = stepwise.start(cfg, "test", "stepwise-bad")
    with pytest.raises(Exception, match="max_rejected_fraction"):
        stepwise.step(cfg, run_id, "transform")
    # Out of order: the run's next step is transform again, never the load.
    with pytest.raises(Exception, match="next step is transform, not load"):
        stepwise.step(cfg, run_id, "load")
    assert stepwise.end(cfg, run_id) == "failed"
    (row,) = _runs(cfg)
    assert row[:3] == ("stepwise-bad", "failed", 0) and "max_rejected_fraction" in str(row[3])
    assert lease.current(wh.for_config(cfg)) is None
    assert query(wh.for_config(cfg), "SELECT COUNT(*) FROM songplays") == [(0,)]
    assert stepwise.end(cfg, run_id) == "unknown"  # its state is gone: a second end changes nothing
