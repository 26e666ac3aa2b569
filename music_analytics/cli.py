"""`music-analytics`: the command line, a thin skin over the library.

    music-analytics run                  the ETL (the same command as `python flows/main.py`)
    music-analytics insights             answers from the warehouse: tables, markdown, HTML or JSON
    music-analytics export-interactions  the user x song matrix for recommenders (Parquet)
    music-analytics generate             a synthetic eventsim-like dataset

Every option of every command: docs/cli.md (generated from these parsers). Errors are one line
on stderr ("error: what and where") with the exit code of errors.exit_code (2 for usage and
configuration errors; 3 when a quality gate blocks the run, with one line per failed
expectation); --verbose adds the traceback. Secrets are masked in everything printed.

`run` carries the job out through a runner found by entry point (group music_analytics.runners):
the Prefect flow (music_analytics_flows) registers "prefect". This package never imports it, so
--help, --version and usage errors answer without loading Prefect, pandas, GX or pyspark.
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

from . import __version__, config, secrets
from .config import Config, load_config
from .errors import ConfigError, PipelineError, QualityGateError, exit_code

RUN_DESCRIPTION = """\
Run the ETL end to end: raw Sparkify JSON -> engine -> Parquet lake -> staging -> star schema,
then the insights.

With no --source it runs on the demo dataset (generated under the data folder on first use)
and publishes to the DuckDB file data/warehouse.duckdb. Settings come from, in increasing
priority: built-in defaults, the INI file (--config, or ./music-analytics.ini if present),
MUSIC_ANALYTICS_<SECTION>_<KEY> environment variables, then these flags.
"""

RUN_EPILOG = """\
examples:
  %(prog)s
  %(prog)s --source ../shared/data/sparkify-sample --warehouse duckdb:///data/sample.duckdb
  %(prog)s --warehouse postgresql://etl@127.0.0.1:5432/music --date 2018-11-15
  %(prog)s --start 2018-11-01 --end 2018-11-07 --config music-analytics.ini
  %(prog)s --start 2018-11-01 --end 2018-11-30 --backfill
  %(prog)s --engine spark --spark-master spark://127.0.0.1:7077

incremental: a run reads only files the run ledger (warehouse tables pipeline_runs and
loaded_files) has not loaded with the same content (SHA-256); reruns of a day change nothing.
A warehouse holds one dataset: a run from another source stops (--source-moved when it only moved).
Runs on one warehouse take turns (a lock; the second waits up to --lock-timeout seconds).

passwords: prefer [warehouse] password in the (git-ignored) INI file or the
MUSIC_ANALYTICS_WAREHOUSE_PASSWORD / PGPASSWORD variables over a password in the URL.
"""
RUNNERS = "music_analytics.runners"


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


# The sections of `run --help`, in order: a setting's flag goes to its Option.group.
FLAG_GROUPS = {
    "input": "what to read",
    "output": "where it is published",
    "files": "local files",
    "engine": "how it is transformed",
    "days": "which days (by event file name)",
    "quality": "quality gates",
    "run": "this run",
}


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """`run`'s options: every setting that has a flag (from the settings declaration), and the run's own."""
    for name, title in FLAG_GROUPS.items():
        group = parser.add_argument_group(title)
        when = group.add_mutually_exclusive_group() if name == "days" else None
        if when is not None:
            when.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="process one day's event files")
        for s in config.flag_settings():
            if s.option.group == name:
                _add_setting_flag(when if when is not None and s.dest == "start" else group, s)
        if name == "days":
            group.add_argument(
                "--backfill",
                action="store_true",
                help="with --start/--end: load the range one day at a time, in order; stops at the first "
                "failing day, and the same command again resumes there",
            )
        if name == "run":
            group.add_argument("--config", metavar="FILE", help="INI file (default: ./music-analytics.ini if present)")
            group.add_argument("--summary-json", metavar="FILE", help="also write the run summary as JSON to FILE")
            group.add_argument("-v", "--verbose", action="store_true", help="show tracebacks on errors")


def _add_setting_flag(parser: Any, s: config.Setting) -> None:
    kind = config.python_type(s)
    kwargs: dict[str, Any] = {
        "dest": s.dest,
        "help": s.option.help + ("" if s.default in (None, False, ()) else f" (default: {config.shown(s.default)})"),
    }
    if kind is bool:
        kwargs["action"] = "store_true"
    else:
        kwargs["metavar"] = s.option.metavar
        kwargs["type"] = _date if kind is dt.date else (int if kind is int else str)
    parser.add_argument(str(s.option.flag), **kwargs)


def config_from_args(args: argparse.Namespace) -> Config:
    if args.end and not (args.start or args.date):
        raise ConfigError("--end needs --start")
    flags = {s.dest: getattr(args, s.dest) for s in config.flag_settings()}
    if args.date:
        flags["start"] = flags["end"] = args.date
    cfg = load_config(args.config, verbose=args.verbose, **flags)
    if args.backfill and (cfg.pipeline.start is None or cfg.pipeline.end is None):
        raise ConfigError("--backfill needs a date range: --start and --end (or [pipeline] start and end)")
    return cfg


def request_from_args(args: argparse.Namespace, cfg: Config) -> dict[str, Any]:
    """The run's flags as the flow request records them: what was given, never a password."""
    request = {
        s.dest: getattr(args, s.dest) for s in config.flag_settings() if getattr(args, s.dest) not in (None, False)
    }
    if "warehouse" in request:
        request["warehouse"] = cfg.warehouse.without_password()
    if args.date:
        request.pop("start", None)
        request["date"] = args.date
    if args.config:
        request["config_file"] = args.config
    return request


