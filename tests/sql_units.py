"""dbt-style unit tests for SQL: given these rows in each relation a query reads, it returns exactly these rows.

A case gives each input as a tiny typed table (`given`: a relation, the columns it fills, its rows;
columns left out are NULL), runs the query on DuckDB in memory and compares the rows it returns,
exactly, with the expected ones (`assert_rows`: floats with pytest.approx). Every case runs inside
a transaction that is rolled back, so one connection serves a whole module in milliseconds a case.

The transform models (sql/transform/) read relations the engine builds or earlier models return;
SCHEMAS declares each with its engine types (tests/test_model_units.py checks the declarations
against the engine's own SQL and the models' real output), MODEL_INPUTS says which ones each model
reads, and `Models.run` mocks exactly those.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import pytest

from music_analytics import sql

Row = tuple[Any, ...]

# Every relation a transform model reads or returns, with the column types the DuckDB engine gives it.
# Engine relations: events_checked / songs_checked (the contract check, music_analytics/parse.py),
# rejected_raw, event_files, song_files (music_analytics/engines/duckdb_engine.py), quarantined_files
# (music_analytics.engines.quarantined_table) and known_songs
# (sql/engines/duckdb/known_songs.sql); the others are the models of sql/transform/.
_EVENT_FIELDS = """
    artist VARCHAR, auth VARCHAR, first_name VARCHAR, gender VARCHAR, item_in_session BIGINT,
    last_name VARCHAR, length DOUBLE, level VARCHAR, location VARCHAR, method VARCHAR, page VARCHAR,
    registration DOUBLE, session_id BIGINT, song VARCHAR, status BIGINT, ts BIGINT, user_agent VARCHAR,
    user_id VARCHAR"""
SCHEMAS: dict[str, str] = {
    # engine relations
    "events_checked": f"record_position BIGINT, source_file VARCHAR, {_EVENT_FIELDS}, unparsed BOOLEAN, "
    "reject_reason VARCHAR, reject_detail VARCHAR",
    "songs_checked": "source_file VARCHAR, record_position BIGINT, parse_error VARCHAR, num_songs BIGINT, "
    "artist_id VARCHAR, artist_latitude DOUBLE, artist_longitude DOUBLE, artist_location VARCHAR, "
    "artist_name VARCHAR, song_id VARCHAR, title VARCHAR, duration DOUBLE, year BIGINT, "
    "unparsed BOOLEAN, reject_reason VARCHAR, reject_detail VARCHAR",
    "rejected_raw": "source_file VARCHAR, record_position BIGINT, line_number BIGINT, raw VARCHAR",
    "event_files": "source_file VARCHAR, lines BIGINT, blank_lines BIGINT",
    "song_files": "source_file VARCHAR, content VARCHAR",
    "quarantined_files": "source_file VARCHAR, input VARCHAR, detail VARCHAR",
    "known_songs": "song_id VARCHAR, title VARCHAR, artist_id VARCHAR, artist_name VARCHAR, duration DOUBLE",
    # models
    "duplicate_events": "source_file VARCHAR, record_position BIGINT",
    "events_classified": f"source_file VARCHAR, record_position BIGINT, {_EVENT_FIELDS}, "
    "reject_reason VARCHAR, reject_detail VARCHAR",
    "events": "event_id BIGINT, start_time TIMESTAMP, ts BIGINT, user_id VARCHAR, session_id BIGINT, "
    "item_in_session BIGINT, page VARCHAR, auth VARCHAR, level VARCHAR, method VARCHAR, status BIGINT, "
    "first_name VARCHAR, last_name VARCHAR, gender VARCHAR, location VARCHAR, user_agent VARCHAR, "
    "registration DOUBLE, registration_time TIMESTAMP, song VARCHAR, artist VARCHAR, length DOUBLE, "
    "source_file VARCHAR, record_position BIGINT",
    "songs_classified": "source_file VARCHAR, record_position BIGINT, song_id VARCHAR, title VARCHAR, "
    "artist_id VARCHAR, artist_name VARCHAR, artist_location VARCHAR, artist_latitude DOUBLE, "
    "artist_longitude DOUBLE, year BIGINT, duration DOUBLE, reject_reason VARCHAR, "
    "reject_detail VARCHAR",
    "songs": "song_id VARCHAR, title VARCHAR, artist_id VARCHAR, artist_name VARCHAR, year INTEGER, duration DOUBLE, "
    "source_file VARCHAR",
    "artists": "artist_id VARCHAR, name VARCHAR, location VARCHAR, latitude DOUBLE, longitude DOUBLE",
    "songplays": "songplay_id BIGINT, start_time TIMESTAMP, user_id VARCHAR, level VARCHAR, song_id VARCHAR, "
    "artist_id VARCHAR, session_id BIGINT, location VARCHAR, user_agent VARCHAR, source_file VARCHAR",
    "users": "user_id VARCHAR, first_name VARCHAR, last_name VARCHAR, gender VARCHAR, level VARCHAR, "
    "level_ts TIMESTAMP",
    "time": "start_time TIMESTAMP, hour INTEGER, day INTEGER, week INTEGER, month INTEGER, year INTEGER, "
    "weekday INTEGER, iso_year INTEGER",
    "rejected_records": "source_file VARCHAR, line_number BIGINT, input VARCHAR, reason VARCHAR, detail VARCHAR, "
    "raw VARCHAR",
    "input_files": "source_file VARCHAR, input VARCHAR, records BIGINT, accepted BIGINT, rejected BIGINT, "
    "blank_lines BIGINT",
}

# The relations each model reads (its "refs"): a case mocks exactly these.
MODEL_INPUTS: dict[str, tuple[str, ...]] = {
    "duplicate_events": ("events_checked",),
    "events_classified": ("events_checked", "duplicate_events"),
    "events": ("events_classified",),
    "songs_classified": ("songs_checked",),
    "songs": ("songs_classified",),
    "artists": ("songs_classified",),
    "songplays": ("events", "songs", "known_songs"),
    "users": ("events",),
    "time": ("songplays",),
    "rejected_records": ("events_classified", "songs_classified", "rejected_raw", "quarantined_files"),
    "input_files": ("events_classified", "songs_classified", "event_files", "song_files", "quarantined_files"),
}


def columns_of(schema: str) -> list[tuple[str, str]]:
    """[(column, type)] of a schema string "name TYPE, name TYPE"."""
    pairs = []
    for part in schema.split(","):
        name, kind = part.split()
        pairs.append((name, kind))
    return pairs


@dataclass(frozen=True)
class Given:
    """Rows given for one relation: only the named columns; the others are NULL."""

    relation: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def given(relation: str, columns: str, *rows: Row) -> Given:
    """given("events", "user_id ts level", ("7", 1541426400000, "free"), ...)."""
    names = tuple(columns.replace(",", " ").split())
    for row in rows:
        if len(row) != len(names):
            raise ValueError(f"{relation}: row {row!r} has {len(row)} values for the {len(names)} columns {names}")
    return Given(relation, names, tuple(rows))


def insert(con: duckdb.DuckDBPyConnection, data: Given) -> None:
    if data.rows:
        marks = ", ".join("?" for _ in data.columns)
        columns = ", ".join(f'"{c}"' for c in data.columns)
        con.executemany(f'INSERT INTO "{data.relation}" ({columns}) VALUES ({marks})', [list(r) for r in data.rows])


def _expected(value: Any) -> Any:
    return pytest.approx(value, rel=1e-12, abs=1e-12) if isinstance(value, float) else value


def assert_rows(got: Sequence[Row], expected: Sequence[Row]) -> None:
    """Exactly these rows in this order; floats compared with pytest.approx (the SQL divides)."""
    assert [tuple(r) for r in got] == [tuple(_expected(v) for v in r) for r in expected]


def stable_id(key: str) -> int:
    """Python twin of the engines' stable_id macro: the first 15 hex digits of MD5(key) as an integer."""
    return int(hashlib.md5(key.encode("utf-8")).hexdigest()[:15], 16)


