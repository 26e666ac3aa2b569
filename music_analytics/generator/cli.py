"""Command-line front end for the generator (wired as ``music-analytics generate``)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from ..errors import ConfigError, PipelineError
from .core import generate
from .params import GeneratorParams


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the generator's options to ``parser``."""
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="DIR",
        help="output directory; song_data/, log_data/ and manifest.json of an earlier run there are replaced",
    )
    parser.add_argument(
        "--events",
        required=True,
        type=int,
        metavar="N",
        help="approximate number of events to generate (the result is within 10%%; e.g. 1000000)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="random seed; the same options and seed give byte-identical files (default: 0)",
    )
    parser.add_argument(
        "--start",
        type=_date,
        default=dt.date(2018, 11, 1),
        metavar="YYYY-MM-DD",
        help="first day of the simulated period, UTC (default: 2018-11-01, like the Sparkify data)",
    )
    parser.add_argument(
        "--days",
        type=int,
        default=30,
        metavar="D",
        help="number of days, one log file per day (default: 30)",
    )
    parser.add_argument(
        "--songs",
        type=int,
        default=None,
        metavar="N",
        help="songs in the catalogue (default: events/50, at least 200, at most 50,000)",
    )
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        metavar="R",
        help="share of event lines with an injected fault, 0-1, plus one of each fault kind "
        "(default: 0 = clean data); faults are listed in manifest.json",
    )
    parser.add_argument(
        "--skip-rate",
        type=float,
        default=0.0,
        metavar="R",
        help="probability that a song is skipped: the next song starts before it ends, 0-1 (default: 0)",
    )
    parser.add_argument(
        "--unknown-song-rate",
        type=float,
        default=0.0,
        metavar="R",
        help="probability that a play names a song missing from the catalogue, 0-1 (default: 0)",
    )


def run(args: argparse.Namespace) -> int:
    """Validate, generate, print a summary. Returns the process exit code (errors: one line on stderr)."""
    from ..cli import report_errors

    return report_errors(False, lambda: _generate(args))


def _generate(args: argparse.Namespace) -> int:
    params = GeneratorParams(
        events=args.events,
        seed=args.seed,
        start=args.start,
        days=args.days,
        songs=args.songs,
        fault_rate=args.fault_rate,
        skip_rate=args.skip_rate,
        unknown_song_rate=args.unknown_song_rate,
    )
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} exists and is not a directory")

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    try:
        manifest = generate(params, out, progress=progress)
    except OSError as exc:
        raise PipelineError(f"cannot write the dataset to {out}: {exc.strerror or exc}") from exc
    seconds = time.perf_counter() - started
    counts = manifest["counts"]
    files = counts["song_files"] + counts["log_files"]
    faults = len(manifest["faults"])
    print(
        f"wrote {out}: {counts['events']:,} events, {counts['users']:,} users, "
        f"{counts['songs']:,} songs, {files:,} files, {faults:,} faults injected, "
        f"{seconds:.1f} s, {counts['events_generated'] / max(seconds, 1e-9):,.0f} events/s"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: ``python -m music_analytics.generator.cli``."""
    parser = argparse.ArgumentParser(
        prog="music-analytics generate",
        description="Generate a synthetic Sparkify dataset (eventsim model) with optional faults.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
