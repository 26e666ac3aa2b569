"""The pipeline's stages as plain functions, and the one place that says in which order they run.

lock -> schema -> ledger row -> plan (which files are new or changed; the song catalogue) ->
engine transform -> the run's lake batch (Parquet) -> quality gate 1 -> staging tables -> quality
gate 2 (audit) -> star-schema merge (publish, one transaction, with the ledger's file rows) ->
the batch published into the cumulative lake -> ledger row -> summary -> insights. A backfill is
that run once per day, in order, then the insights once.

`execute` is the entry point of every way to run it (the CLI, the Prefect flow, the benchmarks,
tests). How the stages are carried out is a `Hooks` value: `Hooks()` calls them plainly; the
Prefect layer (music_analytics_tasks) runs each as a task with retries, each backfill day as a
subflow, and publishes what the run reports (gates, summary, insights) as artifacts. It adds,
it never reorders: the order and every decision (a gate's verdict included) are made here.
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
from typing import Any, TypeVar

from . import lake as lake_mod
from . import lease as lease_mod
from . import ledger, secrets
from . import warehouse as wh
from .config import Config
from .engines import TransformResult, get_engine
from .errors import ConfigError, PipelineError, QualityGateError, RejectedTooMuchError, WarehouseError
from .ledger import Plan
from .quality.results import HISTORY_COLUMNS, GateResult
from .sources import SourceFiles, canonical, discover, quarantine
from .tables import LOADED_FILES

Progress = Callable[[str], None]
T = TypeVar("T")


def _quiet(_message: str) -> None:
    return None


class Hooks:
    """How the stages are carried out, and who hears about the run. The default: plainly, silently.

    stage(name, fn, *args): run one stage (an orchestrator: as a task with retries).
    day(day, fn): run one backfill day (an orchestrator: as a child run).
    publish(kind, value): a result to show: "gate" GateResult, "summary" RunSummary, "insights"
    InsightsOutcome, "backfill" Backfill.
    say(message): progress.
    """

    def __init__(self, say: Progress = _quiet) -> None:
        self.say = say

    def stage(self, name: str, fn: Callable[..., T], *args: Any) -> T:
        return fn(*args, say=self.say)

    def day(self, day: dt.date, fn: Callable[[], RunSummary]) -> RunSummary:
        return fn()

    def publish(self, kind: str, value: Any) -> None:
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

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Record the wall time of the block as the seconds of `stage`."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = time.perf_counter() - t0


@dataclass(frozen=True)
class InsightsOutcome:
    """What the insights stage left: the report's path (None when skipped) and why it was skipped."""

    html: Path | None
    url: str | None = None
    skipped: str | None = None
    top_song: str | None = None
    plays: int = 0
    # The answers the page was written from, for hooks that publish more than the page (artifacts).
    report: Any = field(default=None, repr=False, compare=False)


@dataclass
class Outcome:
    """What `execute` returns: the run (a backfill: one per day) and the insights after it."""

    runs: list[RunSummary]
    backfill: bool
    days: list[dt.date] = field(default_factory=list)
    insights: InsightsOutcome | None = None

    @property
    def summary(self) -> RunSummary:
        return self.runs[-1]


# -- the lock ----------------------------------------------------------------------------------

_HELD: dict[str, tuple[wh.WarehouseLock, int]] = {}  # warehouse -> (lock, nesting depth), this process