def at(text: str) -> dt.datetime:
    """A UTC wall-clock timestamp, as DuckDB returns a TIMESTAMP: at("2018-11-05 14:00:00.123")."""
    return dt.datetime.fromisoformat(text)


def ms(text: str) -> int:
    """Epoch milliseconds of a UTC wall-clock time (the raw `ts`)."""
    return (at(text) - dt.datetime(1970, 1, 1)) // dt.timedelta(milliseconds=1)


class Models:
    """One in-memory DuckDB connection set up like the engine's (UTC, the helper macros)."""

    def __init__(self) -> None:
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET TimeZone = 'UTC'")
        for statement in sql.statements("engines/duckdb/macros.sql"):
            self.con.execute(statement)

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def mocked(self, model: str, *inputs: Given) -> Iterator[duckdb.DuckDBPyConnection]:
        """The model as a view over its inputs, each a typed temp table holding the given rows (or none);
        everything is rolled back afterwards."""
        refs = MODEL_INPUTS[model]
        extra = {g.relation for g in inputs} - set(refs)
        if extra:
            raise ValueError(f"{model} does not read {sorted(extra)}; it reads {list(refs)}")
        self.con.execute("BEGIN TRANSACTION")
        try:
            for relation in refs:
                self.con.execute(f'CREATE TEMP TABLE "{relation}" ({SCHEMAS[relation]})')
            for data in inputs:
                insert(self.con, data)
            self.con.execute(f'CREATE TEMP VIEW "{model}" AS {sql.read(f"transform/{model}.sql")}')
            yield self.con
        finally:
            self.con.execute("ROLLBACK")

    def run(self, model: str, *inputs: Given, order_by: str, columns: str = "*") -> list[Row]:
        """The model's rows (the named columns, default all) ordered by its key."""
        with self.mocked(model, *inputs) as con:
            return con.execute(f'SELECT {columns} FROM "{model}" ORDER BY {order_by}').fetchall()
