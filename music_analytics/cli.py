"""`music-analytics`: the command line, a thin skin over the library.

    music-analytics run                  the ETL (the same command as `python flows/main.py`)
    music-analytics insights             answers from the warehouse: tables, markdown, HTML or JSON
    music-analytics export-interactions  the user x song matrix for recommenders (Parquet)
    music-analytics generate             a synthetic eventsim-like dataset

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
from pathlib import Path
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


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return number


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        metavar="DIR|s3://bucket/prefix",
        help="folder or s3://bucket/prefix holding song_data/ and log_data/ (default: the demo dataset)",
    )
    parser.add_argument(
        "--warehouse",
        metavar="URL",
        help="duckdb:///relative/file.duckdb, duckdb:////absolute/file.duckdb, "
        "postgresql://user[:password]@host:port/db or redshift://user@cluster:5439/db "
        "(default: duckdb:///data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        help="transform engine: duckdb (one machine, the default) or spark (needs Java 17+)",
    )
    parser.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark master for --engine spark: local[*] (default), local[N], spark://host:port, "
        "yarn, k8s://https://host:port, or sc://host:port for Spark Connect",
    )
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="process one day's event files")
    when.add_argument("--start", type=_date, metavar="YYYY-MM-DD", help="first day of a range (with --end)")
    parser.add_argument("--end", type=_date, metavar="YYYY-MM-DD", help="last day of a range (inclusive)")
    parser.add_argument(
        "--backfill",
        action="store_true",
        help="with --start/--end: load the range one day at a time, in order; stops at the first "
        "failing day, and the same command again resumes there",
    )
    parser.add_argument(
        "--lookback-days",
        type=int,
        metavar="N",
        help="also re-read the event files of the N days before the first day when they changed "
        "since loaded (late data; default 2)",
    )
    parser.add_argument(
        "--reload", action="store_true", help="read every file in range, even those the run ledger has loaded unchanged"
    )
    parser.add_argument(
        "--source-moved",
        action="store_true",
        help="the source is the dataset this warehouse was loaded from, in a new place (moved, "
        "renamed, copied to S3): rebind the warehouse to it. Without it a run from another "
        "source stops, so two datasets never merge into one warehouse",
    )
    parser.add_argument(
        "--lock-timeout",
        type=int,
        metavar="SECONDS",
        help="how long to wait for another run on the same warehouse to finish (default 600)",
    )
    parser.add_argument("--config", metavar="FILE", help="INI file (default: ./music-analytics.ini if present)")
    parser.add_argument("--data-dir", metavar="DIR", help="where demo data, lake and scratch files go (default: data)")
    parser.add_argument("--lake", metavar="DIR", help="lake folder (default: <data-dir>/lake)")
    parser.add_argument(
        "--quality-gates",
        metavar="LIST",
        help="quality gates to run: lake,warehouse (default), lake, warehouse or none; a failing "
        "gate stops the run before anything is published (exit code 3)",
    )
    parser.add_argument(
        "--quality-docs",
        metavar="DIR",
        help="where the Great Expectations Data Docs site goes (default: <data-dir>/quality-docs)",
    )
    parser.add_argument("--summary-json", metavar="FILE", help="also write the run summary as JSON to FILE")
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks on errors")


def config_from_args(args: argparse.Namespace) -> Config:
    if args.end and not (args.start or args.date):
        raise ConfigError("--end needs --start")
    start = args.date or args.start
    end = args.date or args.end
    cfg = load_config(
        args.config,
        source=args.source,
        warehouse=args.warehouse,
        engine=args.engine,
        start=start,
        end=end,
        data_dir=args.data_dir,
        lake=args.lake,
        spark_master=args.spark_master,
        verbose=args.verbose,
        quality_gates=args.quality_gates,
        quality_docs=args.quality_docs,
        lookback_days=args.lookback_days,
        reload=args.reload,
        lock_timeout=args.lock_timeout,
        source_moved=args.source_moved,
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
        print(f"error: {type(exc).__name__}: {secrets.redact(first)} (run with --verbose for details)", file=sys.stderr)
        return 1


def write_summary_json(path: str | None, data: dict[str, Any]) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, default=str)


def _cmd_run(args: argparse.Namespace) -> int:
    # The flow module owns orchestration; importing it here keeps this package free of Prefect.
    from music_analytics_flows.main import run_from_args

    return run_from_args(args)


def _cmd_generate(args: argparse.Namespace) -> int:
    from .generator.cli import run as run_generator

    return run_generator(args)


INSIGHTS_DESCRIPTION = """\
Answer the questions in sql/insights/ from a loaded warehouse: top songs and artists by plays
and minutes, listening by hour and weekday, free vs paid, gender, place and device, sessions,
daily/weekly/monthly active users, upgrade/downgrade/churn funnels, retention by registration
week and the song match rate. docs/insights.md defines every answer.
"""

INSIGHTS_EPILOG = """\
examples:
  %(prog)s
  %(prog)s --start 2018-11-05 --end 2018-11-11 --top 5
  %(prog)s --format html --out report.html
  %(prog)s --warehouse postgresql://etl@127.0.0.1:5432/music --format json --out insights.json

