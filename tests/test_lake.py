"""The lake: the batch's partition layout, and the cumulative lake daily runs publish (write-audit-publish)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pytest

from music_analytics import pipeline
from music_analytics import tables as catalogue
from music_analytics.engines import TransformResult
from music_analytics.errors import QualityGateError
from music_analytics.lake import HIVE_NULL, LakeTable, tables
from tests.helpers import day_file, make_config, one_more_play, with_settings

T = TypeVar("T")

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
    """The accepted events of the real sample: every one, by the day of its source file, with the
    model's columns."""
    days = sorted(p.parent.name for p in (lake / "events").rglob("*.parquet"))
    assert days == [f"file_day=2018-11-{d:02d}" for d in range(1, 31)]
    con = duckdb.connect()
    events = f"read_parquet('{lake}/events/**/*.parquet', hive_partitioning = true)"
    rows, plays = con.execute(f"SELECT COUNT(*), COUNT(*) FILTER (WHERE page = 'NextSong') FROM {events}").fetchone()
    assert rows == result.events.accepted == result.rows["events"] == 8056
    assert plays == result.plays
    # Every row sits in its source file's day.
    assert con.execute(
        f"SELECT COUNT(*) FROM {events} WHERE NOT contains(source_file, CAST(file_day AS VARCHAR))"
    ).fetchone() == (0,)
    # The warehouse's columns plus a few raw fields the warehouse drops; never record_position
    # (engine-internal); file_day only as folders. Derived from the catalogue, so a new column
    # needs no edit here.
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


def test_the_batch_layout_with_songs_by_year_and_artist(sample: Path, tmp_path: Path) -> None:
    cfg = make_config(tmp_path, sample, f"duckdb:///{tmp_path / 'w.duckdb'}", lake_songs_partition_by="year,artist_id")
    result = pipeline.transform(cfg, str(sample))
    lake = result.lake
    assert lake == cfg.lake_path / "_batch"  # the run's batch: published only after a merge
    song_files = sorted((lake / "songs").rglob("*.parquet"))
    raw_songs = [json.loads(p.read_text()) for p in (sample / "song_data").rglob("*.json")]
    assert len(song_files) == len({(s["year"], s["artist_id"]) for s in raw_songs}) == 69  # a file per folder
    assert all(p.parent.name.startswith("artist_id=") and p.parent.parent.name.startswith("year=") for p in song_files)
    assert len({p.parent.name for p in (lake / "songplays").rglob("*.parquet")}) == 30
    assert_events_lake(lake, result)


# -- the cumulative lake -------------------------------------------------------------------------------