@contextmanager
def locked(cfg: Config, owner: str, say: Progress = _quiet, lease_of: str | None = None) -> Iterator[None]:
    """Hold the warehouse's pipeline lock for the block; wait up to [pipeline] lock_timeout seconds.

    Re-entrant within a process (a backfill holds it across its days). Runs on one warehouse share
    its staging tables, and the lake: two at once would publish each other's rows. A stepwise run
    between its tasks holds no lock but a lease (music_analytics.lease): it is waited for like the
    lock, except by that run's own tasks (`lease_of`: its run id).
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
    timeout = cfg.pipeline.lock_timeout
    warehouse = wh.for_config(cfg)
    lock = warehouse.lock(f"run {owner} on {socket.gethostname()}")
    waited, deadline, next_note = 0.0, time.monotonic() + timeout, 0.0
    t0 = time.monotonic()
    while (holder := _holder(cfg, warehouse, lock, lease_of)) is not None:
        waited = time.monotonic() - t0
        if time.monotonic() >= deadline:
            raise WarehouseError(
                f"warehouse {cfg.warehouse}: another pipeline run holds the lock: {holder}; waited "
                f"{waited:.0f} s ([pipeline] lock_timeout = {timeout} s). Runs on one warehouse take turns; "
                "rerun when it has finished, or raise the timeout to wait longer"
            )
        if waited >= next_note:
            say(f"waiting for the warehouse lock held by {holder} (up to {timeout} s)")
            next_note = waited + 30
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
    _HELD[key] = (lock, 1)
    try:
        yield
    finally:
        del _HELD[key]
        lock.release()


def _holder(cfg: Config, warehouse: wh.Warehouse, lock: wh.WarehouseLock, lease_of: str | None) -> str | None:
    """None once this process has the lock and no other run's lease is fresh; else who has the turn."""
    if not lock.try_acquire():
        return lock.holder()
    try:
        other = lease_mod.held_by_other(warehouse, lease_of, cfg.pipeline.lease_timeout)
    except BaseException:
        lock.release()
        raise
    if other is None:
        return None
    lock.release()  # between its tasks, the lease's run needs the lock back for its next one
    return f"{other.describe()} (between its tasks; [pipeline] lease_timeout = {cfg.pipeline.lease_timeout} s)"


def ensure_lock(cfg: Config) -> None:
    """Before writing: check this process still holds the lock (taken back after a database restart)."""
    held = _HELD.get(str(cfg.warehouse))
    if held is not None:
        held[0].ensure()


# -- before anything: the checks a user error fails in a second ---------------------------------


def preflight(cfg: Config) -> None:
    """Configuration, source, warehouse and engine, checked before any work (one-line errors)."""
    from . import s3
    from .sources import check_source as check_folder

    if cfg.pipeline.source and check_folder(cfg.pipeline.source) is None:  # an s3:// source: list it once
        s3.check(cfg.s3, cfg.pipeline.source)
    wh.for_config(cfg).check()
    check_source(cfg)
    if cfg.pipeline.engine == "spark" and not cfg.spark.master.startswith("sc://"):
        from .engines.spark_session import check_java

        check_java()


def check_source(cfg: Config) -> None:
    """The run's source must be the one the warehouse was loaded from."""
    ledger.check_source(
        wh.for_config(cfg), canonical(cfg.pipeline.source or str(cfg.demo_path)), cfg.pipeline.source_moved
    )


# -- the stages: plain functions of the config and small values --------------------------------


def resolve_source(cfg: Config, say: Progress = _quiet) -> str:
    """The run's source, canonical (an absolute folder path or s3://bucket/prefix): the configured
    one, or the demo dataset (made on first use). The ledger records it with the run."""
    if cfg.pipeline.source:
        return canonical(cfg.pipeline.source)
    from .demo import ensure_demo

    return canonical(str(ensure_demo(cfg, say)))


def create_schema(cfg: Config, say: Progress = _quiet) -> None:
    wh.for_config(cfg).create_schema()


def begin(cfg: Config, summary: RunSummary, say: Progress = _quiet) -> None:
    """Record the run in the ledger as running."""
    ensure_lock(cfg)
    ledger.write_run(wh.for_config(cfg), ledger_row(summary))


def finish(cfg: Config, summary: RunSummary, error: str | None = None, say: Progress = _quiet) -> None:
    """Record the run's outcome in the ledger."""
    ensure_lock(cfg)
    ledger.write_run(wh.for_config(cfg), ledger_row(summary, error))


def list_files(
    cfg: Config, source: str, start: dt.date | None, end: dt.date | None, say: Progress = _quiet
) -> SourceFiles:
    """The source's files for [start, end]: a folder as it is, an s3:// prefix through a local mirror."""
    from . import s3

    if s3.is_s3(source):
        return s3.discover(cfg, source, start, end, say)
    return discover(source, start, end)


def plan(cfg: Config, source: str, say: Progress = _quiet) -> Plan:
    """Which files this run reads (ledger: new or changed only), and the song catalogue for matching."""
    warehouse = wh.for_config(cfg)
    chosen = _choose_files(cfg, warehouse, source, say)
    for warning in chosen.warnings():
        say(f"warning: {warning}")
    if chosen.nothing_to_do:  # no transform follows: no catalogue to export
        say(f"plan: {chosen.describe()}")
        return chosen
    catalogue = cfg.work_path / "catalogue" / "songs.parquet"
    known = warehouse.export_catalogue(catalogue)
    chosen.files = replace(chosen.files, catalogue=catalogue)
    say(f"plan: {chosen.describe()}; {known:,} songs already in the warehouse to match plays against")
    return chosen


