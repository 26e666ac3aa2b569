"""Benchmark the synthetic data generator: events/s and peak memory.

    python bench/bench_generate.py                     # 5,000,000 events into a temp dir
    python bench/bench_generate.py --events 10000000 --fault-rate 0.001
    python bench/bench_generate.py --events 1000000 --dir /var/tmp/gen --keep

Peak RSS is the process's high-water mark (resource.getrusage), the helper
process that writes the song files is reported separately (RUSAGE_CHILDREN).
Creating many small files is slow on some virtual disks: --dir lets you
compare locations.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

try:
    from music_analytics.generator import GeneratorParams, generate
except ImportError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from music_analytics.generator import GeneratorParams, generate


def _dir_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5_000_000, help="events to generate (default: 5,000,000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of faulty lines (default: 0)")
    parser.add_argument("--skip-rate", type=float, default=0.0, help="share of skipped songs (default: 0)")
    parser.add_argument("--unknown-song-rate", type=float, default=0.0, help="share of unknown plays (default: 0)")
    parser.add_argument("--dir", type=Path, default=None, help="parent directory for the output (default: system temp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated dataset and print its path")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)

    params = GeneratorParams(
        events=args.events,
        seed=args.seed,
        fault_rate=args.fault_rate,
        skip_rate=args.skip_rate,
        unknown_song_rate=args.unknown_song_rate,
    )
    parent = tempfile.mkdtemp(prefix="bench-generate-", dir=args.dir)
    out = Path(parent) / "data"

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"  {message}", file=sys.stderr, flush=True)

    try:
        started = time.perf_counter()
        manifest = generate(params, out, progress=progress)
        seconds = time.perf_counter() - started
        self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
        child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        counts = manifest["counts"]
        size = _dir_size(out)
        print(f"events            {counts['events_generated']:,} generated, {counts['events']:,} written")
        print(f"users / sessions  {counts['users']:,} / {counts['sessions']:,}")
        print(f"songs / files     {counts['songs']:,} / {counts['song_files'] + counts['log_files']:,}")
        print(f"faults            {len(manifest['faults']):,}")
        print(f"output            {size / 2**20:,.0f} MiB")
        print(f"wall time         {seconds:.1f} s")
        print(f"events/s          {counts['events_generated'] / seconds:,.0f}")
        print(f"peak RSS          {self_rss:,.0f} MiB (song-file helper process: {child_rss:,.0f} MiB)")
        if args.keep:
            print(f"dataset           {out}")
    finally:
        if not args.keep:
            shutil.rmtree(parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
