"""The derived tables (sql/derived/: user_levels, play_skips, sessions) with given rows, on a real
DuckDB file and a real PostgreSQL database.

Each "run" stages some events and merges them into `events` as the pipeline's load does (the
catalogue's upsert), then rebuilds the derived tables for the staged keys: so a late event, a
corrected level and a rerun show how the tables move, without the transform in the way.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

import pyarrow as pa
import pytest

from music_analytics import derived
from music_analytics import tables as catalogue
from music_analytics import warehouse as wh
from music_analytics.config import WarehouseURL
from music_analytics.warehouse import render
from music_analytics.warehouse.base import quote
from tests.helpers import table_rows

T0 = dt.datetime(2018, 11, 4, 6, 0)  # 1:00 in Chicago, an hour before daylight saving time ends
AUSTIN = "Austin-Round Rock, TX"


def ev(
    user: str,
    session: int,
    item: int,
    at: dt.datetime,
    level: str = "free",
    page: str = "NextSong",
    length: float | None = 200.0,
    location: str | None = AUSTIN,
) -> dict[str, Any]:
    ts = int((at - dt.datetime(1970, 1, 1)).total_seconds() * 1000)
    return {
        "event_id": zlib.crc32(repr((user, session, item, ts)).encode()),
        "start_time": at,
        "ts": ts,
        "user_id": user,
        "session_id": session,
        "item_in_session": item,
        "page": page,
        "auth": "Logged In",
        "level": level,
        "method": "PUT",
        "status": 200,
        "location": location,
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "registration_time": None,
        "song": "A Song" if page == "NextSong" else None,
        "artist": "An Artist" if page == "NextSong" else None,
        "length": length if page == "NextSong" else None,
    }


@pytest.fixture
def warehouse(warehouse_url: str) -> wh.Warehouse:
    w = wh.connect(WarehouseURL.parse(warehouse_url))
    w.create_schema()
    return w


def run(w: wh.Warehouse, *events: dict[str, Any]) -> None:
    """One load of `events`: staged, merged into events, derived tables rebuilt for their keys."""
    table = catalogue.EVENTS
    with w.transaction() as tx:
        for statement in w.sql_statements("stage/recreate.sql", table=quote(table.name)):
            w.execute(tx, statement)
        w.insert_arrow(tx, f"staging.{table.name}", pa.Table.from_pylist(list(events), schema=table.arrow_schema()))
        for statement in render.merge(table, w.dialect):
            w.execute(tx, statement)
        for t in catalogue.DERIVED:
            w.derive(tx, t, derived.STAGED)


def levels(w: wh.Warehouse, user: str = "1") -> list[tuple[Any, ...]]:
    return [(r[1], r[2], r[3], r[4]) for r in table_rows(w, "user_levels") if r[0] == user]


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def test_level_stretches_split_on_a_late_event_and_merge_when_a_level_is_corrected(warehouse: wh.Warehouse) -> None:
    t1, t2, t3 = T0, T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=3)
    run(warehouse, ev("1", 1, 0, t1), ev("1", 2, 0, t2), ev("1", 3, 0, t3, "paid"))
    assert levels(warehouse) == [("free", t1, t3, False), ("paid", t3, None, True)]

    # A late day holds a paid event inside the free stretch: it splits it in three.
    late = t1 + dt.timedelta(hours=12)
    run(warehouse, ev("1", 9, 0, late, "paid"))
    assert levels(warehouse) == [
        ("free", t1, late, False),
        ("paid", late, t2, False),
        ("free", t2, t3, False),
        ("paid", t3, None, True),
    ]

    # That file is reloaded with the level corrected: the stretches merge back.
    run(warehouse, ev("1", 9, 0, late, "free"))
    assert levels(warehouse) == [("free", t1, t3, False), ("paid", t3, None, True)]

    before = {t.name: table_rows(warehouse, t.name) for t in catalogue.DERIVED}
    run(warehouse, ev("1", 1, 0, t1), ev("1", 2, 0, t2), ev("1", 3, 0, t3, "paid"))  # a rerun
    assert {t.name: table_rows(warehouse, t.name) for t in catalogue.DERIVED} == before


def test_events_at_one_instant_count_once_as_the_last_of_them(warehouse: wh.Warehouse) -> None:
    """The order users.sql takes the latest level in: later session, then later item."""
    run(warehouse, ev("1", 1, 0, T0), ev("1", 2, 5, T0 + minutes(1), "paid"), ev("1", 2, 4, T0 + minutes(1)))
    assert levels(warehouse) == [("free", T0, T0 + minutes(1), False), ("paid", T0 + minutes(1), None, True)]
    run(warehouse, ev("2", 1, 0, T0, "paid"), ev("2", 1, 1, T0))
    assert levels(warehouse, "2") == [("free", T0, None, True)]


def test_a_run_rebuilds_only_the_users_and_sessions_it_touches(warehouse: wh.Warehouse) -> None:
    run(warehouse, ev("1", 1, 0, T0), ev("2", 1, 0, T0, "paid"))
    with warehouse.transaction() as tx:  # mark user 2's rows: a rebuild of user 2 would undo it
        warehouse.execute(tx, f"UPDATE {quote('user_levels')} SET level = 'marked' WHERE user_id = '2'")
    run(warehouse, ev("1", 1, 1, T0 + minutes(5), "paid"))
    assert levels(warehouse, "2") == [("marked", T0, None, True)]
    assert [r[0] for r in levels(warehouse, "1")] == ["free", "paid"]


def skips(w: wh.Warehouse) -> dict[int, bool | None]:
    return {r[0]: r[3] for r in table_rows(w, "play_skips")}


def test_a_play_is_skipped_when_the_next_event_starts_more_than_a_second_early(warehouse: wh.Warehouse) -> None:
    plays = [
        ev("1", 1, 0, T0, length=200.0),  # next event 150 s later: skipped
        ev("1", 1, 1, T0 + dt.timedelta(seconds=150), length=100.0),  # next 99.2 s later: within 1 s, heard
        ev("1", 1, 2, T0 + dt.timedelta(seconds=249.2), page="Home"),  # not a play
        ev("1", 1, 3, T0 + dt.timedelta(seconds=250), length=180.0),  # the session's last event: not judged
    ]
    run(warehouse, *plays)
    ids = [p["event_id"] for p in plays]
    assert skips(warehouse) == {ids[0]: True, ids[1]: False, ids[3]: None}
    session = table_rows(warehouse, "sessions")[0]
    assert session[5:8] == (3, 1, 4)  # plays, skips, pages
    assert session[3] == T0 + dt.timedelta(seconds=250 + 180)  # ends with its last song
    assert session[4] == pytest.approx((250 + 180) / 60)

    # A late event in the middle of the last song (a Logout 60 s in): now that play was cut short.
    logout = ev("1", 1, 4, T0 + dt.timedelta(seconds=310), page="Logout")
    run(warehouse, logout)
    assert skips(warehouse)[ids[3]] is True
    assert table_rows(warehouse, "sessions")[0][5:8] == (3, 2, 5)


@pytest.mark.parametrize(
    ("location", "zone", "known", "local_hour"),
    [
        (AUSTIN, "America/Chicago", True, 1),  # 06:00 UTC is 01:00 CDT (UTC-5)
        ("New York-Newark-Jersey City, NY-NJ-PA", "America/New_York", True, 1),  # first state; EST from 06:00
        ("Phoenix-Mesa-Scottsdale, AZ", "America/Phoenix", True, 23),  # no daylight saving time
        ("Somewhere, ZZ", "UTC", False, 6),  # no known state code: UTC, counted as unknown
        ("Nowhere", "UTC", False, 6),
        (None, "UTC", False, 6),
    ],
)
def test_the_session_time_zone_comes_from_the_state(
    warehouse: wh.Warehouse, location: str | None, zone: str, known: bool, local_hour: int
) -> None:
    run(warehouse, ev("1", 1, 0, T0, location=location))
    (session,) = table_rows(warehouse, "sessions")
    assert (session[10], session[11], session[12]) == (location, zone, known)
    assert session[13].hour == local_hour


def test_local_time_follows_daylight_saving_time(warehouse: wh.Warehouse) -> None:
    """Chicago leaves DST at 07:00 UTC on 2018-11-04: 06:30 UTC is 01:30 CDT, 07:30 UTC 01:30 CST."""
    run(warehouse, ev("1", 1, 0, T0 + minutes(30)), ev("1", 2, 0, T0 + minutes(90)))
    local = [r[13] for r in table_rows(warehouse, "sessions")]
    assert local == [dt.datetime(2018, 11, 4, 1, 30), dt.datetime(2018, 11, 4, 1, 30)]
