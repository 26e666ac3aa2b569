"""The `music-analytics-etl` flow, and `python flows/main.py`, the local way to run it.

    python flows/main.py [options]        (= music-analytics run; every option: docs/cli.md)

One run: lock -> schema -> ledger -> plan (new and changed files only) -> transform (raw -> lake)
-> quality gate 1 (lake) -> stage -> quality gate 2 (audit) -> load (publish, one transaction)
-> ledger -> summary; the order is `music_analytics.pipeline.run`, fed the tasks of tasks/.
A backfill runs one such run per day, in order, each as a subflow, and stops at the first
failing day; running it again resumes there. The daily deployment (`scheduled_day`) processes
the day before its scheduled start. Tasks retry transient errors only (tasks/retry.py); a
blocking quality gate fails the flow. With no PREFECT_API_URL, Prefect starts a temporary local
server for the run.
"""

from __future__ import annotations

import os
import sys

# A fresh machine's temporary server can take 20+ s to start; telemetry cannot reach the network.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import argparse
import datetime as dt
import logging
import uuid
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from prefect import flow, get_run_logger

from music_analytics import cli, engines, pipeline, secrets
from music_analytics.config import Config, load_config
from music_analytics.errors import ConfigError, PipelineError
from music_analytics.sources import check_source
from music_analytics.summary import headline
from music_analytics.warehouse import for_config as warehouse_for
from music_analytics_tasks.credentials import export_aws_credentials, warehouse_url_from_block
from music_analytics_tasks.insights import publish_insights
from music_analytics_tasks.stages import TASKS
from music_analytics_tasks.summary import summarize, summarize_backfill


@flow(name="music-analytics-etl")
def music_analytics_etl(
    source: str | None = None,
    warehouse: str | None = None,
    warehouse_block: str | None = None,
    aws_credentials_block: str | None = None,
    engine: str | None = None,
    date: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    backfill: bool = False,
    scheduled_day: bool = False,
    lookback_days: int | None = None,
    reload: bool = False,
    source_moved: bool = False,
    config_file: str | None = None,
    data_dir: str | None = None,
    lake: str | None = None,
    spark_master: str | None = None,
    quality_gates: str | None = None,
    quality_docs: str | None = None,
    lock_timeout: int | None = None,
) -> dict[str, Any]:
    """Raw Sparkify JSON -> lake -> staging -> star schema. Returns the run summary as data.

    warehouse_block / aws_credentials_block name Prefect blocks (prefect-sqlalchemy's
    SqlAlchemyConnector, prefect-aws's AwsCredentials) that hold the credentials, instead of a URL.
    scheduled_day: process the day before the run's scheduled start (the daily deployment).
    backfill: run [start, end] one day at a time, in order.
    source_moved: the source is the warehouse's dataset in a new place (otherwise a run from a
    source other than the one the warehouse was loaded from stops).
    """
    if warehouse_block:
        if warehouse:
            raise ConfigError("give either warehouse or warehouse_block, not both")
        warehouse = warehouse_url_from_block(warehouse_block)
    if aws_credentials_block:
        export_aws_credentials(aws_credentials_block)
    if date is None and scheduled_day and start is None and end is None:
        date = _scheduled_day()
    cfg = load_config(
        config_file,
        source=source,
        warehouse=warehouse,
        engine=engine,
        start=date or start,
        end=date or end,
        data_dir=data_dir,
        lake=lake,
        spark_master=spark_master,
        quality_gates=quality_gates,
        quality_docs=quality_docs,
        lookback_days=lookback_days,
        reload=reload,
        lock_timeout=lock_timeout,
        source_moved=source_moved,
    )
    logger = get_run_logger()
    try:
        if backfill:
            result = _backfill(cfg)
            return _with_insights(cfg, result, any(d["status"] != "skipped" for d in result["days"]))
        summary = pipeline.run(cfg, logger.info, TASKS, run_id=_run_id())
    finally:
        # One Spark session per flow run: shared by the tasks (and their retries), stopped here.
        engines.shutdown()
    # The full summary is an artifact (and what the CLI prints): the log gets one line.
    logger.info(headline(summary))
    return _with_insights(cfg, summarize(cfg, summary), summary.status != "skipped")


def _with_insights(cfg: Config, result: dict[str, Any], changed: bool) -> dict[str, Any]:
    """The run's result with the insights published after it (artifacts and the HTML report).

    A run that loaded nothing leaves the warehouse's report as it is: its answers cannot have moved.
    """
    if not changed and cfg.report_path.is_file():
        result["insights"] = {"html": str(cfg.report_path), "skipped": "nothing new was loaded"}
        result["text"] += f"\ninsights: {cfg.report_path} (unchanged: nothing new was loaded)"
        return result
    result["insights"] = publish_insights(cfg)
    html = result["insights"]["html"]
    result["text"] += (
        f"\ninsights: {html} (music-analytics insights for tables)"
        if html
        else f"\ninsights skipped: {result['insights']['skipped']}"
    )
    return result