def _choose_files(cfg: Config, warehouse: wh.Warehouse, source: str, say: Progress) -> Plan:
    """The range's files (with the lookback) against the ledger: which are new or changed."""
    p = cfg.pipeline
    first = p.start - dt.timedelta(days=p.lookback_days) if p.start else None
    ledger.check_source(warehouse, source, p.source_moved)
    files = list_files(cfg, source, first, p.end, say)
    return ledger.plan(files, ledger.loaded_files(warehouse), p.start, p.reload, say)


def nothing_new(cfg: Config) -> bool:
    """Whether a run now would load nothing and leave the insights report as it is.

    A cheap, read-only look (no lock, no schema change, no catalogue export) that lets a caller
    skip costly set-up, such as Prefect's temporary server (10-25 s) for a run with nothing to do.
    Any doubt is False and left to the run itself: a reload, an S3 source (listing it mirrors it),
    no ledger yet, a moved source, a missing report, any error.
    """
    from . import s3

    p = cfg.pipeline
    try:
        source = resolve_source(cfg)
        if p.reload or s3.is_s3(source) or (cfg.reports.insights and not cfg.report_path.is_file()):
            return False
        warehouse = wh.for_config(cfg)
        if not warehouse.has_table(LOADED_FILES.name):
            return False
        return _choose_files(cfg, warehouse, source, _quiet).nothing_to_do
    except Exception:
        return False


# Each pass adds the files sharing a key with the last; artists can chain songs across files.
_MAX_WIDENING = 5


def transform(cfg: Config, files: Plan | str, say: Progress = _quiet) -> TransformResult:
    """Raw files -> lake: the plan's files, or (a source folder) every file in cfg's range, ledger unread."""
    p = cfg.pipeline
    chosen = files.files if isinstance(files, Plan) else list_files(cfg, files, p.start, p.end, say)
    engine = get_engine(cfg)
    screened = quarantine(chosen, say)
    result = engine.transform(screened, cfg.lake_path, say)
    if not isinstance(files, Plan):
        return result
    # A record whose key (song_id, artist_id, event) a loaded file also holds: read that file again,
    # so the first record by (file, line) wins, and an artist's variant is chosen from all its
    # songs, exactly as in one run over every file. Splitting files into runs then changes nothing.
    widened: list[str] = []
    for _ in range(_MAX_WIDENING):
        extra = [(chosen.root / f, kind) for f, kind in lake_mod.conflicting_files(cfg.lake_path)]
        extra = [(path, kind) for path, kind in extra if path.is_file()]
        if not extra:
            break
        say(
            f"{len(extra):,} loaded file(s) share a song, artist or event with this run's files (e.g. "
            f"{chosen.relative(extra[0][0])}): reading them again, as one run over all of them would"
        )
        widened.extend(chosen.relative(path) for path, _ in extra)
        # Only the added files are screened; the run's own were screened already.
        added = quarantine(
            replace(
                chosen,
                song_files=tuple(f for f, k in extra if k == "songs"),
                event_files=tuple(f for f, k in extra if k == "events"),
                quarantined=(),
            ),
            say,
        )
        screened = replace(
            screened,
            song_files=tuple(sorted({*screened.song_files, *added.song_files})),
            event_files=tuple(sorted({*screened.event_files, *added.event_files})),
            quarantined=(*screened.quarantined, *added.quarantined),
        )
        result = engine.transform(screened, cfg.lake_path, say)
    result.widened = tuple(widened)
    return result


def check_lake(
    cfg: Config, lake: Path, catalogue: Path | None, run_id: str, say: Progress = _quiet
) -> GateResult | None:
    """Quality gate 1 on the lake, before staging (None when the gate is switched off).

    `catalogue`: the published songs the transform matched plays against (the plan's export).
    """
    if "lake" not in cfg.quality.gates:
        return None
    from . import quality

    say("quality gate 'lake': validating the lake")
    result = quality.check_lake(
        lake,
        run_id=run_id,
        docs_dir=cfg.quality_docs_path,
        catalogue=catalogue,
        project_dir=cfg.quality_project_path,
        progress=say,
    )
    return _gate(cfg, result, say)


