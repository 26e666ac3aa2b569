"""Benchmark: the insights and the recommender export on a loaded warehouse.

    python bench/bench_insights.py --events 1000000 [--warehouse duckdb|postgresql]

Loads the generated dataset in one run (quality gates off, as in bench_pipeline.py; the load's
stage and merge seconds include the events fact), then answers every question of sql/insights/
(seconds per question), renders the HTML report, and writes the recommender matrix.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    from bench.bench_pipeline import add_one_warehouse_arguments, ensure_dataset, one_warehouse_url

    add_one_warehouse_arguments(parser, events=1_000_000, pg_database="ma_bench_insights")
    args = parser.parse_args()

    from music_analytics import insights, pipeline
    from music_analytics import warehouse as wh
    from music_analytics.config import load_config
    from music_analytics.insights.html import render_html

    source = ensure_dataset(Path(args.data), args.events, args.seed, args.songs)
    work = Path(args.data) / "work-insights"
    shutil.rmtree(work, ignore_errors=True)
    url = one_warehouse_url(args, work)
    cfg = load_config(environ={}, source=str(source), warehouse=url, data_dir=str(work), quality_gates="none")
    t0 = time.perf_counter()
    summary = pipeline.run(cfg)
    stages = " | ".join(f"{k} {v:.1f}" for k, v in summary.seconds.items())
    print(f"{args.events:,} events, warehouse {args.warehouse}: load {time.perf_counter() - t0:.1f} s ({stages})")
    warehouse = wh.for_config(cfg)
    with warehouse.transaction() as tx:
        [(events, plays)] = warehouse.fetch(
            tx, "SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM songplays)"
        )
    print(f"  events fact {events:,} rows, songplays {plays:,}")

    total = 0.0
    for question in insights.QUESTIONS:
        t0 = time.perf_counter()
        report = insights.run(warehouse, questions=(question,))
        seconds = time.perf_counter() - t0
        total += seconds
        print(f"  {question.name:<20} {seconds:6.2f} s  {len(report.results[0].rows):>6,} rows")
    print(f"  {'all questions':<20} {total:6.2f} s")
    t0 = time.perf_counter()
    report = insights.run(warehouse)
    page = render_html(report)
    print(f"  run + HTML report    {time.perf_counter() - t0:6.2f} s  ({len(page) / 1e3:,.0f} kB)")
    t0 = time.perf_counter()
    manifest = insights.export_interactions(warehouse, work / "recommender")
    rows = sum(f["rows"] for f in manifest["files"].values())
    print(
        f"  export-interactions  {time.perf_counter() - t0:6.2f} s  {rows:>9,} rows "
        f"(train {manifest['files']['train']['rows']:,}, test {manifest['files']['test']['rows']:,})"
    )


if __name__ == "__main__":
    main()
