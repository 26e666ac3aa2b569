"""The pipeline's stages as plain functions, and the one place that says in which order they run.

lock -> schema -> ledger row -> plan (which files are new or changed; the song catalogue) ->
engine transform -> lake (Parquet) -> quality gate 1 -> staging tables -> quality gate 2 (audit)
-> star-schema merge (publish, one transaction, with the ledger's file rows) -> ledger row.

`run` takes the stage callables as a `Stages` value: the plain functions here (tests,
benchmarks), or the Prefect tasks that wrap them (flows/main.py), so the order is written once.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from . import ledger, s3, secrets
from . import warehouse as wh
from .config import Config
from .engines import TransformResult, get_engine
from .errors import ConfigError, PipelineError, QualityGateError, WarehouseError
from .ledger import Plan
from .quality.results import HISTORY_COLUMNS, GateResult
from .sources import SourceFiles, canonical, discover

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


@dataclass
class RunSummary:
    source: str
    warehouse: str
    engine: str
    transform: TransformResult | None = None
    merge: wh.MergeCounts | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    plan: Plan | None = None
    status: str = "running"  # ledger status: running | succeeded | failed | skipped (nothing new)
    started_at: dt.datetime = field(default_factory=ledger.utcnow)
    quality: list[GateResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def add_gate(self, result: GateResult | None) -> None:
        """Keep a gate's result for the summary, then stop the run if it blocks."""
        if result is not None:
            self.quality.append(result)
        enforce(result)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Record the wall time of the block as the seconds of `stage`."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = time.perf_counter() - t0


def resolve_source(cfg: Config, progress: Progress = _quiet) -> str:
    """The run's source, canonical (an absolute folder path or s3://bucket/prefix): the configured
    one, or the demo dataset (made on first use). The ledger records it with the run."""
    if cfg.source:
        return canonical(cfg.source)
    from .demo import ensure_demo

    return canonical(str(ensure_demo(cfg, progress)))


def check_source(cfg: Config) -> None:
    """Before any work: the run's source must be the one the warehouse was loaded from."""
    ledger.check_source(_warehouse(cfg), canonical(cfg.source or str(cfg.demo_path)), cfg.source_moved)


def _warehouse(cfg: Config) -> wh.Warehouse:
    return wh.for_config(cfg)


# -- the lock ----------------------------------------------------------------------------------

_HELD: dict[str, tuple[wh.WarehouseLock, int]] = {}  # warehouse -> (lock, nesting depth), this process


@contextmanager
def locked(cfg: Config, owner: str, progress: Progress = _quiet) -> Iterator[None]:
    """Hold the warehouse's pipeline lock for the block; wait up to cfg.lock_timeout seconds for it.

    Re-entrant within a process (a backfill holds it across its days). Runs on one warehouse share
    its staging tables, and the lake: two at once would publish each other's rows.
    """
    key = str(cfg.warehouse)
    if key in _HELD:
        lock, depth = _HELD[key]
        _HELD[key] = (lock, depth + 1)
        try:
            yield
        finally:
            _HELD[key] = (lock, _HELD[key][1] - 1)
        return
    lock = _warehouse(cfg).lock(f"run {owner} on {socket.gethostname()}")
    waited, deadline, next_note = 0.0, time.monotonic() + cfg.lock_timeout, 0.0
    t0 = time.monotonic()
    while not lock.try_acquire():
        waited = time.monotonic() - t0
        if time.monotonic() >= deadline:
            raise WarehouseError(
                f"warehouse {cfg.warehouse}: another pipeline run holds the lock: {lock.holder()}; waited "
                f"{waited:.0f} s ([pipeline] lock_timeout = {cfg.lock_timeout} s). Runs on one warehouse take "
                "turns; rerun when it has finished, or raise the timeout to wait longer"
            )
        if waited >= next_note:
            progress(f"waiting for the warehouse lock held by {lock.holder()} (up to {cfg.lock_timeout} s)")
            next_note = waited + 30
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
    _HELD[key] = (lock, 1)
    try:
        yield
    finally:
        del _HELD[key]
        lock.release()