def report_errors(verbose: bool, body: Callable[[], int]) -> int:
    """Run `body`, turning failures into one masked line on stderr and their exit code."""
    try:
        return body()
    except KeyboardInterrupt as exc:
        print("error: interrupted", file=sys.stderr)
        return exit_code(exc)
    except Exception as exc:
        if verbose and not isinstance(exc, QualityGateError):
            print(secrets.redact(traceback.format_exc()), file=sys.stderr)
        if isinstance(exc, PipelineError):
            # A quality gate's message has several lines by design: every failed expectation.
            print(f"error: {secrets.redact(str(exc))}", file=sys.stderr)
        else:
            first = (str(exc).strip().splitlines() or [""])[0]
            print(
                f"error: {type(exc).__name__}: {secrets.redact(first)} (run with --verbose for details)",
                file=sys.stderr,
            )
        return exit_code(exc)


def write_summary_json(path: str | None, data: dict[str, Any]) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, default=str)


def _runner() -> Callable[..., dict[str, Any]]:
    """The orchestrator that carries a run out (entry point group music_analytics.runners)."""
    from importlib.metadata import entry_points

    found = sorted(entry_points(group=RUNNERS), key=lambda e: e.name != "prefect")
    if not found:
        raise ConfigError(
            "no runner is installed for `music-analytics run` (the Prefect layer, "
            "music_analytics_flows, registers one): reinstall the project (make setup)"
        )
    runner: Callable[..., dict[str, Any]] = found[0].load()
    return runner


def run_command(args: argparse.Namespace) -> int:
    """`music-analytics run` / `python flows/main.py`: resolve, check, then hand the run to the runner."""

    def body() -> int:
        cfg = config_from_args(args)  # resolved once; the runner gets it as it is
        from . import pipeline

        # Source, warehouse and engine checked before the runner starts (Prefect's start-up takes
        # seconds): a wrong URL fails in a second, not after the tasks' transient retries.
        pipeline.preflight(cfg)
        result = _runner()(cfg, request_from_args(args, cfg), backfill=args.backfill, verbose=args.verbose)
        print(result["text"])
        write_summary_json(args.summary_json, result)
        return 0

    return report_errors(args.verbose, body)


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
    run.set_defaults(func=run_command)
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


def run_main(argv: Sequence[str] | None = None, prog: str = "python flows/main.py") -> int:
    """`run` as a program of its own (`python flows/main.py [options]`)."""
    parser = argparse.ArgumentParser(
        prog=prog, description=RUN_DESCRIPTION, epilog=RUN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_run_arguments(parser)
    return run_command(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
