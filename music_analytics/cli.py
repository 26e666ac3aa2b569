"""`music-analytics`: the command line, a thin skin over the library.

    music-analytics run       the ETL (the same command as `python flows/main.py`)
    music-analytics generate  a synthetic eventsim-like dataset

Errors are one line on stderr ("error: what and where") with exit code 1 (2 for usage and
configuration errors; 3 when a quality gate blocks the run, with one line per failed
expectation); --verbose adds the traceback. Secrets are masked in everything printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from . import __version__, secrets
from .config import Config, load_config
from .errors import ConfigError, PipelineError, QualityGateError

RUN_DESCRIPTION = """\
Run the ETL end to end: raw Sparkify JSON -> engine -> Parquet lake -> staging -> star schema.

With no --source it runs on the demo dataset (generated under the data folder on first use)
and publishes to the DuckDB file data/warehouse.duckdb. Settings come from, in increasing
priority: built-in defaults, the INI file (--config, or ./music-analytics.ini if present),
MUSIC_ANALYTICS_<SECTION>_<KEY> environment variables, then these flags.
"""

RUN_EPILOG = """\
examples:
  %(prog)s
  %(prog)s --source ../shared/data/sparkify-sample
  %(prog)s --warehouse postgresql://etl@127.0.0.1:5432/music --date 2018-11-15
  %(prog)s --start 2018-11-01 --end 2018-11-07 --config music-analytics.ini
  %(prog)s --start 2018-11-01 --end 2018-11-30 --backfill

incremental: a run reads only files the run ledger (warehouse tables pipeline_runs and
loaded_files) has not loaded with the same content (SHA-256); reruns of a day change nothing.
Runs on one warehouse take turns (a lock; the second waits up to --lock-timeout seconds).
  %(prog)s --engine spark --spark-master spark://127.0.0.1:7077

passwords: prefer [warehouse] password in the (git-ignored) INI file or the
MUSIC_ANALYTICS_WAREHOUSE_PASSWORD / PGPASSWORD variables over a password in the URL.
"""


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (expected YYYY-MM-DD)") from None


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", metavar="DIR|s3://bucket/prefix",
                        help="folder or s3://bucket/prefix holding song_data/ and log_data/ "
                             "(default: the demo dataset)")
    parser.add_argument("--warehouse", metavar="URL",
                        help="duckdb:///relative/file.duckdb, duckdb:////absolute/file.duckdb, "
                             "postgresql://user[:password]@host:port/db or redshift://user@cluster:5439/db "
                             "(default: duckdb:///data/warehouse.duckdb)")
    parser.add_argument("--engine", choices=("duckdb", "spark"),
                        help="transform engine: duckdb (one machine, the default) or spark (needs Java 17+)")
    parser.add_argument("--spark-master", metavar="URL",
                        help="Spark master for --engine spark: local[*] (default), local[N], spark://host:port, "
                             "yarn, k8s://https://host:port, or sc://host:port for Spark Connect")
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="process one day's event files")
    when.add_argument("--start", type=_date, metavar="YYYY-MM-DD", help="first day of a range (with --end)")
    parser.add_argument("--end", type=_date, metavar="YYYY-MM-DD", help="last day of a range (inclusive)")
    parser.add_argument("--backfill", action="store_true",
                        help="with --start/--end: load the range one day at a time, in order; stops at the first "
                             "failing day, and the same command again resumes there")
    parser.add_argument("--lookback-days", type=int, metavar="N",
                        help="also re-read the event files of the N days before the first day when they changed "
                             "since loaded (late data; default 2)")
    parser.add_argument("--reload", action="store_true",
                        help="read every file in range, even those the run ledger has loaded unchanged")
    parser.add_argument("--lock-timeout", type=int, metavar="SECONDS",
                        help="how long to wait for another run on the same warehouse to finish (default 600)")
    parser.add_argument("--config", metavar="FILE", help="INI file (default: ./music-analytics.ini if present)")
    parser.add_argument("--data-dir", metavar="DIR", help="where demo data, lake and scratch files go (default: data)")
    parser.add_argument("--lake", metavar="DIR", help="lake folder (default: <data-dir>/lake)")
    parser.add_argument("--quality-gates", metavar="LIST",
                        help="quality gates to run: lake,warehouse (default), lake, warehouse or none; a failing "
                             "gate stops the run before anything is published (exit code 3)")
    parser.add_argument("--quality-docs", metavar="DIR",
                        help="where the Great Expectations Data Docs site goes (default: <data-dir>/quality-docs)")
    parser.add_argument("--summary-json", metavar="FILE", help="also write the run summary as JSON to FILE")
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks on errors")


def config_from_args(args: argparse.Namespace) -> Config:
    if args.end and not (args.start or args.date):
        raise ConfigError("--end needs --start")
    start = args.date or args.start
    end = args.date or args.end
    cfg = load_config(
        args.config, source=args.source, warehouse=args.warehouse, engine=args.engine, start=start, end=end,
        data_dir=args.data_dir, lake=args.lake, spark_master=args.spark_master, verbose=args.verbose,
        quality_gates=args.quality_gates, quality_docs=args.quality_docs, lookback_days=args.lookback_days,
        reload=args.reload, lock_timeout=args.lock_timeout,
    )
    if args.backfill and (cfg.start is None or cfg.end is None):
        raise ConfigError("--backfill needs a date range: --start and --end (or [pipeline] start and end)")
    return cfg


def report_errors(verbose: bool, body: Callable[[], int]) -> int:
    """Run `body`, turning failures into one masked line on stderr and an exit code."""
    try:
        return body()
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except ConfigError as exc:
        if verbose:
            traceback.print_exc()
        print(f"error: {secrets.redact(str(exc))}", file=sys.stderr)
        return 2
    except QualityGateError as exc:
        # Several lines by design: every failed expectation with its count and samples.
        print(f"error: {secrets.redact(str(exc))}", file=sys.stderr)
        return 3
    except PipelineError as exc:
        if verbose:
            print(secrets.redact(traceback.format_exc()), file=sys.stderr)
        print(f"error: {secrets.redact(str(exc))}", file=sys.stderr)
        return 1
    except Exception as exc:
        if verbose:
            print(secrets.redact(traceback.format_exc()), file=sys.stderr)
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"error: {type(exc).__name__}: {secrets.redact(first)} (run with --verbose for details)",
              file=sys.stderr)
        return 1


def write_summary_json(path: str | None, data: dict[str, Any]) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, default=str)


def _cmd_run(args: argparse.Namespace) -> int:
    # The flow module owns orchestration; importing it here keeps this package free of Prefect.
    from flows.main import run_from_args

    return run_from_args(args)


def _cmd_generate(args: argparse.Namespace) -> int:
    from .generator.cli import run as run_generator

    return run_generator(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="music-analytics",
        description="Music Analytics: raw Sparkify/eventsim logs to a tested star schema.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run the ETL flow end to end", description=RUN_DESCRIPTION,
                         epilog=RUN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_arguments(run)
    run.set_defaults(func=_cmd_run)
    gen = sub.add_parser("generate", help="write a synthetic eventsim-like dataset",
                         description="Write a synthetic Sparkify-layout dataset (songs + event logs), "
                                     "deterministic for a seed, optionally with injected faults.")
    from .generator.cli import add_arguments as add_generator_arguments

    add_generator_arguments(gen)
    gen.set_defaults(func=_cmd_generate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