def lake_tables(lake: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every published lake table's rows, sorted (partition columns included)."""
    con = duckdb.connect()
    return {
        t.name: con.execute(
            f"SELECT * FROM read_parquet('{lake}/{t.name}/**/*.parquet', hive_partitioning = true) ORDER BY ALL"
        ).fetchall()
        for t in lake_tables_of()
    }


def lake_tables_of() -> tuple[LakeTable, ...]:
    return tables("year")


def published_files(lake: Path) -> list[tuple[str, int]]:
    return sorted(
        (p.relative_to(lake).as_posix(), p.stat().st_mtime_ns)
        for p in lake.rglob("*.parquet")
        if not p.relative_to(lake).as_posix().startswith("_")
    )


def test_daily_runs_build_the_lake_a_one_shot_run_builds(sample: Path, tmp_path: Path) -> None:
    """30 daily runs leave all 30 days in the lake, exactly the lake of one run over the month,
    readable as one dataset by DuckDB and pyarrow (Spark: tests/test_spark.py)."""
    import pyarrow.dataset as ds

    one = make_config(tmp_path / "one", sample, f"duckdb:///{tmp_path / 'one.duckdb'}")
    pipeline.run(one)
    daily = make_config(tmp_path / "daily", sample, f"duckdb:///{tmp_path / 'daily.duckdb'}")
    for day in range(1, 31):
        summary = pipeline.run(with_settings(daily, start=dt.date(2018, 11, day), end=dt.date(2018, 11, day)))
        assert summary.status == "succeeded", day
    assert not (daily.lake_path / "_batch").exists()
    got = lake_tables(daily.lake_path)
    assert got == lake_tables(one.lake_path)
    assert len({r[-1] for r in got["events"]}) == 30 and len(got["events"]) == 8056
    assert ds.dataset(daily.lake_path / "events", partitioning="hive").count_rows() == 8056
    assert ds.dataset(daily.lake_path / "songplays", partitioning="hive").count_rows() == 6820

    # A day reloaded with changed content replaces that day's rows only; a rerun changes nothing.
    day_path = day_file(sample, dt.date(2018, 11, 15))
    source = tmp_path / "changed"
    shutil.copytree(sample, source)
    changed = day_file(source, dt.date(2018, 11, 15))
    lines = day_path.read_text().splitlines()
    changed.write_text("\n".join(lines[:-10]) + "\n")
    moved = with_settings(
        daily, source=str(source), source_moved=True, start=dt.date(2018, 11, 15), end=dt.date(2018, 11, 15)
    )
    before = published_files(daily.lake_path)
    pipeline.run(moved)
    after = lake_tables(daily.lake_path)
    assert len(after["events"]) == 8056 - 10
    untouched = [f for f in before if "2018-11-15" not in f[0] and f[0].split("/")[0] in ("events", "songplays")]
    assert set(untouched) <= set(published_files(daily.lake_path))  # other days' files were not rewritten
    pipeline.run(with_settings(moved, reload=True))
    assert lake_tables(daily.lake_path) == after


def test_a_blocked_run_leaves_the_lake_as_it_was(
    sample: Path, tmp_path: Path, faulty_transform: Callable[..., None]
) -> None:
    cfg = make_config(tmp_path, sample, f"duckdb:///{tmp_path / 'w.duckdb'}", end=dt.date(2018, 11, 29))
    pipeline.run(cfg)
    before, files = lake_tables(cfg.lake_path), published_files(cfg.lake_path)
    faulty_transform()
    blocked = make_config(
        tmp_path,
        one_more_play(sample, tmp_path),
        f"duckdb:///{tmp_path / 'w.duckdb'}",
        quality_gates="lake",
        source_moved=True,
    )
    with pytest.raises(QualityGateError):
        pipeline.run(blocked)
    assert lake_tables(cfg.lake_path) == before and published_files(cfg.lake_path) == files


def test_a_publish_a_crash_interrupted_is_finished_by_the_next_run(sample: Path, tmp_path: Path) -> None:
    cfg = make_config(tmp_path, sample, f"duckdb:///{tmp_path / 'w.duckdb'}")

    class CrashAtPublish(pipeline.Hooks):
        calls = 0

        def stage(self, name: str, fn: Callable[..., T], *args: Any) -> T:
            if name == "publish-lake":
                self.calls += 1
                if self.calls == 2:  # the publish after the merge (the first: recovery, nothing to do)
                    raise KeyboardInterrupt
            return super().stage(name, fn, *args)

    with pytest.raises(KeyboardInterrupt):
        pipeline.run(cfg, CrashAtPublish())
    assert (cfg.lake_path / "_batch").is_dir() and not (cfg.lake_path / "events").exists()
    again = pipeline.run(cfg)
    assert again.status == "skipped"  # nothing new to load: the merge had committed
    assert not (cfg.lake_path / "_batch").exists()
    assert len(lake_tables(cfg.lake_path)["events"]) == 8056


def test_a_lake_of_the_older_layout_is_replaced_by_the_next_batch(sample: Path, tmp_path: Path) -> None:
    """Before the lake was cumulative it held only the last run's batch, by year/month: the next
    publish replaces such a table (nothing durable is lost) instead of mixing two layouts."""
    cfg = make_config(tmp_path, sample, f"duckdb:///{tmp_path / 'w.duckdb'}", start=dt.date(2018, 11, 1))
    cfg = with_settings(cfg, end=dt.date(2018, 11, 1))
    pipeline.run(cfg)
    events = cfg.lake_path / "events"
    old = tmp_path / "old-events"
    duckdb.connect().execute(
        f"COPY (SELECT * EXCLUDE (file_day), 2018 AS year, 11 AS month FROM read_parquet('{events}/**/*.parquet', "
        f"hive_partitioning = true)) TO '{old}' (FORMAT parquet, PARTITION_BY (year, month))"
    )
    shutil.rmtree(events)
    old.rename(events)
    pipeline.run(with_settings(cfg, start=dt.date(2018, 11, 2), end=dt.date(2018, 11, 2)))
    assert sorted(p.name for p in events.iterdir()) == ["file_day=2018-11-02"]
    assert len(lake_tables(cfg.lake_path)["events"]) == len(
        day_file(sample, dt.date(2018, 11, 2)).read_text().splitlines()
    )