# The backfill's resolved config, for its day subflows: a subflow's parameters are stored by the
# Prefect server, and the config may hold a password, so it is handed over here instead.
_BACKFILL_CONFIG: list[Config] = []


@flow(name="music-analytics-etl-day", flow_run_name="day-{day}")
def etl_day(day: dt.date) -> dict[str, Any]:
    """One day of a backfill: a whole run for that day, with its own ledger row and artifacts."""
    cfg = replace(_BACKFILL_CONFIG[-1], start=day, end=day)
    summary = pipeline.run(cfg, get_run_logger().info, TASKS, run_id=_run_id())
    get_run_logger().info(headline(summary))
    return summarize(cfg, summary)


def _backfill(cfg: Config) -> dict[str, Any]:
    days = pipeline.backfill_days(cfg)
    logger = get_run_logger()
    results: list[dict[str, Any]] = []
    # One lock for the whole backfill: the days' runs take it again (re-entrant) without waiting.
    _BACKFILL_CONFIG.append(cfg)
    try:
        with pipeline.locked(cfg, f"backfill {_run_id()}", logger.info):
            for i, day in enumerate(days, start=1):
                logger.info(f"backfill day {i} of {len(days)}: {day}")
                try:
                    results.append(etl_day(day))
                except PipelineError as exc:
                    summarize_backfill(days, results, failed=day)
                    raise type(exc)(pipeline.backfill_stopped(days, day, exc)) from exc
    finally:
        _BACKFILL_CONFIG.pop()
    return summarize_backfill(days, results)


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


def _without_password(url: str | None) -> str | None:
    """Flow parameters are stored by the Prefect server: keep the password out of them."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    secrets.register(parts.password)
    os.environ["MUSIC_ANALYTICS_WAREHOUSE_PASSWORD"] = parts.password
    netloc = parts.netloc.replace(f":{parts.password}@", "@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class _CliFormatter(logging.Formatter):
    """The terminal's line: time, the stage, the message; no traceback (the server's log keeps it).

    `06:38:26  stage               staged 154 rows into staging.artists`
    """

    def format(self, record: logging.LogRecord) -> str:
        stage = getattr(record, "task_name", None)
        if stage is None:
            run = str(getattr(record, "flow_run_name", ""))
            stage = run if run.startswith("day-") else ("run" if run else record.name)
        level = "" if record.levelno == logging.INFO else f"{record.levelname}: "
        when = self.formatTime(record, "%H:%M:%S")
        return f"{when}  {stage:<22} {level}{record.getMessage()}"


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
)


class _NoChatter(logging.Filter):
    """Drops Prefect's echoes on the console: states, failures restated per task, subflow and flow."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("prefect"):
            return True
        if record.name.startswith(("prefect.task_runs", "prefect.flow_runs")) and record.levelno >= logging.ERROR:
            return False
        return not record.getMessage().startswith(_CHATTER)


def _console_for_the_cli() -> None:
    """On the terminal: the stage lines, warnings and one error line; no tracebacks, no repeats.

    Only console handlers are changed: the run's logs on the Prefect server keep everything.
    """
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in list(logging.root.manager.loggerDict))]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if type(handler).__name__ == "PrefectConsoleHandler" and not isinstance(handler.formatter, _CliFormatter):
                handler.setFormatter(_CliFormatter())
                handler.addFilter(_NoChatter())


def run_from_args(args: argparse.Namespace) -> int:
    def body() -> int:
        # Validate config, source and warehouse before paying for Prefect's start-up: a local
        # run with a wrong URL should fail in a second, not after the tasks' transient retries.
        cfg = cli.config_from_args(args)
        if cfg.source and check_source(cfg.source) is None:  # an s3:// source: list it once
            from music_analytics import s3

            s3.check(cfg, cfg.source)
        warehouse_for(cfg).check()
        pipeline.check_source(cfg)
        if cfg.engine == "spark" and not cfg.spark_master.startswith("sc://"):
            from music_analytics.engines.spark_session import check_java

            check_java()
        if not args.verbose:
            _console_for_the_cli()
        if not os.environ.get("PREFECT_API_URL"):
            print(
                "starting Prefect's temporary server for this run (set PREFECT_API_URL to use a running one)",
                file=sys.stderr,
            )
        result = music_analytics_etl(
            source=args.source,
            warehouse=_without_password(args.warehouse),
            engine=args.engine,
            start=cfg.start,
            end=cfg.end,
            backfill=args.backfill,
            lookback_days=args.lookback_days,
            reload=args.reload,
            source_moved=args.source_moved,
            config_file=args.config,
            data_dir=args.data_dir,
            lake=args.lake,
            spark_master=args.spark_master,
            quality_gates=args.quality_gates,
            quality_docs=args.quality_docs,
            lock_timeout=args.lock_timeout,
        )
        print(result["text"])
        cli.write_summary_json(args.summary_json, result)
        return 0

    return cli.report_errors(args.verbose, body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python flows/main.py",
        description=cli.RUN_DESCRIPTION,
        epilog=cli.RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli.add_run_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
