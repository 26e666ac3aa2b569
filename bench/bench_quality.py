"""Benchmark: what the quality gates cost at N generated events: seconds per gate and the gates' own memory.

    python bench/bench_quality.py --events 1000000 [--warehouse duckdb|postgresql]

The transform and staging run first (not measured here: bench/bench_pipeline.py does). Then, in a
process of their own, so that its peak RSS is theirs: the import of great_expectations (paid once
per process), gate 1 on the lake and gate 2 on the staged rows, each without and with the Data
Docs site. Run it at 1M and 10M events to see whether the gates' memory follows the data (it
should not: GX computes every metric in the database).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def gates(lake: Path, url: str, work: Path) -> None:
    """The child: both gates, twice; prints one line per gate and a JSON line of figures."""
    t0 = time.perf_counter()
    import great_expectations  # noqa: F401

    from music_analytics import quality
    from music_analytics import warehouse as wh
    from music_analytics.config import load_config

    figures: dict[str, float] = {"import great_expectations": time.perf_counter() - t0}
    adapter = wh.for_config(load_config(environ={}, warehouse=url, data_dir=str(work)))
    for docs in (None, work / "docs"):
        label = "with Data Docs" if docs else "no Data Docs"
        t0 = time.perf_counter()
        lake_gate = quality.check_lake(lake, run_id=f"bench-{bool(docs)}", docs_dir=docs)
        t1 = time.perf_counter()
        audit = quality.audit_warehouse(adapter, lake, run_id=f"bench-{bool(docs)}", docs_dir=docs)
        t2 = time.perf_counter()
        for gate, seconds in ((lake_gate, t1 - t0), (audit, t2 - t1)):
            rows = sum(s.rows for s in gate.suites)
            figures[f"{gate.gate} gate, {label}"] = seconds
            print(
                f"  {gate.gate:<9} gate, {label:<15} {seconds:7.1f} s  {len(gate.outcomes)} expectations on "
                f"{rows:,} rows ({rows / seconds:,.0f} rows/s)  {'passed' if gate.passed else 'BLOCKED'}",
                flush=True,
            )
    figures["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    from bench.bench_pipeline import add_one_warehouse_arguments, ensure_dataset, one_warehouse_url

    add_one_warehouse_arguments(parser, events=1_000_000, pg_database="ma_bench_quality")
    parser.add_argument("--gates", nargs=3, metavar=("LAKE", "URL", "WORK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gates:
        lake, url, work = args.gates
        gates(Path(lake), url, Path(work))
        return

    from music_analytics import pipeline
    from music_analytics.config import load_config

    source = ensure_dataset(Path(args.data), args.events, args.seed, args.songs)
    work = Path(args.data) / "work-quality"
    shutil.rmtree(work, ignore_errors=True)
    url = one_warehouse_url(args, work)
    cfg = load_config(environ={}, source=str(source), warehouse=url, data_dir=str(work))
    pipeline.create_schema(cfg)
    result = pipeline.transform(cfg, str(source))
    pipeline.stage(cfg, result.lake)
    print(f"{result.events.records:,} events, {result.songplays:,} songplays, warehouse {args.warehouse}")
    print(f"load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1/5/15 min, {os.cpu_count()} cores)")
    proc = subprocess.run(
        [sys.executable, __file__, "--gates", str(result.lake), url, str(work)],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    *lines, figures = proc.stdout.strip().splitlines()
    print("\n".join(lines))
    measured = json.loads(figures)
    print(f"import great_expectations: {measured['import great_expectations']:.1f} s (once per process)")
    print(f"peak RSS of the gates' process: {measured['peak RSS MB']:,.0f} MB")


if __name__ == "__main__":
    main()
