"""Benchmark: the Spark engine against a bare hand-written PySpark job doing the same work.

    python bench/bench_spark.py --events 5000000 [--master local[*]] [--repeat 1]

Both run in their own process with the same Spark settings (driver memory, shuffle partitions);
Spark's session start-up is excluded from both timings. The transform alone is measured (raw files
-> Parquet lake); staging and loading are the same for both engines (bench/bench_pipeline.py).
Target: the engine within 1.3x of the bare job's wall time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def child(source: str, data_dir: str, master: str) -> None:
    from music_analytics import pipeline
    from music_analytics.config import load_config
    from music_analytics.engines.spark_session import get_session

    cfg = load_config(environ={}, source=source, data_dir=data_dir, engine="spark", spark_master=master)
    get_session(cfg)  # session start-up is not part of the measurement
    t0 = time.perf_counter()
    result = pipeline.transform(cfg, source)
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "seconds": seconds,
                "events": result.events.records,
                "songplays": result.songplays,
                "stages": result.seconds,
            }
        )
    )


def run(cmd: list[str]) -> dict[str, object]:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"benchmark run failed: {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    out: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--songs", type=int, default=15_000)
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is reported")
    parser.add_argument("--data", default=str(REPO / "data" / "bench"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.source, args.data_dir, args.master)
        return

    from bench_pipeline import ensure_dataset

    source = ensure_dataset(Path(args.data), args.events, args.seed, args.songs)
    work = Path(args.data) / "spark-work"
    results: dict[str, list[dict[str, object]]] = {"bare PySpark job": [], "music-analytics spark engine": []}
    for i in range(args.repeat):
        shutil.rmtree(work, ignore_errors=True)
        results["bare PySpark job"].append(
            run(
                [
                    sys.executable,
                    str(REPO / "bench" / "bare_spark.py"),
                    "--source",
                    str(source),
                    "--lake",
                    str(work / "bare-lake"),
                    "--master",
                    args.master,
                ]
            )
        )
        results["music-analytics spark engine"].append(
            run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "--source",
                    str(source),
                    "--data-dir",
                    str(work / "engine"),
                    "--master",
                    args.master,
                ]
            )
        )
        print(f"run {i + 1}/{args.repeat} done", flush=True)
    best = {name: min(runs, key=lambda r: float(r["seconds"])) for name, runs in results.items()}  # type: ignore[arg-type]
    print(f"\nSpark transform (raw -> lake), {args.events:,} events, master {args.master}, best of {args.repeat}:")
    print(f"{'':32} {'seconds':>9} {'events/s':>10} {'songplays':>10}")
    for name, r in best.items():
        seconds = float(r["seconds"])  # type: ignore[arg-type]
        print(f"{name:32} {seconds:9.1f} {int(r['events']) / seconds:10,.0f} {int(r['songplays']):10,}")  # type: ignore[call-overload]
    ratio = float(best["music-analytics spark engine"]["seconds"]) / float(best["bare PySpark job"]["seconds"])  # type: ignore[arg-type]
    print(f"engine / bare = {ratio:.2f}x (target <= 1.3x)")
    print("engine stages:", {k: round(v, 1) for k, v in best["music-analytics spark engine"]["stages"].items()})  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
