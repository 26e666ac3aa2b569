"""A run carried out one step per call, each call possibly its own process: the Airflow DAG's tasks.

    run_id = start(cfg, owner)          extract: lock, schema, ledger row 'running', the plan
    step(cfg, run_id, "transform")      ... then each of pipeline.STEPS after extract, in order
    insights(cfg, run_id)               the report, when something changed (or there is none yet)
    end(cfg, run_id)                    always last: a run that did not finish is recorded failed

The steps and their order are pipeline.STEPS, the same functions `pipeline.run` calls in one
process; this module only carries a run's RunSummary from one call to the next and keeps its turn
on the warehouse between them. Each call takes the pipeline lock for its own work, and the run
holds the warehouse's lease (music_analytics.lease) from `start` until its last step, so a run of
another orchestrator (the Prefect flow, the CLI) waits for the whole DAG run, not one task.

The RunSummary between calls is a pickle in <data_dir>/runs/<run_id>/ (the data directory is
where the lake already is, so every worker that can run a task sees it; it is this pipeline's own
file, read only by it). It holds counts, paths, the plan and the gates' results: no configuration,
no credentials (the summary's warehouse is the URL with its password masked). What goes between
calls in an orchestrator (XCom) is the run id alone.
"""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import lease, pipeline, secrets
from . import warehouse as wh
from .config import Config
from .errors import PipelineError
from .ledger import check_run_id
from .pipeline import Hooks, InsightsOutcome, Progress, RunSummary
from .summary import headline

STEP_NAMES: tuple[str, ...] = tuple(name for name, _ in pipeline.STEPS)
_BY_NAME = dict(pipeline.STEPS)
_STATE = "state.pickle"


class NothingToDo(PipelineError):
    """The run's plan found every file loaded and unchanged: its later steps have nothing to do."""


@dataclass
class _State:
    summary: RunSummary
    done: tuple[str, ...] = ()  # the steps carried out, in order
    error: str | None = None  # the failing step's message (masked), for the ledger


def _quiet(_message: str) -> None:
    return None


def state_dir(cfg: Config, run_id: str) -> Path:
    return cfg.data_dir / "runs" / check_run_id(run_id)


def start(cfg: Config, owner: str, run_id: str | None = None, say: Progress = _quiet) -> str:
    """The first step (extract): take the warehouse's turn, record the run, plan it. Returns its id.

    `owner` names the run in another run's waiting message (e.g. the Airflow DAG run).
    """
    p = cfg.pipeline
    summary = RunSummary(source="", warehouse=str(cfg.warehouse), engine=p.engine, first_day=p.start, last_day=p.end)
    if run_id:
        summary.run_id = check_run_id(run_id)
    with summary.timed("source"):
        summary.source = pipeline.resolve_source(cfg, say)
    with pipeline.locked(cfg, summary.run_id, say, lease_of=summary.run_id):
        with summary.timed("schema"):
            pipeline.create_schema(cfg)
        lease.take(wh.for_config(cfg), summary.run_id, owner, p.lease_timeout)
        state = _State(summary)
        _save(cfg, state)
        with _recorded(cfg, state):
            pipeline.begin(cfg, summary)
            _carry_out(cfg, state, STEP_NAMES[0], say)
    return summary.run_id


def step(cfg: Config, run_id: str, name: str, say: Progress = _quiet) -> None:
    """One of the steps after extract, in pipeline.STEPS order; NothingToDo when the plan was empty."""
    if name not in STEP_NAMES[1:]:
        raise ValueError(f"step {name!r}: expected one of {', '.join(STEP_NAMES[1:])}")
    state = _load(cfg, run_id)
    if state.summary.status == "skipped":
        raise NothingToDo(f"run {run_id}: nothing new to load, no {name}")
    expected = STEP_NAMES[len(state.done)] if len(state.done) < len(STEP_NAMES) else None
    if state.summary.status != "running" or name != expected:
        raise PipelineError(
            f"run {run_id} is {state.summary.status} after {', '.join(state.done) or 'no step'}: "
            f"its next step is {expected or 'none'}, not {name}"
        )
    with _recorded(cfg, state), pipeline.locked(cfg, run_id, say, lease_of=run_id):
        lease.renew(wh.for_config(cfg), run_id)
        _carry_out(cfg, state, name, say)


def insights(cfg: Config, run_id: str, say: Progress = _quiet) -> InsightsOutcome | None:
    """The insights after the run, as `pipeline.execute` decides them (None: [reports] insights off)."""
    summary = _load(cfg, run_id).summary
    if summary.status not in ("succeeded", "skipped"):
        raise PipelineError(f"run {run_id} is {summary.status}: no insights after it")
    return pipeline.insights_after(cfg, summary.status != "skipped", Hooks(say))


def end(cfg: Config, run_id: str, say: Progress = _quiet) -> str:
    """Always the last call: a run that did not get to its end is recorded failed (with its error) and
    gives its turn up. Removes the run's state; returns its status (or 'unknown': no state)."""
    try:
        state = _load(cfg, run_id)
    except PipelineError as exc:
        say(str(exc))
        return "unknown"
    summary = state.summary
    if summary.status == "running":
        summary.status = "failed"
        with pipeline.locked(cfg, run_id, say, lease_of=run_id):
            try:
                pipeline.finish(cfg, summary, state.error or "a step of the run did not finish")
            finally:
                lease.release(wh.for_config(cfg), run_id)
        say(f"run {run_id} failed after {', '.join(state.done) or 'no step'}: recorded in the run ledger")
    shutil.rmtree(state_dir(cfg, run_id), ignore_errors=True)
    return summary.status


def _carry_out(cfg: Config, state: _State, name: str, say: Progress) -> None:
    """Run one step; a run it ends is recorded in the ledger and gives the warehouse's turn up."""
    summary = state.summary
    try:
        _BY_NAME[name](cfg, summary, Hooks(say))
    finally:
        if name == "transform":
            from .engines import shutdown

            shutdown()  # a Spark session does not outlive its task
    state.done = (*state.done, name)
    _save(cfg, state)
    if summary.status != "running":
        pipeline.finish(cfg, summary)
        lease.release(wh.for_config(cfg), summary.run_id)
        say(headline(summary))


@contextmanager
def _recorded(cfg: Config, state: _State) -> Iterator[None]:
    """A failing call's message is kept with the run's state, for `end` to record in the ledger."""
    try:
        yield
    except BaseException as exc:
        state.error = secrets.redact(str(exc))
        _save(cfg, state)
        raise


def _save(cfg: Config, state: _State) -> None:
    folder = state_dir(cfg, state.summary.run_id)
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / f"{_STATE}.tmp"
    scratch.write_bytes(pickle.dumps(state))
    scratch.replace(folder / _STATE)  # a task killed while writing leaves the last whole state


def _load(cfg: Config, run_id: str) -> _State:
    path = state_dir(cfg, run_id) / _STATE
    try:
        state = pickle.loads(path.read_bytes())  # the pipeline's own file (see the module doc)
    except FileNotFoundError:
        raise PipelineError(
            f"run {run_id}: no state at {path} (its extract did not run, or the data directory "
            "[pipeline] data_dir differs between the tasks' workers)"
        ) from None
    if not isinstance(state, _State):
        raise PipelineError(f"run {run_id}: {path} is not a run's state")
    return state
