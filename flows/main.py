"""The `music-analytics-etl` flow, and `python flows/main.py`, the local way to run it.

    python flows/main.py [options]        (= music-analytics run; every option: docs/cli.md)

The flow takes one parameter, `request`: the run's settings as overrides (the fields are the
settings' flags, music_analytics.config), a day, and the Prefect blocks holding credentials. It
never holds a secret: Prefect stores parameters on its server. What kind of run it is comes from
the entrypoint, so a deployment's mode cannot be lost when a run replaces its request (Prefect
merges run parameters over the deployment's at the top level only):

    music_analytics_etl        one run: the request's days, or every new file (the manual deployment)
    music_analytics_daily      the day before the scheduled start unless the request names days (daily)
    music_analytics_backfill   the request's [start, end], one day at a time, in order (backfill)

All three are the flow `music-analytics-etl` on the server. The flow resolves the configuration
once (INI < environment < request) and hands it to music_analytics.pipeline.execute, the one owner
of the run order, with hooks that make each stage a Prefect task with transient-only retries,
each backfill day a subflow, and what the run reports Prefect artifacts. A CLI run resolves the
configuration itself (also once) and provides it to the flow in-process, so a password given on
the command line never becomes a parameter. With no PREFECT_API_URL, the CLI's runner
(music_analytics_flows.runner) starts a temporary local server for the run; a flow called any other
way gets Prefect's own.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    # `python flows/main.py`: the command line is parsed (--help, --version, usage and configuration
    # errors answered) before Prefect, pandas or GX are imported: they cost seconds, a one-line error
    # should not. The run imports this module again, as music_analytics_flows.main (runner.py).
    from music_analytics import cli

    sys.exit(cli.run_main(prog="python flows/main.py"))

# A fresh machine's temporary server can take 20+ s to start; telemetry cannot reach the network.
# (A CLI run starts its own temporary server, music_analytics_flows.runner, with its own patience.)
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import contextlib
import contextvars
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pydantic
from prefect import flow, get_run_logger

from music_analytics import config, engines, pipeline
from music_analytics.config import Config, load_config
from music_analytics.errors import ConfigError
from music_analytics.pipeline import Hooks, RunSummary
from music_analytics.summary import headline, outcome_dict
from music_analytics_flows.runner import CliFormatter
from music_analytics_tasks import artifacts
from music_analytics_tasks.credentials import export_aws_credentials, warehouse_url_from_block
from music_analytics_tasks.stages import TASKS


def _request_model() -> type[pydantic.BaseModel]:
    """The flow's one parameter: every setting that has a flag (its name and type), and the
    deployment's own fields. Generated from the settings declaration, so a new setting is a new field."""
    fields: dict[str, Any] = {s.dest: (config.python_type(s) | None, None) for s in config.flag_settings()}
    fields.update(
        {
            "date": (dt.date | None, None),  # one day: start = end
            "warehouse_block": (str | None, None),  # a prefect-sqlalchemy SqlAlchemyConnector block: the warehouse
            "aws_credentials_block": (str | None, None),  # a prefect-aws AwsCredentials block: S3 credentials
            "config_file": (str | None, None),  # an INI file on the worker
        }
    )
    model: type[pydantic.BaseModel] = pydantic.create_model("RunRequest", **fields)
    return model


RunRequest = _request_model()

# The configuration a CLI run resolved, handed to its flow in-process (not as a parameter).
_PROVIDED: contextvars.ContextVar[Config | None] = contextvars.ContextVar("music_analytics_config", default=None)
# The run of the backfill day being carried out by the etl_day subflow.
_DAY: contextvars.ContextVar[Callable[[], RunSummary] | None] = contextvars.ContextVar(
    "music_analytics_day", default=None
)


@flow(name="music-analytics-etl")
def music_analytics_etl(request: RunRequest | None = None) -> dict[str, Any]:  # type: ignore[valid-type]
    """Raw Sparkify JSON -> lake -> staging -> star schema -> insights. Returns what the run did, as data."""
    return _execute(request)


@flow(name="music-analytics-etl")
def music_analytics_daily(request: RunRequest | None = None) -> dict[str, Any]:  # type: ignore[valid-type]
    """The daily run: the day before the run's scheduled start (UTC), unless the request names days."""
    return _execute(request, scheduled_day=True)


@flow(name="music-analytics-etl")
def music_analytics_backfill(request: RunRequest | None = None) -> dict[str, Any]:  # type: ignore[valid-type]
    """[start, end] one day at a time, in order; stops at the first failing day, and resumes there when rerun."""
    return _execute(request, backfill=True)


def _execute(request: Any, *, backfill: bool = False, scheduled_day: bool = False) -> dict[str, Any]:
    cfg = _PROVIDED.get() or resolve(request or RunRequest(), scheduled_day=scheduled_day)
    try:
        outcome = pipeline.execute(cfg, PrefectHooks(cfg), backfill_range=backfill, run_id=_run_id())
    finally:
        # One Spark session per flow run: shared by the tasks (and their retries), stopped here.
        engines.shutdown()
    return outcome_dict(outcome)