def stage(
    cfg: Config, lake: Path, files: Plan | None = None, run_id: str = "", say: Progress = _quiet
) -> wh.MergeCounts:
    ensure_lock(cfg)
    rows = ledger.file_rows(lake, files.states, ledger.check_run_id(run_id), ledger.utcnow()) if files else None
    warehouse = wh.for_config(cfg)
    # Redshift COPYs from S3: the lake goes up first. Other warehouses read the lake's files.
    warehouse.prepare_lake(lake, say)
    return warehouse.stage(lake, say, rows)


def audit(cfg: Config, lake: Path, run_id: str, say: Progress = _quiet) -> GateResult | None:
    """Quality gate 2 on the staged rows, before they are published (None when switched off)."""
    if "warehouse" not in cfg.quality.gates:
        return None
    from . import quality

    say("quality gate 'warehouse': auditing the staged rows")
    result = quality.audit_warehouse(
        wh.for_config(cfg),
        lake,
        run_id=run_id,
        docs_dir=cfg.quality_docs_path,
        project_dir=cfg.quality_project_path,
        progress=say,
    )
    return _gate(cfg, result, say)


def load(cfg: Config, staged: wh.MergeCounts, say: Progress = _quiet) -> wh.MergeCounts:
    ensure_lock(cfg)
    return wh.for_config(cfg).merge(staged, say)


def publish_lake(cfg: Config, say: Progress = _quiet) -> int:
    """Publish the lake batch (lake/_batch) into the cumulative lake if its run's merge committed;
    returns the partitions rewritten. After the load; and before a run plans, to finish a publish
    that a crash interrupted (the batch of a run that failed or was blocked is never published)."""
    run_id = lake_mod.batch_run_id(cfg.lake_path)
    if run_id is None or not ledger.committed(wh.for_config(cfg), run_id):
        return 0
    written = lake_mod.publish(cfg.lake_path, cfg.lake.songs_partition_by)
    say(f"published run {run_id}'s batch into the lake {cfg.lake_path}: {written:,} partitions rewritten")
    return written


def _gate(cfg: Config, result: GateResult, say: Progress) -> GateResult:
    """Record a gate's results in the warehouse's history and report them."""
    ensure_lock(cfg)
    wh.for_config(cfg).append_rows("quality_results", HISTORY_COLUMNS, result.history_rows())
    # A blocking gate's failures are the run's error message (enforce): said once, there.
    say(result.headline() if result.blocking else result.message())
    return result


def insights(cfg: Config, say: Progress = _quiet) -> InsightsOutcome:
    """Answer every insight question over the whole warehouse and write its HTML report."""
    from . import insights as questions
    from .insights import html

    try:
        report = questions.run(wh.for_config(cfg))
    except questions.NotReady as exc:
        # The run's data is published and the ledger says so; a warehouse that cannot answer yet
        # (loaded before the events fact) is reported, not turned into a failed run every day.
        message = secrets.redact(str(exc))
        say(f"warning: insights skipped: {message}")
        return InsightsOutcome(None, skipped=message)
    path = cfg.report_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html.render_html(report), encoding="utf-8")
    top = report.result("top_songs").records()
    return InsightsOutcome(
        path,
        cfg.public_url(path),
        top_song=f"{top[0]['song']} - {top[0]['artist']}" if top else None,
        plays=int(top[0]["plays"]) if top else 0,
        report=report,
    )


# The stages by name: what an orchestrator wraps (music_analytics_tasks makes each a Prefect task).
STAGES: dict[str, Callable[..., Any]] = {
    "resolve-source": resolve_source,
    "create-schema": create_schema,
    "ledger-begin": begin,
    "plan": plan,
    "transform": transform,
    "quality-gate-lake": check_lake,
    "stage": stage,
    "quality-gate-warehouse": audit,
    "load": load,
    "publish-lake": publish_lake,
    "ledger-finish": finish,
    "insights": insights,
}

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
        "engine": s.engine,
        # Loaded = published: a failed run's files are not (the next run reads them again).
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