def ensure_lock(cfg: Config) -> None:
    """Before writing: check this process still holds the lock (taken back after a database restart)."""
    held = _HELD.get(str(cfg.warehouse))
    if held is not None:
        held[0].ensure()


# -- the stages --------------------------------------------------------------------------------


def create_schema(cfg: Config) -> None:
    _warehouse(cfg).create_schema()


def begin(cfg: Config, summary: RunSummary) -> None:
    """Record the run in the ledger as running."""
    ensure_lock(cfg)
    ledger.write_run(_warehouse(cfg), ledger_row(summary))


def finish(cfg: Config, summary: RunSummary, error: str | None = None) -> None:
    """Record the run's outcome in the ledger."""
    ensure_lock(cfg)
    ledger.write_run(_warehouse(cfg), ledger_row(summary, error))


def list_files(
    cfg: Config, source: str, start: dt.date | None, end: dt.date | None, progress: Progress = _quiet
) -> SourceFiles:
    """The source's files for [start, end]: a folder as it is, an s3:// prefix through a local mirror."""
    if s3.is_s3(source):
        return s3.discover(cfg, source, start, end, progress)
    return discover(source, start, end)


def plan(cfg: Config, source: str, progress: Progress = _quiet) -> Plan:
    """Which files this run reads (ledger: new or changed only), and the song catalogue for matching."""
    first = cfg.start - dt.timedelta(days=cfg.lookback_days) if cfg.start else None
    warehouse = _warehouse(cfg)
    ledger.check_source(warehouse, source, cfg.source_moved)
    files = list_files(cfg, source, first, cfg.end, progress)
    chosen = ledger.plan(files, ledger.loaded_files(warehouse), cfg.start, cfg.reload, progress)
    for warning in chosen.warnings():
        progress(f"warning: {warning}")
    if chosen.nothing_to_do:  # no transform follows: no catalogue to export
        progress(f"plan: {chosen.describe()}")
        return chosen
    catalogue = cfg.work_path / "catalogue" / "songs.parquet"
    known = warehouse.export_catalogue(catalogue)
    chosen.files = replace(chosen.files, catalogue=catalogue)
    progress(f"plan: {chosen.describe()}; {known:,} songs already in the warehouse to match plays against")
    return chosen


def transform(cfg: Config, files: Plan | str, progress: Progress = _quiet) -> TransformResult:
    """Raw files -> lake: the plan's files, or (a source folder) every file in cfg's range, ledger unread."""
    chosen = files.files if isinstance(files, Plan) else list_files(cfg, files, cfg.start, cfg.end, progress)
    return get_engine(cfg).transform(chosen, cfg.lake_path, progress)


def stage(
    cfg: Config, lake: Path, files: Plan | None = None, run_id: str = "", progress: Progress = _quiet
) -> wh.MergeCounts:
    ensure_lock(cfg)
    rows = ledger.file_rows(lake, files.states, ledger.check_run_id(run_id), ledger.utcnow()) if files else None
    warehouse = _warehouse(cfg)
    # Redshift COPYs from S3: the lake goes up first. Other warehouses read the lake's files.
    warehouse.prepare_lake(lake, partial(s3.upload_tree, cfg), progress)
    return warehouse.stage(lake, progress, rows)


def load(cfg: Config, staged: wh.MergeCounts, progress: Progress = _quiet) -> wh.MergeCounts:
    ensure_lock(cfg)
    return _warehouse(cfg).merge(staged, progress)


def _gate(cfg: Config, result: GateResult, progress: Progress) -> GateResult:
    """Record a gate's results in the warehouse's history and report them."""
    ensure_lock(cfg)
    _warehouse(cfg).append_rows("quality_results", HISTORY_COLUMNS, result.history_rows())
    # A blocking gate's failures are the run's error message (enforce): said once, there.
    progress(result.headline() if result.blocking else result.message())
    return result