formats: table (terminal, the default), markdown, json (every row) and html (one self-contained
file with charts; opens offline).
"""


def _add_warehouse_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse", metavar="URL", help="the warehouse to read (default: the run's, duckdb:///data/warehouse.duckdb)"
    )
    parser.add_argument("--config", metavar="FILE", help="INI file (default: ./music-analytics.ini if present)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks on errors")


def _loaded_warehouse(args: argparse.Namespace) -> Any:
    from . import warehouse as wh

    cfg = load_config(args.config, warehouse=args.warehouse)
    if cfg.warehouse.scheme == "duckdb" and not Path(cfg.warehouse.path).exists():
        # Opening a missing DuckDB file would create an empty one.
        raise ConfigError(f"no warehouse at {cfg.warehouse}: run the pipeline first (music-analytics run)")
    return wh.for_config(cfg)


def _write(text: str, out: str | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(text, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


def _cmd_insights(args: argparse.Namespace) -> int:
    from . import insights
    from .insights import html, text

    def body() -> int:
        if args.end and args.start and args.end < args.start:
            raise ConfigError(f"--end {args.end} is before --start {args.start}")
        report = insights.run(_loaded_warehouse(args), args.start, args.end, args.top)
        render = {"table": text.to_table, "markdown": text.to_markdown, "json": text.to_json, "html": html.render_html}[
            args.format
        ]
        _write(render(report), args.out)
        return 0

    return report_errors(args.verbose, body)


def _cmd_export_interactions(args: argparse.Namespace) -> int:
    from . import insights

    def body() -> int:
        manifest = insights.export_interactions(_loaded_warehouse(args), Path(args.out), args.test_days, args.split_at)
        print(f"split at {manifest['split_at']:%Y-%m-%d %H:%M} UTC")
        for split, info in manifest["files"].items():
            print(
                f"  {split}: {info['rows']:,} rows ({info['users']:,} users x {info['songs']:,} songs, "
                f"{info['plays']:,} plays) -> {info['path']}"
            )
        return 0

    return report_errors(args.verbose, body)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="music-analytics",
        description="Music Analytics: raw Sparkify/eventsim logs to a tested star schema.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="run the ETL flow end to end",
        description=RUN_DESCRIPTION,
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_arguments(run)
    run.set_defaults(func=_cmd_run)
    ins = sub.add_parser(
        "insights",
        help="answer the analysis questions from the warehouse",
        description=INSIGHTS_DESCRIPTION,
        epilog=INSIGHTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_warehouse_arguments(ins)
    ins.add_argument("--start", type=_date, metavar="YYYY-MM-DD", help="first day of the period (default: all data)")
    ins.add_argument("--end", type=_date, metavar="YYYY-MM-DD", help="last day of the period, inclusive")
    ins.add_argument("--top", type=_positive, default=10, metavar="N", help="songs/artists in the top lists (10)")
    ins.add_argument(
        "--format",
        choices=("table", "markdown", "html", "json"),
        default="table",
        help="output format (default: table)",
    )
    ins.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    ins.set_defaults(func=_cmd_insights)
    rec = sub.add_parser(
        "export-interactions",
        help="write the user x song matrix for recommenders",
        description="Write the implicit-feedback matrix (plays, minutes, thumbs up, playlist adds "
        "per user and song) as train.parquet and test.parquet, split by time, with "
        "manifest.json. docs/insights.md describes the columns.",
    )
    _add_warehouse_arguments(rec)
    rec.add_argument("--out", metavar="DIR", required=True, help="folder for train.parquet, test.parquet, manifest")
    rec.add_argument(
        "--test-days",
        type=_positive,
        default=7,
        metavar="N",
        help="the last N days of data are the test set (default: 7)",
    )
    rec.add_argument(
        "--split-at",
        type=_date,
        metavar="YYYY-MM-DD",
        help="events from this day on are the test set (overrides --test-days)",
    )
    rec.set_defaults(func=_cmd_export_interactions)
    gen = sub.add_parser(
        "generate",
        help="write a synthetic eventsim-like dataset",
        description="Write a synthetic Sparkify-layout dataset (songs + event logs), "
        "deterministic for a seed, optionally with injected faults.",
    )
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