def run(cfg: Config, hooks: Hooks | None = None, run_id: str | None = None) -> RunSummary:
    """One run: every stage in order, under the warehouse lock, recorded in the ledger and published."""
    h = hooks or Hooks()
    p = cfg.pipeline
    summary = RunSummary(source="", warehouse=str(cfg.warehouse), engine=p.engine, first_day=p.start, last_day=p.end)
    if run_id:
        summary.run_id = ledger.check_run_id(run_id)
    with summary.timed("source"):
        summary.source = h.stage("resolve-source", resolve_source, cfg)
    with locked(cfg, summary.run_id, h.say):
        with summary.timed("schema"):
            h.stage("create-schema", create_schema, cfg)
        h.stage("ledger-begin", begin, cfg, summary)
        try:
            _run_stages(cfg, summary, h)
        except BaseException as exc:
            summary.status = "failed"
            try:
                h.stage("ledger-finish", finish, cfg, summary, str(exc))
            except Exception as ledger_error:  # the warehouse may be why the run failed
                h.say(f"could not record the failed run in the ledger: {ledger_error}")
            raise
        h.stage("ledger-finish", finish, cfg, summary, None)
    h.publish("summary", summary)
    return summary


def _run_stages(cfg: Config, summary: RunSummary, h: Hooks) -> None:
    for _name, step in STEPS:
        step(cfg, summary, h)
        if summary.status != "running":
            return


def _extract(cfg: Config, summary: RunSummary, h: Hooks) -> None:
    """Which files the run reads; none: the run is skipped."""
    h.stage("publish-lake", publish_lake, cfg)  # a batch a crash left unpublished
    with summary.timed("plan"):
        summary.plan = h.stage("plan", plan, cfg, summary.source)
    if summary.plan.nothing_to_do:
        summary.status = "skipped"
        h.say("nothing new to load: every file in range is loaded and unchanged")


def _transform(cfg: Config, summary: RunSummary, h: Hooks) -> None:
    """The planned files -> the run's lake batch; too many rejected records stop the run."""
    assert summary.plan is not None
    with summary.timed("transform"):
        summary.transform = h.stage("transform", transform, cfg, summary.plan)
    lake_mod.mark_batch(cfg.lake_path, summary.run_id)
    for rel in summary.transform.widened:  # the ledger records the files read again, too
        path = summary.plan.files.root / rel
        kind = "songs" if rel.startswith("song_data/") else "events"
        summary.plan.states[rel] = ledger.state_of(summary.plan.files, path, kind)
    check_rejected_fraction(cfg, summary.transform)


def _quality_lake(cfg: Config, summary: RunSummary, h: Hooks) -> None:
    assert summary.plan is not None and summary.transform is not None
    with summary.timed("lake gate"):
        lake, catalogue = summary.transform.lake, summary.plan.files.catalogue
        _verdict(summary, h, h.stage("quality-gate-lake", check_lake, cfg, lake, catalogue, summary.run_id))


def _stage(cfg: Config, summary: RunSummary, h: Hooks) -> None:
    """The batch into the staging tables; summary.merge holds the staged counts until the load."""
    assert summary.transform is not None
    with summary.timed("stage"):
        summary.merge = h.stage("stage", stage, cfg, summary.transform.lake, summary.plan, summary.run_id)


def _quality_warehouse(cfg: Config, summary: RunSummary, h: Hooks) -> None:
    assert summary.transform is not None
    with summary.timed("audit"):
        _verdict(summary, h, h.stage("quality-gate-warehouse", audit, cfg, summary.transform.lake, summary.run_id))


def _load(cfg: Config, summary: RunSummary, h: Hooks) -> None:
    """The one-transaction merge, then the batch into the cumulative lake."""
    assert summary.merge is not None
    with summary.timed("load"):
        summary.merge = h.stage("load", load, cfg, summary.merge)
    with summary.timed("publish lake"):
        h.stage("publish-lake", publish_lake, cfg)
    summary.status = "succeeded"


# A run's steps in order, each leaving its results in the RunSummary: `run` carries them all out in
# one process under one lock; music_analytics.stepwise one per call (an Airflow task each). A step
# that sets the status to anything but "running" ends the run.
STEPS: tuple[tuple[str, Callable[[Config, RunSummary, Hooks], None]], ...] = (
    ("extract", _extract),
    ("transform", _transform),
    ("quality_lake", _quality_lake),
    ("stage", _stage),
    ("quality_warehouse", _quality_warehouse),
    ("load", _load),
)


