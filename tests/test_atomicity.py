"""A failure in the middle of the load leaves the warehouse exactly as it was; a rerun succeeds."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from music_analytics import pipeline
from music_analytics import warehouse as wh
from music_analytics.errors import WarehouseError
from tests.helpers import (
    REPO,
    WAREHOUSE_TABLES,
    append,
    copy_of,
    day_file,
    fresh_pg_database,
    make_config,
    row_count,
    table_rows,
    tables,
)


def snapshot(w: wh.Warehouse) -> dict[str, list[tuple[object, ...]]]:
    return {t: table_rows(w, t) for t in WAREHOUSE_TABLES}


def test_failed_merge_changes_nothing_and_rerun_succeeds(sample: Path, tmp_path: Path, warehouse_url: str) -> None:
    # First load the first half of the month, so the warehouse holds data the failed run must not touch.
    cfg_half = make_config(tmp_path, sample, warehouse_url, start=dt.date(2018, 11, 1), end=dt.date(2018, 11, 15))
    pipeline.run(cfg_half)
    w = wh.connect(cfg_half.warehouse)
    before = snapshot(w)
    assert before["songplays"] and before["users"]

    # The whole month: transform and stage, then break one staged fact row so the merge fails
    # after the dimensions (artists, songs, users, time) were already merged in the transaction.
    cfg = make_config(tmp_path, sample, warehouse_url)
    pipeline.create_schema(cfg)
    result = pipeline.transform(cfg, str(sample))
    staged = pipeline.stage(cfg, result.lake)
    with w.transaction() as tx:
        w.execute(
            tx,
            "UPDATE staging.songplays SET start_time = NULL WHERE songplay_id IN "
            "(SELECT MAX(songplay_id) FROM staging.songplays)",
        )
    progress: list[str] = []
    with pytest.raises(WarehouseError, match=r"(?i)null"):
        pipeline.load(cfg, staged, progress.append)
    assert any(m.startswith("merged users") for m in progress)  # the failure really was mid-load
    assert snapshot(w) == before

    summary = pipeline.run(cfg)
    assert summary.merge is not None
    assert row_count(w, "songplays") == 6820
    assert summary.merge.inserted["songplays"] == 6820 - len(before["songplays"])


def test_unreadable_lake_fails_staging_without_touching_the_star_schema(
    sample: Path, tmp_path: Path, duckdb_url: str
) -> None:
    cfg = make_config(tmp_path, sample, duckdb_url)
    pipeline.run(cfg)
    w = wh.connect(cfg.warehouse)
    before = snapshot(w)
    result = pipeline.transform(cfg, str(sample))
    victim = next((result.lake / "songplays").rglob("*.parquet"))
    victim.write_bytes(b"this is not parquet")
    with pytest.raises(WarehouseError):
        pipeline.stage(cfg, result.lake)
    assert snapshot(w) == before


def _cli(*args: str, **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "music_analytics.cli", "run", "--quality-gates", "none", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


def test_kill_9_during_the_merge_leaves_the_warehouse_as_it_was(sample: Path, tmp_path: Path, pg_url: str) -> None:
    """SIGKILL while the merge transaction is open (dimensions and facts merged, rejected_records
    waiting on a row lock the test holds): nothing of that run is published, and the next run
    completes with exactly the tables of a clean one-shot load."""
    import psycopg2

    source = copy_of(sample, tmp_path)
    day = day_file(source, dt.date(2018, 11, 15))
    append(day, "not json, rejected")
    cfg = make_config(tmp_path, source, pg_url)
    pipeline.run(cfg)
    w = wh.connect(cfg.warehouse)
    before = snapshot(w)
    rejected_file = day.relative_to(source).as_posix()
    assert [r[0] for r in before["rejected_records"]] == [rejected_file]

    # The rejected line changes: the merge updates its row, which the test holds locked.
    day.write_text(day.read_text().replace("not json, rejected", "not json, rejected, edited"))
    holder = psycopg2.connect(pg_url)
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT 1 FROM rejected_records WHERE source_file = %s FOR UPDATE", (rejected_file,))
        proc = _cli("--source", str(source), "--warehouse", pg_url, "--data-dir", str(tmp_path / "data"), "-v")
        assert proc.stdout is not None
        seen = []
        for output_line in proc.stdout:
            seen.append(output_line)
            if "merged events:" in output_line:
                proc.send_signal(signal.SIGKILL)
                break
        assert proc.wait(timeout=60) == -signal.SIGKILL, "".join(seen)[-3000:]
    finally:
        holder.rollback()
        holder.close()
    assert snapshot(w) == before

    summary = pipeline.run(cfg)
    assert summary.status == "succeeded"
    with fresh_pg_database() as clean_url:
        clean = make_config(tmp_path / "clean", source, clean_url)
        pipeline.run(clean)
        assert snapshot(w) == tables(clean)


def test_a_full_disk_during_the_lake_write_fails_clearly_and_publishes_nothing(
    sample: Path, tmp_path: Path, pg_url: str
) -> None:
    """The lake is written to _incoming and swapped in only when complete: a write that fails (here
    RLIMIT_FSIZE, the disk-full of one process: EFBIG on any file over 8 KiB) leaves the published
    lake and the warehouse as they were, with one error line."""
    import resource

    cfg = make_config(tmp_path, sample, pg_url, start=dt.date(2018, 11, 1), end=dt.date(2018, 11, 10))
    pipeline.run(cfg)
    w = wh.connect(cfg.warehouse)
    before = snapshot(w)
    lake = cfg.lake_path
    published = sorted((p.relative_to(lake).as_posix(), p.stat().st_size) for p in lake.rglob("*") if p.is_file())

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (8 * 1024, 8 * 1024))

    # The library run (no Prefect server: its database would hit the limit first), with the CLI's
    # error reporting.
    script = (
        "import sys; from music_analytics import pipeline; from music_analytics.cli import report_errors; "
        "from music_analytics.config import load_config; "
        f"cfg = load_config(environ={{}}, source={str(sample)!r}, warehouse={pg_url!r}, "
        f"data_dir={str(tmp_path / 'data')!r}, quality_gates='none'); "
        "sys.exit(report_errors(False, lambda: pipeline.run(cfg) and 0))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=limit_file_size,
    )
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1, output[-3000:]
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith(f"error: writing the lake {lake} failed: "), output[-3000:]
    assert "File too large" in errors[0] and "nothing was published" in errors[0]
    assert (
        sorted((p.relative_to(lake).as_posix(), p.stat().st_size) for p in lake.rglob("*") if p.is_file()) == published
    )
    assert snapshot(w) == before
