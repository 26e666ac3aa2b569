"""The lake: partition layout, and the songs partitions kept when the catalogue did not change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from music_analytics import pipeline
from music_analytics import tables as catalogue
from music_analytics.engines import TransformResult
from music_analytics.lake import HIVE_NULL
from tests.helpers import make_config

# Raw fields the lake's events keep for lake readers (Spark, Athena) that the warehouse's events drop.
LAKE_ONLY_EVENT_FIELDS = {"first_name", "last_name", "gender", "registration", "source_file"}


def songs_in_lake(lake: Path) -> dict[str, str]:
    rows = (
        duckdb.connect()
        .execute(f"SELECT song_id, title FROM read_parquet('{lake}/songs/**/*.parquet', hive_partitioning = true)")
        .fetchall()
    )
    return dict(rows)


def assert_events_lake(lake: Path, result: TransformResult) -> None:
    """The accepted events of the real sample: every one, by year/month, with the model's columns."""
    assert sorted(str(p.parent.relative_to(lake / "events")) for p in (lake / "events").rglob("*.parquet")) == [
        "year=2018/month=11"
    ]
    con = duckdb.connect()
    events = f"read_parquet('{lake}/events/**/*.parquet', hive_partitioning = true)"
    rows, plays = con.execute(f"SELECT COUNT(*), COUNT(*) FILTER (WHERE page = 'NextSong') FROM {events}").fetchone()
    assert rows == result.events.accepted == result.rows["events"] == 8056
    assert plays == result.plays
    # The warehouse's columns plus a few raw fields the warehouse drops; never record_position
    # (engine-internal); year and month only as folders. Derived from the catalogue, so a new
    # column needs no edit here.
    files = f"read_parquet('{lake}/events/**/*.parquet', hive_partitioning = false)"
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {files}").fetchall()]
    assert catalogue.EVENTS.lake is not None
    assert len(columns) == len(set(columns))
    expected = set(catalogue.EVENTS.names) | LAKE_ONLY_EVENT_FIELDS
    assert set(columns) == expected - set(catalogue.EVENTS.lake.partition_by)


def test_the_default_layout_keeps_songs_in_a_file_per_year(sample: Path, tmp_path: Path) -> None:
    cfg = make_config(tmp_path, sample, f"duckdb:///{tmp_path / 'w.duckdb'}")
    lake = pipeline.transform(cfg, str(sample)).lake
    song_files = sorted((lake / "songs").rglob("*.parquet"))
    raw_songs = [json.loads(p.read_text()) for p in (sample / "song_data").rglob("*.json")]
    # Year 0 is eventsim's "unknown": NULL in the model, the hive NULL folder in the lake.
    years = {f"year={s['year'] or HIVE_NULL}" for s in raw_songs}
    assert {p.parent.name for p in song_files} == years
    assert len(song_files) == len(years)
    assert len(songs_in_lake(lake)) == 71


def test_layout_and_unchanged_songs_are_not_rewritten(sample: Path, tmp_path: Path) -> None:
    source = tmp_path / "raw"
    shutil.copytree(sample, source)
    cfg = make_config(tmp_path, source, f"duckdb:///{tmp_path / 'w.duckdb'}", lake_songs_partition_by="year,artist_id")
    result = pipeline.transform(cfg, str(source))
    lake = result.lake
    song_files = sorted((lake / "songs").rglob("*.parquet"))
    raw_songs = [json.loads(p.read_text()) for p in (source / "song_data").rglob("*.json")]
    assert len(song_files) == len({(s["year"], s["artist_id"]) for s in raw_songs}) == 69  # a file per folder
    assert all(p.parent.name.startswith("artist_id=") and p.parent.parent.name.startswith("year=") for p in song_files)
    assert {p.parent.name for p in (lake / "songplays").rglob("*.parquet")} == {"month=11"}
    assert_events_lake(lake, result)
    stamps = {p: p.stat().st_mtime_ns for p in song_files}

    pipeline.transform(cfg, str(source))
    assert {p: p.stat().st_mtime_ns for p in sorted((lake / "songs").rglob("*.parquet"))} == stamps

    # A changed song is picked up: the partitions are written again.
    changed = next((source / "song_data").rglob("*.json"))
    record = json.loads(changed.read_text())
    record["title"] = "A New Title"
    changed.write_text(json.dumps(record))
    pipeline.transform(cfg, str(source))
    assert songs_in_lake(lake)[record["song_id"]] == "A New Title"
    assert len(songs_in_lake(lake)) == 71
