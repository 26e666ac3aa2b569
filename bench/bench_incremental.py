"""Benchmark: a daily run against a loaded warehouse, vs the one-shot load; what the run ledger costs.

    python bench/bench_incremental.py --events 1000000 [--warehouse duckdb|postgresql]

Loads every day but the last in one run, then the last day as a daily run (its event file only:
the song files are in the ledger, unchanged), then that day again (nothing new: checksums and
the ledger read only). Quality gates are off, as in bench_pipeline.py. Prints seconds per run and
per stage, what the load spends rebuilding the derived tables, files read and the plan's checksumming
throughput.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    from bench.bench_pipeline import add_one_warehouse_arguments, ensure_dataset, one_warehouse_url

    add_one_warehouse_arguments(parser, events=1_000_000, pg_database="ma_bench_incremental")
    args = parser.parse_args()

    from music_analytics import pipeline
    from music_analytics.config import load_config
    from music_analytics.sources import EVENT_FILE

    source = ensure_dataset(Path(args.data), args.events, args.seed, args.songs)
    days = sorted(
        dt.date.fromisoformat(m.group(1))
        for p in (source / "log_data").rglob("*.json")
        if (m := EVENT_FILE.search(p.name))
    )
    work = Path(args.data) / "work-incremental"
    shutil.rmtree(work, ignore_errors=True)
    url = one_warehouse_url(args, work)

    def run(label: str, start: dt.date | None, end: dt.date | None) -> None:
        cfg = load_config(
            environ={},
            source=str(source),
            warehouse=url,
            data_dir=str(work),
            start=start,
            end=end,
            quality_gates="none",
        )
        t0 = time.perf_counter()
        summary = pipeline.run(cfg)
        seconds = time.perf_counter() - t0
        plan = summary.plan
        assert plan is not None
        read_bytes = sum(s.size_bytes for s in plan.states.values())
        events = summary.transform.events.records if summary.transform else 0
        stages = " | ".join(f"{k} {v:.1f}" for k, v in summary.seconds.items())
        # What the load spends on the derived tables (user_levels, play_skips, sessions) of its users.
        derive = {k: v for k, v in summary.merge.seconds.items() if k.startswith("derive ")} if summary.merge else {}
        derived = (
            f"\n{'':<36}(load: {sum(derive.values()):.2f} s deriving: "
            + ", ".join(f"{k.removeprefix('derive ')} {v:.2f}" for k, v in derive.items())
            + ")"
            if derive
            else ""
        )
        print(
            f"{label:<34} {seconds:7.1f} s  {summary.status:<9} files read {plan.files_read:>6,}, unchanged "
            f"{plan.unchanged:>6,}; {events:>9,} events; {read_bytes / 1e6:8.1f} MB read\n"
            f"{'':<36}({stages}){derived}"
        )

    print(f"{args.events:,} events over {len(days)} days, warehouse {args.warehouse}")
    run(f"days {days[0]}..{days[-2]} (one run)", days[0], days[-2])
    run(f"daily run {days[-1]}", days[-1], days[-1])
    run("the same day again (nothing new)", days[-1], days[-1])


if __name__ == "__main__":
    main()
