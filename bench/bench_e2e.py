"""Benchmark: the run a user starts against a bare DuckDB script, end to end, interleaved.

    python bench/bench_e2e.py --events 1000000 [--warehouses duckdb,postgresql] [--repeat 3]

Each repeat runs, one after the other in child processes of this one: the bare script
(bench/bare_duckdb.py: the same raw JSON with an explicit schema -> the star schema and the events
fact, no contract, no rejected records, no ledger, no gates), then `python flows/main.py` for each
warehouse into a fresh warehouse and data folder, with the default settings (both quality gates on,
insights on, Prefect's temporary server). Interleaving puts the bare script and the real run under
the same machine load, so their ratio means something on a shared machine; the medians over the
repeats are printed with the load average before and after.

Each real run is followed by the same command again, which finds nothing new (the rerun a daily
schedule makes when no file arrived): its wall time is printed too.

Per run: wall, CPU (user + system of the process and every child it waited for: the Prefect
server, Spark's JVM), peak RSS (the largest process of the tree), events/s, and for the real run
its seconds per stage from --summary-json, with the gates' share. The dataset is generated once and
cached under --data (generation is not measured). The real runs share one PREFECT_HOME, whose
database is created before the first run and not timed: a user's runs after their first one
(--fresh-prefect-home: a new one per run, what a first run on a new machine pays).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench_pipeline import REPO, ensure_dataset, fresh_pg_database


@dataclass
class Measure:
    wall: float
    cpu: float
    peak_rss_mb: float
    stages: dict[str, float] = field(default_factory=dict)


def measured(cmd: list[str], env: dict[str, str] | None = None) -> Measure:
    """Run cmd to its end; its wall clock, and CPU and peak RSS from the kernel's accounting of it."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO)
    assert proc.stderr is not None
    # wait4 gives this child's own rusage (with its waited-for descendants), not every child's.
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} ... failed ({proc.returncode}):\n{err.decode(errors='replace')[-3000:]}")
    return Measure(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def prefect_home(root: Path, fresh: bool, run_dir: Path) -> Path:
    """The PREFECT_HOME of a real run: shared and migrated beforehand (untimed), or a new one."""
    if fresh:
        return run_dir / "prefect"
    home = root / "prefect-home"
    if not (home / "prefect.db").is_file():
        home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        prefect = Path(sys.executable).with_name("prefect")
        subprocess.run([str(prefect), "server", "database", "upgrade", "-y"], env=env, check=True, capture_output=True)
    return home


def real_run(source: Path, warehouse: str, data_dir: Path, home: Path) -> tuple[Measure, dict[str, object]]:
    summary = data_dir / "summary.json"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)  # the user's default: Prefect's temporary server
    m = measured(
        [
            sys.executable,
            str(REPO / "flows" / "main.py"),
            "--source",
            str(source),
            "--warehouse",
            warehouse,
            "--data-dir",
            str(data_dir),
            "--summary-json",
            str(summary),
        ],
        env,
    )
    result = json.loads(summary.read_text())
    run = result["runs"][0] if "runs" in result else result
    m.stages = {k: float(v) for k, v in run["seconds"].items()}
    return m, run


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min, {os.cpu_count()} cores)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--songs", type=int, default=15_000, help="catalogue size (about the real song_data)")
    parser.add_argument("--warehouses", default="duckdb,postgresql")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved repeats; medians are printed")
    parser.add_argument("--data", default=str(REPO / "data" / "bench"), help="dataset cache and scratch folder")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--fresh-prefect-home", action="store_true", help="a new PREFECT_HOME per run")
    args = parser.parse_args()

    root = Path(args.data)
    source = ensure_dataset(root, args.events, args.seed, args.songs)
    work = root / "e2e"
    names = args.warehouses.split(",")
    runs: dict[str, list[Measure]] = {"bare": [], **{n: [] for n in names}, **{f"{n} rerun": [] for n in names}}
    events = songplays = 0
    print(f"load average at start: {load()}", flush=True)
    for i in range(args.repeat):
        shutil.rmtree(work, ignore_errors=True)
        bare = measured([sys.executable, str(REPO / "bench" / "bare_duckdb.py"), str(source), str(work / "bare")])
        runs["bare"].append(bare)
        print(f"repeat {i + 1}/{args.repeat}: bare {bare.wall:.1f} s", end="", flush=True)
        for name in names:
            url = (
                f"duckdb:///{work / name / 'warehouse.duckdb'}"
                if name == "duckdb"
                else fresh_pg_database(args.pg_admin_url, "ma_bench_e2e")
            )
            home = prefect_home(root, args.fresh_prefect_home, work / name)
            m, run = real_run(source, url, work / name, home)
            runs[name].append(m)
            events = int(run["inputs"]["events"]["records"])  # type: ignore[index]
            songplays = int(run["songplays"])  # type: ignore[arg-type]
            again, rerun = real_run(
                source, url, work / name, prefect_home(root, args.fresh_prefect_home, work / "again")
            )
            assert rerun["status"] == "skipped", rerun["status"]
            runs[f"{name} rerun"].append(again)
            print(f" | {name} {m.wall:.1f} s, rerun {again.wall:.1f} s", end="", flush=True)
        print(flush=True)
    print(f"load average at end:   {load()}")

    base_wall = median([m.wall for m in runs["bare"]])
    base_cpu = median([m.cpu for m in runs["bare"]])
    print(f"\n{events:,} events read ({args.events:,} requested), {songplays:,} songplays; medians of {args.repeat}")
    print(f"{'run':<26}{'wall s':>9}{'CPU s':>9}{'peak RSS MB':>13}{'events/s':>11}{'wall x':>8}{'CPU x':>7}")
    for name, ms in runs.items():
        wall, cpu = median([m.wall for m in ms]), median([m.cpu for m in ms])
        rss = max(m.peak_rss_mb for m in ms)
        label = "bare DuckDB script" if name == "bare" else f"flows/main.py {name.replace('rerun', '(nothing new)')}"
        print(
            f"{label:<26}{wall:>9.1f}{cpu:>9.1f}{rss:>13,.0f}{events / wall:>11,.0f}"
            f"{wall / base_wall:>7.2f}x{cpu / base_cpu:>6.2f}x"
        )
    for name in names:
        stages: dict[str, list[float]] = {}
        for m in runs[name]:
            for stage, secs in m.stages.items():
                stages.setdefault(stage, []).append(secs)
        wall = median([m.wall for m in runs[name]])
        accounted = sum(median(v) for v in stages.values())
        print(f"\nseconds per stage, {name} (median):")
        for stage, values in stages.items():
            print(f"  {stage:<24}{median(values):>8.2f}  {100 * median(values) / wall:>5.1f}% of the run")
        print(
            f"  {'outside the stages':<24}{wall - accounted:>8.2f}  {100 * (wall - accounted) / wall:>5.1f}%"
            "  (imports, Prefect server, preflight, summary, insights)"
        )
        gates = median([m.stages.get("lake gate", 0.0) + m.stages.get("audit", 0.0) for m in runs[name]])
        print(f"  {'both quality gates':<24}{gates:>8.2f}  {100 * gates / wall:>5.1f}% of the run")


if __name__ == "__main__":
    main()
