"""A failure in the middle of the load leaves the warehouse exactly as it was; a rerun succeeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from music_analytics import pipeline
from music_analytics import warehouse as wh
from music_analytics.errors import WarehouseError
from tests.helpers import STAR, make_config, row_count, table_rows


def snapshot(w: wh.Warehouse) -> dict[str, list[tuple[object, ...]]]:
    return {t: table_rows(w, t) for t in STAR}


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