def check_lake(
    cfg: Config, lake: Path, catalogue: Path | None, run_id: str, progress: Progress = _quiet
) -> GateResult | None:
    """Quality gate 1 on the lake, before staging (None when the gate is switched off).

    `catalogue`: the published songs the transform matched plays against (the plan's export).
    """
    if "lake" not in cfg.quality_gates:
        return None
    from . import quality

    progress("quality gate 'lake': validating the lake")
    return _gate(
        cfg,
        quality.check_lake(
            lake,
            run_id=run_id,
            docs_dir=cfg.quality_docs_path,
            catalogue=catalogue,
            project_dir=cfg.quality_project_path,
            progress=progress,
        ),
        progress,
    )


def audit(cfg: Config, lake: Path, run_id: str, progress: Progress = _quiet) -> GateResult | None:
    """Quality gate 2 on the staged rows, before they are published (None when switched off)."""
    if "warehouse" not in cfg.quality_gates:
        return None
    from . import quality

    progress("quality gate 'warehouse': auditing the staged rows")
    return _gate(
        cfg,
        quality.audit_warehouse(
            _warehouse(cfg),
            lake,
            run_id=run_id,
            docs_dir=cfg.quality_docs_path,
            project_dir=cfg.quality_project_path,
            progress=progress,
        ),
        progress,
    )


_NOT_PUBLISHED = {
    "lake": "nothing was staged or published",
    "warehouse": "the staged rows were not published; the star schema is unchanged",
}


def enforce(result: GateResult | None) -> None:
    """Raise QualityGateError when the gate found a critical expectation failing."""
    if result is not None and result.blocking:
        raise QualityGateError(f"{result.message()}\n  {_NOT_PUBLISHED[result.gate]}")


def ledger_row(s: RunSummary, error: str | None = None) -> dict[str, object]:
    t, m, p = s.transform, s.merge, s.plan
    done = s.status != "running"
    return {
        "run_id": s.run_id,
        "started_at": s.started_at,
        "finished_at": ledger.utcnow() if done else None,
        "status": s.status,
        "first_day": s.first_day,
        "last_day": s.last_day,
        "source": s.source,
        # Loaded = published: a failed run's files are not (the next run reads them again).
        "engine": s.engine,
        "files_loaded": (p.files_read if p and s.status == "succeeded" else 0) if done else None,
        "files_unchanged": p.unchanged if p else None,
        "events_read": t.events.records if t else None,
        "events_rejected": t.events.rejected if t else None,
        "songs_read": t.songs.records if t else None,
        "songs_rejected": t.songs.rejected if t else None,
        "songplays_inserted": m.inserted.get("songplays") if m else None,
        "songplays_updated": m.updated.get("songplays") if m else None,
        "seconds": (ledger.utcnow() - s.started_at).total_seconds() if done else None,
        "stage_seconds": dict(s.seconds) if done else None,
        "error": secrets.redact(error)[:4000] if error else None,  # any exception's text: mask secrets
    }


# -- the order ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stages:
    """What `run` calls for each stage: the plain functions above, or Prefect tasks wrapping them."""

    resolve_source: Callable[[Config], str]
    create_schema: Callable[[Config], None]
    begin: Callable[[Config, RunSummary], None]
    plan: Callable[[Config, str], Plan]
    transform: Callable[[Config, Plan], TransformResult]
    check_lake: Callable[[Config, Path, Path | None, str], GateResult | None]
    stage: Callable[[Config, Path, Plan, str], wh.MergeCounts]
    audit: Callable[[Config, Path, str], GateResult | None]
    load: Callable[[Config, wh.MergeCounts], wh.MergeCounts]
    finish: Callable[[Config, RunSummary, str | None], None]