def resolve(request: Any, *, scheduled_day: bool = False) -> Config:
    """The run's configuration from a request: INI (config_file, or ./music-analytics.ini) < environment
    < the request; credentials from the blocks it names. `scheduled_day`: with no days in the
    request, the day before the scheduled start."""
    values = request.model_dump(exclude_none=True)
    block, aws_block = values.pop("warehouse_block", None), values.pop("aws_credentials_block", None)
    config_file, date = values.pop("config_file", None), values.pop("date", None)
    if block:
        if "warehouse" in values:
            raise ConfigError("give either warehouse or warehouse_block, not both")
        values["warehouse"] = warehouse_url_from_block(block)
    if aws_block:
        export_aws_credentials(aws_block)
    if date is None and scheduled_day and "start" not in values and "end" not in values:
        date = _scheduled_day()
    if date is not None:
        values["start"] = values["end"] = date
    return load_config(config_file, **values)


class PrefectHooks(Hooks):
    """The pipeline's stages as Prefect tasks, backfill days as subflows, results as artifacts."""

    def __init__(self, cfg: Config) -> None:
        super().__init__(_log)
        self.cfg = cfg

    def stage(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        return TASKS[name](*args, say=_log)

    def day(self, day: dt.date, fn: Callable[[], RunSummary]) -> RunSummary:
        token = _DAY.set(fn)
        try:
            return etl_day(day)
        finally:
            _DAY.reset(token)

    def publish(self, kind: str, value: Any) -> None:
        if kind == "gate":
            artifacts.gate(value)
        elif kind == "summary":
            # The full summary is an artifact (and what the CLI prints): the log gets one line.
            get_run_logger().info(headline(value))
            artifacts.summary(self.cfg, value)
        elif kind == "backfill":
            artifacts.backfill(value)
        elif kind == "insights":
            artifacts.insights(self.cfg, value)


def _log(message: str) -> None:
    """Progress of library code running inside a task or flow: that run's log."""
    get_run_logger().info(message)


@flow(name="music-analytics-etl-day", flow_run_name="day-{day}")
def etl_day(day: dt.date) -> RunSummary:
    """One day of a backfill: a whole run for that day, with its own ledger row and artifacts."""
    run = _DAY.get()
    if run is None:
        raise ConfigError("music-analytics-etl-day runs inside a backfill of music-analytics-etl, not on its own")
    return run()


def _scheduled_day() -> dt.date:
    """The day a scheduled daily run processes: the one before its scheduled start (UTC).

    A run scheduled for 02:00 on the 16th loads the 15th, whose log file is complete by then.
    """
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time
    when = scheduled.astimezone(dt.UTC) if scheduled is not None else dt.datetime.now(dt.UTC)
    return when.date() - dt.timedelta(days=1)


def _run_id() -> str:
    """The flow run's id (ledger rows, quality history rows and Data Docs pages carry it)."""
    from prefect.runtime import flow_run

    return str(flow_run.get_id() or uuid.uuid4().hex)


# -- the command line --------------------------------------------------------------------------------


# Prefect's own account of a run (task and flow states, the temporary server) says nothing the
# stage lines and the summary do not; failures are the CLI's one error line.
_CHATTER = (
    "Finished in state ",
    "Beginning flow run",
    "Beginning subflow run",
    "Created task run",
    "Starting temporary server",
    "Stopping temporary server",
    "Executing ",
    "View at ",  # the temporary server serves no UI, and stops with the run
)


class _NoChatter(logging.Filter):
    """Drops Prefect's echoes on the console: states, failures restated per task, subflow and flow."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("prefect"):
            return True
        if record.name.startswith(("prefect.task_runs", "prefect.flow_runs")) and record.levelno >= logging.ERROR:
            return False
        return not record.getMessage().startswith(_CHATTER)


def console_for_the_cli() -> None:
    """On the terminal: the stage lines, warnings and one error line; no tracebacks, no repeats.

    Only console handlers are changed: the run's logs on the Prefect server keep everything.
    """
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in list(logging.root.manager.loggerDict))]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if type(handler).__name__ == "PrefectConsoleHandler" and not isinstance(handler.formatter, CliFormatter):
                handler.setFormatter(CliFormatter())
                handler.addFilter(_NoChatter())


@contextmanager
def provided(cfg: Config) -> Iterator[None]:
    """Hand a resolved configuration to flows started in this context (instead of resolving a request)."""
    token = _PROVIDED.set(cfg)
    try:
        yield
    finally:
        _PROVIDED.reset(token)


def run_flow(cfg: Config, request: dict[str, Any], *, backfill: bool, api_url: str | None = None) -> dict[str, Any]:
    """The flow, in this process, with the configuration the CLI resolved (music_analytics_flows.runner),
    against the Prefect server at `api_url` (default: Prefect's settings)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = temporary_settings(updates={PREFECT_API_URL: api_url}) if api_url else contextlib.nullcontext()
    with server, provided(cfg):
        flow_fn = music_analytics_backfill if backfill else music_analytics_etl
        try:
            result: dict[str, Any] = flow_fn(RunRequest(**request))
        finally:
            if api_url:
                _drain_to_server()
    return result


def _drain_to_server() -> None:
    """Send the logs and events Prefect still holds while the run's temporary server is up: once it
    is stopped, Prefect's workers retry for about a minute at exit ("Error logging to API")."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            worker.drain_all(timeout=10)


def main(argv: list[str] | None = None) -> int:
    from music_analytics import cli

    return cli.run_main(argv, prog="python flows/main.py")
