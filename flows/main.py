"""The `music_analytics_etl` flow, and `python flows/main.py`, the local way to run it.

    python flows/main.py [--source DIR] [--warehouse URL] [--engine duckdb|spark] [--spark-master URL]
                         [--date YYYY-MM-DD | --start YYYY-MM-DD --end YYYY-MM-DD] [--config FILE]

Order: resolve source -> create schema -> transform (raw -> lake) -> quality gate 1 (lake) ->
stage -> quality gate 2 (audit of the staged rows) -> load (publish, one transaction) -> summary.
Tasks retry transient errors only (see tasks/retry.py); a blocking quality gate fails the flow.
With no PREFECT_API_URL, Prefect starts a temporary local server for the run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if __package__ in (None, ""):
    # `python flows/main.py` puts flows/ on sys.path, not the project root that holds tasks/.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# A fresh machine's temporary server can take 20+ s to start; telemetry cannot reach the network.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import argparse
import datetime as dt
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from prefect import flow, get_run_logger

from music_analytics import cli, engines, secrets
from music_analytics.config import load_config
from music_analytics.pipeline import RunSummary
from music_analytics.sources import check_source
from music_analytics.summary import format_summary
from music_analytics.warehouse import connect as warehouse_adapter
from tasks.load import load
from tasks.quality import lake_gate, warehouse_gate
from tasks.schema import create_schema
from tasks.stage import stage
from tasks.summary import summarize
from tasks.transform import resolve_source, transform


@flow(name="music_analytics_etl")
def music_analytics_etl(
    source: str | None = None,
    warehouse: str | None = None,
    engine: str | None = None,
    date: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    config_file: str | None = None,
    data_dir: str | None = None,
    lake: str | None = None,
    spark_master: str | None = None,
    quality_gates: str | None = None,
    quality_docs: str | None = None,
) -> dict[str, Any]:
    """Raw Sparkify JSON -> lake -> staging -> star schema. Returns the run summary as data."""
    cfg = load_config(config_file, source=source, warehouse=warehouse, engine=engine,
                      start=date or start, end=date or end, data_dir=data_dir, lake=lake, spark_master=spark_master,
                      quality_gates=quality_gates, quality_docs=quality_docs)
    summary = RunSummary(source="", warehouse=str(cfg.warehouse), engine=cfg.engine, run_id=_run_id())
    try:
        with summary.timed("source"):
            summary.source = resolve_source(cfg)
        with summary.timed("schema"):
            create_schema(cfg)
        with summary.timed("transform"):
            summary.transform = transform(cfg, summary.source)
        lake_path = summary.transform.lake
        with summary.timed("lake gate"):
            summary.add_gate(lake_gate(cfg, lake_path, summary.run_id))
        with summary.timed("stage"):
            staged = stage(cfg, lake_path)
        with summary.timed("audit"):
            summary.add_gate(warehouse_gate(cfg, lake_path, summary.run_id))
        with summary.timed("load"):
            summary.merge = load(cfg, staged)
    finally:
        # One Spark session per flow run: shared by the tasks (and their retries), stopped here.
        engines.shutdown()
    get_run_logger().info(format_summary(summary))
    return summarize(summary)


def _run_id() -> str:
    """The flow run's id (quality history rows and Data Docs pages carry it)."""
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


class _WithoutTraceback(logging.Formatter):
    """Formats like the wrapped formatter but leaves the traceback out (console only)."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def _console_without_tracebacks() -> None:
    """Prefect logs task failures with tracebacks; on the terminal we promise one error line.

    Only console handlers are changed: the run's logs on the Prefect server keep the traceback.
    """
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in list(logging.root.manager.loggerDict))]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if type(handler).__name__ == "PrefectConsoleHandler" and not isinstance(
                handler.formatter, _WithoutTraceback
            ):
                handler.setFormatter(_WithoutTraceback(handler.formatter))


def run_from_args(args: argparse.Namespace) -> int:
    def body() -> int:
        # Validate config, source and warehouse before paying for Prefect's start-up: a local
        # run with a wrong URL should fail in a second, not after the tasks' transient retries.
        cfg = cli.config_from_args(args)
        if cfg.source:
            check_source(cfg.source)
        warehouse_adapter(cfg.warehouse).check()
        if cfg.engine == "spark" and not cfg.spark_master.startswith("sc://"):
            from music_analytics.engines.spark_session import check_java

            check_java()
        if not args.verbose:
            _console_without_tracebacks()
        result = music_analytics_etl(
            source=args.source, warehouse=_without_password(args.warehouse), engine=args.engine,
            start=cfg.start, end=cfg.end, config_file=args.config, data_dir=args.data_dir, lake=args.lake,
            spark_master=args.spark_master, quality_gates=args.quality_gates, quality_docs=args.quality_docs,
        )
        print(result["text"])
        cli.write_summary_json(args.summary_json, result)
        return 0

    return cli.report_errors(args.verbose, body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python flows/main.py", description=cli.RUN_DESCRIPTION, epilog=cli.RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli.add_run_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