def plain_stages(progress: Progress = _quiet) -> Stages:
    return Stages(
        resolve_source=partial(resolve_source, progress=progress),
        create_schema=create_schema,
        begin=begin,
        plan=partial(plan, progress=progress),
        transform=partial(transform, progress=progress),
        check_lake=partial(check_lake, progress=progress),
        stage=partial(stage, progress=progress),
        audit=partial(audit, progress=progress),
        load=partial(load, progress=progress),
        finish=finish,
    )


def run(
    cfg: Config, progress: Progress = _quiet, stages: Stages | None = None, run_id: str | None = None
) -> RunSummary:
    """One run: every stage in order, under the warehouse lock, recorded in the ledger."""
    st = stages or plain_stages(progress)
    summary = RunSummary(
        source="", warehouse=str(cfg.warehouse), engine=cfg.engine, first_day=cfg.start, last_day=cfg.end
    )
    if run_id:
        summary.run_id = ledger.check_run_id(run_id)
    with summary.timed("source"):
        summary.source = st.resolve_source(cfg)
    with locked(cfg, summary.run_id, progress):
        with summary.timed("schema"):
            st.create_schema(cfg)
        st.begin(cfg, summary)
        try:
            _run_stages(cfg, summary, st, progress)
        except BaseException as exc:
            summary.status = "failed"
            try:
                st.finish(cfg, summary, str(exc))
            except Exception as ledger_error:  # the warehouse may be why the run failed
                progress(f"could not record the failed run in the ledger: {ledger_error}")
            raise
        st.finish(cfg, summary, None)
    return summary


def _run_stages(cfg: Config, summary: RunSummary, st: Stages, progress: Progress) -> None:
    with summary.timed("plan"):
        summary.plan = st.plan(cfg, summary.source)
    if summary.plan.nothing_to_do:
        summary.status = "skipped"
        progress("nothing new to load: every file in range is loaded and unchanged")
        return
    with summary.timed("transform"):
        summary.transform = st.transform(cfg, summary.plan)
    lake = summary.transform.lake
    with summary.timed("lake gate"):
        summary.add_gate(st.check_lake(cfg, lake, summary.plan.files.catalogue, summary.run_id))
    with summary.timed("stage"):
        staged = st.stage(cfg, lake, summary.plan, summary.run_id)
    with summary.timed("audit"):
        summary.add_gate(st.audit(cfg, lake, summary.run_id))
    with summary.timed("load"):
        summary.merge = st.load(cfg, staged)
    summary.status = "succeeded"


def backfill_days(cfg: Config) -> list[dt.date]:
    """The days of a backfill: the configured range, which must be given."""
    if cfg.start is None or cfg.end is None:
        raise ConfigError("a backfill needs a date range: --start and --end")
    return ledger.days(cfg.start, cfg.end)


def backfill(cfg: Config, progress: Progress = _quiet, stages: Stages | None = None) -> list[RunSummary]:
    """Run each day of [start, end] in order, one run per day; stop at the first failing day.

    Rerunning the same backfill resumes: the days already loaded find their files unchanged in
    the ledger and finish at once, so work restarts at the day that failed.
    """
    out: list[RunSummary] = []
    days = backfill_days(cfg)
    for i, day in enumerate(days, start=1):
        progress(f"backfill day {i} of {len(days)}: {day}")
        try:
            out.append(run(replace(cfg, start=day, end=day), progress, stages))
        except PipelineError as exc:
            raise type(exc)(backfill_stopped(days, day, exc)) from exc
        except Exception as exc:
            progress(backfill_stopped(days, day, exc))
            raise
    return out


def backfill_stopped(days: list[dt.date], day: dt.date, exc: BaseException) -> str:
    done = days.index(day)
    loaded = f"{days[0]}..{days[done - 1]} are loaded" if done else "no day was loaded"
    return (
        f"backfill stopped at {day} (day {done + 1} of {len(days)}): {exc}\n  {loaded}; run the same "
        f"backfill again to resume from {day} (loaded days are skipped by the run ledger)"
    )
