"""Benchmark: time each pipeline stage at N generated events; print events/s per stage and peak RSS.

    python bench/bench_pipeline.py --events 5000000 [--warehouses duckdb,postgresql]

Each measured run is its own process (so its peak RSS is its own) and is the real run,
music_analytics.pipeline.execute with plain hooks: lock, schema, ledger, plan, transform, gates,
stage, merge, as `music-analytics run` does them, without Prefect (its start-up is excluded by
design). The quality gates and the insights are off unless --quality-gates / --insights ask for
them (bench_quality.py and bench_insights.py measure those). The dataset is generated once and
cached under --data. A bare DuckDB script doing the same transform (bench/bare_duckdb.py) is run alongside
as the baseline. Targets on the 2-core reference machine at 5M events: DuckDB warehouse >= 300k
events/s end to end, PostgreSQL >= 150k events/s, peak RSS < 4 GB, within 1.5x of the bare script.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def child(source: str, warehouse: str, data_dir: str, songs_partition_by: str, gates: str, insights: bool) -> None:
    """One measured pipeline run; prints a JSON line with stage timings, counts and peak RSS."""
    from music_analytics import pipeline
    from music_analytics.config import load_config

    cfg = load_config(
        environ={
            "MUSIC_ANALYTICS_LAKE_SONGS_PARTITION_BY": songs_partition_by,
            "MUSIC_ANALYTICS_REPORTS_INSIGHTS": str(insights).lower(),
        },
        source=source,
        warehouse=warehouse,
        data_dir=data_dir,
        quality_gates=gates,
    )
    t0 = time.perf_counter()
    outcome = pipeline.execute(cfg)
    wall = time.perf_counter() - t0
    summary = outcome.summary
    assert summary.transform is not None and summary.merge is not None, summary.status
    timings = dict(summary.seconds)
    timings["lock, ledger, rest"] = max(0.0, wall - sum(timings.values()))
    print(
        json.dumps(
            {
                "timings": timings,
                "engine_timings": summary.transform.seconds,
                "events": summary.transform.events.records,
                "songplays": summary.transform.songplays,
                "inserted": summary.merge.inserted,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def ensure_dataset(root: Path, events: int, seed: int, songs: int) -> Path:
    from music_analytics.generator import GeneratorParams, generate

    target = root / f"gen-{events}-songs{songs}-seed{seed}"
    if (target / "manifest.json").is_file():
        return target
    if target.exists():
        shutil.rmtree(target)
    print(f"generating {events:,} events into {target} (not timed as part of the pipeline)", flush=True)
    t0 = time.perf_counter()
    generate(GeneratorParams(events=events, seed=seed, songs=songs), target, lambda m: print("  " + m, flush=True))
    print(f"  generated in {time.perf_counter() - t0:.1f} s", flush=True)
    return target


def fresh_pg_database(admin_url: str, name: str) -> str:
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}"


def add_one_warehouse_arguments(parser: argparse.ArgumentParser, events: int, pg_database: str) -> None:
    """The options of the benchmarks that measure one warehouse on one generated dataset."""
    parser.add_argument("--events", type=int, default=events)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--songs", type=int, default=15_000)
    parser.add_argument("--warehouse", default="duckdb", choices=("duckdb", "postgresql"))
    parser.add_argument("--pg-url", default=f"postgresql://postgres@127.0.0.1:5432/{pg_database}")
    parser.add_argument("--data", default=str(REPO / "data" / "bench"), help="dataset cache and scratch folder")


def one_warehouse_url(args: argparse.Namespace, work: Path) -> str:
    """A fresh warehouse for those options: a DuckDB file in `work`, or a recreated PostgreSQL database."""
    if args.warehouse == "duckdb":
        return f"duckdb:///{work / 'warehouse.duckdb'}"
    base, name = args.pg_url.rsplit("/", 1)
    return fresh_pg_database(f"{base}/postgres", name)


def run_child(args: list[str]) -> dict[str, object]:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark run failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--songs", type=int, default=15_000, help="catalogue size (default 15,000: about the real Sparkify song_data)"
    )
    parser.add_argument("--warehouses", default="duckdb,postgresql")
    parser.add_argument("--data", default=str(REPO / "data" / "bench"), help="dataset cache and scratch folder")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--songs-partition-by",
        default="year",
        choices=("year", "year,artist_id"),
        help="lake layout of songs (default: year, as the pipeline's; year,artist_id is the Sparkify convention)",
    )
    parser.add_argument(
        "--quality-gates", default="none", help="gates of the measured runs (default: none; bench_quality.py)"
    )
    parser.add_argument("--insights", action="store_true", help="also answer the insights after the load")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.source, args.warehouse, args.data_dir, args.songs_partition_by, args.quality_gates, args.insights)
        return

    root = Path(args.data)
    source = ensure_dataset(root, args.events, args.seed, args.songs)
    work = root / "work"
    rows = []

    shutil.rmtree(work, ignore_errors=True)
    t0 = time.perf_counter()
    bare = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bare_duckdb.py"), str(source), str(work / "bare")],
        capture_output=True,
        text=True,
        check=True,
    )
    bare_wall = time.perf_counter() - t0
    bare_seconds = float(bare.stdout.strip())

    for name in args.warehouses.split(","):
        shutil.rmtree(work / name, ignore_errors=True)
        url = (
            f"duckdb:///{work / name / 'warehouse.duckdb'}"
            if name == "duckdb"
            else fresh_pg_database(args.pg_admin_url, "ma_bench")
        )
        t0 = time.perf_counter()
        r = run_child(
            [
                "--source",
                str(source),
                "--warehouse",
                url,
                "--data-dir",
                str(work / name),
                "--songs-partition-by",
                args.songs_partition_by,
                "--quality-gates",
                args.quality_gates,
                *(["--insights"] if args.insights else []),
            ]
        )
        wall = time.perf_counter() - t0
        rows.append((name, r, wall))

    events = args.events
    print(
        f"\nlake songs partitioned by {args.songs_partition_by}; catalogue {args.songs:,} songs; "
        f"quality gates: {args.quality_gates}; insights: {'on' if args.insights else 'off'}"
    )
    print(
        f"\nevents read: {rows[0][1]['events'] if rows else 'n/a'} (requested {events:,}); "
        f"bare DuckDB baseline: {bare_seconds:.2f} s in-script ({bare_wall:.2f} s process), "
        f"{int(rows[0][1]['events']) / bare_seconds if rows else 0:,.0f} events/s"
    )
    for name, r, wall in rows:
        n = int(r["events"])  # type: ignore[call-overload]
        timings: dict[str, float] = r["timings"]  # type: ignore[assignment]
        engine: dict[str, float] = r["engine_timings"]  # type: ignore[assignment]
        total = sum(timings.values())
        print(f"\nwarehouse {name}: {n:,} events, {r['songplays']:,} songplays")
        print(f"  {'stage':<22}{'seconds':>10}{'events/s':>14}")
        for stage, secs in [*(("transform: " + k, v) for k, v in engine.items()), *timings.items()]:
            print(f"  {stage:<22}{secs:>10.2f}{n / secs if secs else 0:>14,.0f}")
        print(f"  {'end to end (stages)':<22}{total:>10.2f}{n / total:>14,.0f}")
        print(f"  {'process wall clock':<22}{wall:>10.2f}{n / wall:>14,.0f}")
        print(f"  peak RSS {float(r['peak_rss_mb']):,.0f} MB; vs bare DuckDB: {total / bare_seconds:.2f}x")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
