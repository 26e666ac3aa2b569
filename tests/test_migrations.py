"""Upgrading a warehouse created by an older version: its tables get the migrations, its data is kept.

The "older version" is the DDL of the three migrated tables as it was before them, run by hand,
with rows the old pipeline would have written (year 0 and '' for unknowns, no iso_year).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from music_analytics import pipeline
from music_analytics import warehouse as wh
from music_analytics.config import WarehouseURL
from music_analytics.tables import DERIVED, MIGRATIONS
from tests.helpers import make_config, table_rows

OLD_DDL = (
    'CREATE TABLE "time" (start_time TIMESTAMP NOT NULL, hour INTEGER NOT NULL, day INTEGER NOT NULL, '
    "week INTEGER NOT NULL, month INTEGER NOT NULL, year INTEGER NOT NULL, weekday INTEGER NOT NULL)",
    "CREATE TABLE songs (song_id VARCHAR(32) NOT NULL, title VARCHAR(1024) NOT NULL, artist_id VARCHAR(32) NOT NULL, "
    "artist_name VARCHAR(1024) NOT NULL, year INTEGER NOT NULL, duration DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE artists (artist_id VARCHAR(32) NOT NULL, name VARCHAR(1024), location VARCHAR(1024), "
    "latitude DOUBLE PRECISION, longitude DOUBLE PRECISION)",
    # ISO: 2018-12-31 is in week 1 of 2019; 2021-01-01 in week 53 of 2020; 2018-11-15 an ordinary day.
    "INSERT INTO \"time\" VALUES ('2018-12-31 10:00:00', 10, 31, 1, 12, 2018, 1), "
    "('2021-01-01 08:00:00', 8, 1, 53, 1, 2021, 5), ('2018-11-15 00:00:00', 0, 15, 46, 11, 2018, 4)",
    "INSERT INTO songs VALUES ('SOA', 'A', 'ARA', 'Artist A', 0, 100.5), ('SOB', 'B', 'ARB', 'Artist B', 1999, 200.0)",
    "INSERT INTO artists VALUES ('ARA', 'Artist A', '', NULL, NULL), ('ARB', 'Artist B', 'Tulsa, OK', 36.1, -95.9)",
)


def _old_warehouse(url: str) -> wh.Warehouse:
    warehouse = wh.connect(WarehouseURL.parse(url))
    with warehouse.transaction() as tx:
        for statement in OLD_DDL:
            warehouse.execute(tx, statement)
    return warehouse


def _rows(warehouse: wh.Warehouse, query: str) -> list[tuple[Any, ...]]:
    with warehouse.transaction() as tx:
        return warehouse.fetch(tx, query)


def test_an_older_warehouse_is_migrated_once_and_keeps_its_data(warehouse_url: str) -> None:
    warehouse = _old_warehouse(warehouse_url)
    warehouse.create_schema()
    assert _rows(warehouse, 'SELECT start_time, year, week, iso_year FROM "time" ORDER BY start_time') == [
        (dt.datetime(2018, 11, 15), 2018, 46, 2018),
        (dt.datetime(2018, 12, 31, 10), 2018, 1, 2019),
        (dt.datetime(2021, 1, 1, 8), 2021, 53, 2020),
    ]
    assert _rows(warehouse, "SELECT song_id, year FROM songs ORDER BY song_id") == [("SOA", None), ("SOB", 1999)]
    assert _rows(warehouse, "SELECT artist_id, location FROM artists ORDER BY artist_id") == [
        ("ARA", None),
        ("ARB", "Tulsa, OK"),
    ]
    applied = _rows(warehouse, "SELECT id FROM schema_migrations ORDER BY id")
    assert applied == sorted((m.id,) for m in MIGRATIONS)

    # Again: nothing left to apply, nothing changes (an ADD COLUMN run twice would fail).
    warehouse.create_schema()
    assert _rows(warehouse, "SELECT COUNT(*) FROM schema_migrations") == [(len(MIGRATIONS),)]
    assert _rows(warehouse, "SELECT COUNT(*) FROM songs WHERE year IS NULL") == [(1,)]


def test_a_new_warehouse_records_the_migrations_without_running_them(warehouse_url: str) -> None:
    warehouse = wh.connect(WarehouseURL.parse(warehouse_url))
    warehouse.create_schema()
    assert _rows(warehouse, "SELECT id FROM schema_migrations ORDER BY id") == sorted((m.id,) for m in MIGRATIONS)
    assert _rows(warehouse, 'SELECT COUNT(*) FROM "time"') == [(0,)]


def test_a_migrated_warehouse_loads_like_a_new_one(sample: Path, tmp_path: Path, warehouse_url: str) -> None:
    day = dt.date(2018, 11, 15)
    old = make_config(tmp_path / "old", sample, warehouse_url, start=day, end=day)
    _old_warehouse(warehouse_url)
    pipeline.run(old)
    fresh = make_config(tmp_path / "fresh", sample, f"duckdb:///{tmp_path / 'fresh.duckdb'}", start=day, end=day)
    pipeline.run(fresh)
    old_wh, fresh_wh = wh.connect(old.warehouse), wh.connect(fresh.warehouse)
    # The hand-made old rows are still there next to the run's; the run's rows equal a new warehouse's.
    assert _rows(old_wh, "SELECT COUNT(*) FROM songs WHERE song_id IN ('SOA', 'SOB')") == [(2,)]
    for table in ("songs", "artists", "time", "songplays", "users"):
        new_rows = table_rows(fresh_wh, table)
        keys = {r[0] for r in new_rows}  # table_rows puts the key first
        assert [r for r in table_rows(old_wh, table) if r[0] in keys] == new_rows, table


def test_a_warehouse_from_before_the_derived_tables_gets_them_from_its_events(
    sample: Path, tmp_path: Path, warehouse_url: str
) -> None:
    """user_levels, play_skips and sessions are new to a warehouse that already holds events: its next
    run (here one with nothing new to load) builds them from all those events, as a fresh load would."""
    cfg = make_config(tmp_path, sample, warehouse_url)
    pipeline.run(cfg)
    warehouse = wh.connect(cfg.warehouse)
    fresh = {t.name: table_rows(warehouse, t.name) for t in DERIVED}
    assert all(fresh.values())
    with warehouse.transaction() as tx:
        for t in DERIVED:
            warehouse.execute(tx, f"DROP TABLE {t.name}")
    assert pipeline.run(cfg).status == "skipped"
    assert {t.name: table_rows(warehouse, t.name) for t in DERIVED} == fresh