def check_rejected_fraction(cfg: Config, result: TransformResult) -> None:
    """Stop the run (nothing published) when more of its records were rejected than
    [pipeline] max_rejected_fraction allows; no limit by default."""
    limit = cfg.pipeline.max_rejected_fraction
    read = result.events.records + result.songs.records
    rejected = result.events.rejected + result.songs.rejected
    if limit is None or not read or rejected / read <= limit:
        return
    reasons = ", ".join(
        f"{reason} {n:,}" for reason, n in sorted(result.rejected_by_reason.items(), key=lambda r: -r[1])
    )
    raise RejectedTooMuchError(
        f"{rejected / read:.1%} of the records read were rejected ({rejected:,} of {read:,}: {reasons}), over "
        f"[pipeline] max_rejected_fraction = {limit:g}; nothing was staged or published. The rejected records "
        f"are in {result.lake / 'rejected_records'}"
    )


def _verdict(summary: RunSummary, h: Hooks, result: GateResult | None) -> None:
    """A gate's result: kept for the summary, published, then enforced (here only)."""
    if result is not None:
        summary.quality.append(result)
        h.publish("gate", result)
    enforce(result)


def backfill_days(cfg: Config) -> list[dt.date]:
    """The days of a backfill: the configured range, which must be given."""
    start, end = cfg.pipeline.start, cfg.pipeline.end
    if start is None or end is None:
        raise ConfigError("a backfill needs a date range: start and end (flags, request fields or [pipeline] keys)")
    return ledger.days(start, end)


@dataclass(frozen=True)
class Backfill:
    """A backfill's days and their runs so far (published after every day, and where it stopped)."""

    days: list[dt.date]
    runs: list[RunSummary]
    failed: dt.date | None = None


def backfill(cfg: Config, hooks: Hooks | None = None, run_id: str | None = None) -> list[RunSummary]:
    """Run each day of [start, end] in order, one run per day; stop at the first failing day.

    Rerunning the same backfill resumes: the days already loaded find their files unchanged in
    the ledger and finish at once, so work restarts at the day that failed. One lock is held for
    the whole backfill (the days take it again, re-entrant, without waiting).
    """
    h = hooks or Hooks()
    days = backfill_days(cfg)
    out: list[RunSummary] = []
    with locked(cfg, f"backfill {run_id or uuid.uuid4().hex}", h.say):
        for i, day in enumerate(days, start=1):
            h.say(f"backfill day {i} of {len(days)}: {day}")
            try:
                out.append(h.day(day, partial(run, cfg.for_days(day, day), h)))
            except Exception as exc:
                h.publish("backfill", Backfill(days, out, failed=day))
                if isinstance(exc, PipelineError):
                    raise type(exc)(backfill_stopped(days, day, exc)) from exc
                h.say(backfill_stopped(days, day, exc))
                raise
    h.publish("backfill", Backfill(days, out))
    return out


def backfill_stopped(days: list[dt.date], day: dt.date, exc: BaseException) -> str:
    done = days.index(day)
    loaded = f"{days[0]}..{days[done - 1]} are loaded" if done else "no day was loaded"
    return (
        f"backfill stopped at {day} (day {done + 1} of {len(days)}): {exc}\n  {loaded}; run the same "
        f"backfill again to resume from {day} (loaded days are skipped by the run ledger)"
    )


def execute(
    cfg: Config, hooks: Hooks | None = None, *, backfill_range: bool = False, run_id: str | None = None
) -> Outcome:
    """The whole job: a run (or a backfill, one run per day), then the insights over the warehouse.

    The insights are answered again only when something was loaded, or the warehouse has no report
    yet ([reports] insights switches them off).
    """
    h = hooks or Hooks()
    if backfill_range:
        outcome = Outcome(backfill(cfg, h, run_id), backfill=True, days=backfill_days(cfg))
    else:
        outcome = Outcome([run(cfg, h, run_id)], backfill=False)
    outcome.insights = insights_after(cfg, any(s.status != "skipped" for s in outcome.runs), h)
    return outcome


def insights_after(cfg: Config, changed: bool, h: Hooks) -> InsightsOutcome | None:
    """The insights after the runs: answered again when `changed` (something was loaded) or the
    warehouse has no report yet; None when [reports] insights is off."""
    if not cfg.reports.insights:
        return None
    if not changed and cfg.report_path.is_file():
        return InsightsOutcome(cfg.report_path, cfg.public_url(cfg.report_path), skipped="nothing new was loaded")
    outcome: InsightsOutcome = h.stage("insights", insights, cfg)
    h.publish("insights", outcome)
    return outcome
