"""Benchmark: what the quality gates cost at N generated events; prints seconds per gate and peak RSS.

    python bench/bench_quality.py --events 1000000 [--warehouse duckdb|postgresql]

The transform and staging run first (not measured here: bench/bench_pipeline.py does), then gate 1
on the lake and gate 2 on the staged rows, each with and without the Data Docs site. The import of
great_expectations is timed on its own: it is paid once per process.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    from bench.bench_pipeline import add_one_warehouse_arguments, ensure_dataset, one_warehouse_url

    add_one_warehouse_arguments(parser, events=1_000_000, pg_database="ma_bench_quality")
    args = parser.parse_args()

    from music_analytics import pipeline, quality
    from music_analytics import warehouse as wh
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

    t0 = time.perf_counter()
    import great_expectations  # noqa: F401

    print(f"import great_expectations: {time.perf_counter() - t0:.1f} s (once per process)")
    adapter = wh.connect(cfg.warehouse)
    for docs in (None, work / "docs"):
        label = "with Data Docs" if docs else "no Data Docs"
        t0 = time.perf_counter()
        lake_gate = quality.check_lake(result.lake, run_id=f"bench-{bool(docs)}", docs_dir=docs)
        t1 = time.perf_counter()
        audit = quality.audit_warehouse(adapter, result.lake, run_id=f"bench-{bool(docs)}", docs_dir=docs)
        t2 = time.perf_counter()
        for gate, seconds in ((lake_gate, t1 - t0), (audit, t2 - t1)):
            rows = sum(s.rows for s in gate.suites)
            print(
                f"  {gate.gate:<9} gate, {label:<15} {seconds:7.1f} s  {len(gate.outcomes)} expectations on "
                f"{rows:,} rows ({rows / seconds:,.0f} rows/s)  {'passed' if gate.passed else 'BLOCKED'}"
            )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
