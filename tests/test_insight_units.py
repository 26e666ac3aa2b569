"""Unit tests of the insight questions (sql/insights/), dbt style: a warehouse built from the project's own DDL
holds a few given rows of events / songplays / time / users, and each answer is compared with the rows
docs/insights.md says it must be, worked out by hand.

One test per rule, named test_<question>__<rule>; every question of insights.QUESTIONS and the recommender
matrix must have at least one (test_every_question_has_a_unit_case). Each case runs in a transaction of
one DuckDB warehouse that is rolled back afterwards; the text repair goes through insights.run on a
warehouse of its own, as the report does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from music_analytics import insights
from music_analytics import warehouse as wh
from music_analytics.config import WarehouseURL
from tests.sql_units import Given, Row, assert_rows, at, given, insert, ms, stable_id

DOCS = Path(__file__).resolve().parents[1] / "docs" / "insights.md"
D = dt.date
# Monday 2018-11-05 .. Sunday 2018-11-11: ISO week 45.
WEEK = (D(2018, 11, 5), D(2018, 11, 11))


def open_warehouse(path: Path) -> wh.Warehouse:
    warehouse = wh.connect(WarehouseURL.parse(f"duckdb:///{path}"))
    warehouse.create_schema()
    return warehouse


@pytest.fixture(scope="module")
def connection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("insight-units") / "warehouse.duckdb"
    open_warehouse(path)
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    yield con
    con.close()


@pytest.fixture
def db(connection: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse inside a transaction that is rolled back: every case starts from empty tables."""
    connection.execute("BEGIN TRANSACTION")
    try:
        yield connection
    finally:
        connection.execute("ROLLBACK")


# -- given rows -----------------------------------------------------------------------------------------


def _filled(relation: str, columns: str, rows: tuple[Row, ...], defaults: Any) -> Given:
    data = given(relation, columns, *rows)
    filled = []
    for n, row in enumerate(data.rows, start=1):
        values = dict(zip(data.columns, row, strict=True))
        defaults(n, values)
        filled.append(values)
    names = tuple(filled[0]) if filled else data.columns
    return Given(relation, names, tuple(tuple(v[c] for c in names) for v in filled))


def events(columns: str, *rows: Row) -> Given:
    """Rows of the events fact, start_time as text ("2018-11-05 10:00:00"). Unless given: ts = its epoch ms,
    session_id 1, item_in_session = the row's number, event_id = the natural-key hash (as the transform)."""

    def defaults(n: int, row: dict[str, Any]) -> None:
        text = row["start_time"]
        row["start_time"] = at(text)
        row.setdefault("ts", ms(text))
        row.setdefault("session_id", 1)
        row.setdefault("item_in_session", n)
        row.setdefault(
            "event_id",
            stable_id(f"{row.get('user_id') or ''}|{row['session_id']}|{row['item_in_session']}|{row['ts']}"),
        )

    return _filled("events", columns, rows, defaults)


def songplays(columns: str, *rows: Row) -> Given:
    """Rows of the songplays fact, start_time as text. Unless given: songplay_id = the row's number,
    level free, session_id 1."""

    def defaults(n: int, row: dict[str, Any]) -> None:
        row["start_time"] = at(row["start_time"])
        row.setdefault("songplay_id", n)
        row.setdefault("level", "free")
        row.setdefault("session_id", 1)

    return _filled("songplays", columns, rows, defaults)


def users(*rows: tuple[str, str | None]) -> Given:
    """Rows of the users dimension: (user_id, gender); level and level_ts do not matter here."""
    return given(
        "users",
        "user_id gender level level_ts",
        *((user_id, gender, "free", at("2018-11-01 00:00:00")) for user_id, gender in rows),
    )


def load(db: duckdb.DuckDBPyConnection, *tables: Given) -> None:
    for table in tables:
        insert(db, table)


def _value(v: Any) -> Any:
    # As the report shows it (insights._shown, without the text repair): a ratio is a float.
    return float(v) if isinstance(v, Decimal) else v


def ask(
    db: duckdb.DuckDBPyConnection, name: str, start: dt.date | None, end: dt.date | None, limit: int = 10
) -> list[Row]:
    """The answer of sql/insights/<name>.sql for the period [start, end] (None = unbounded)."""
    rows = db.execute(insights.statement(name, **insights.period_values(start, end), limit=limit)).fetchall()
    return [tuple(_value(v) for v in row) for row in rows]


def midnight(day: dt.date) -> str:
    """The timestamp literal export_interactions fills {{split_at}} with (the start of `day`)."""
    return insights.period_values(day, None)["start"]


# -- top_songs / top_artists ----------------------------------------------------------------------------

PLAY = "user_id start_time page song artist length"
# Plays of the week (2.0 minutes ties four songs and three artists: in 2 plays x 60 s, or in 1 play of
# 120 s), and what must not count.
TOP_PLAYS = events(
    PLAY,
    ("1", "2018-11-05 10:00:00", "NextSong", "Song A", "Artist X", 100.0),
    ("1", "2018-11-05 10:05:00", "NextSong", "Song A", "Artist X", 100.0),
    ("2", "2018-11-05 11:00:00", "NextSong", "Song A", "Artist X", 100.0),
    ("3", "2018-11-06 10:00:00", "NextSong", "Song B", "Artist Y", 600.0),
    ("1", "2018-11-06 11:00:00", "NextSong", "Song C", "Artist Z", 60.0),
    ("1", "2018-11-06 12:00:00", "NextSong", "Song C", "Artist Z", 60.0),
    ("2", "2018-11-07 10:00:00", "NextSong", "Song D", "Artist W", 60.0),
    ("3", "2018-11-07 11:00:00", "NextSong", "Song D", "Artist W", 60.0),
    ("1", "2018-11-08 10:00:00", "NextSong", "Song E", "Artist W", 30.0),
    ("2", "2018-11-08 11:00:00", "NextSong", "Song A", "Artist Y", 10.0),  # same title, another artist
    ("3", "2018-11-09 10:00:00", "NextSong", "Song G", "Artist Q", 60.0),
    ("3", "2018-11-11 23:59:59", "NextSong", "Song G", "Artist Q", 60.0),  # the period's last second
    ("2", "2018-11-09 13:00:00", "NextSong", "Song H", "Artist P", 120.0),  # 2.0 minutes in 1 play
    (None, "2018-11-09 11:00:00", "NextSong", "Song B", "Artist Y", 600.0),  # logged out: not a play
    ("1", "2018-11-09 12:00:00", "Thumbs Up", None, None, None),  # not a play
    ("2", "2018-11-12 00:00:00", "NextSong", "Song F", "Artist V", 900.0),  # after the period
    ("2", "2018-11-12 00:10:00", "NextSong", "Song F", "Artist V", 900.0),
)


def test_top_songs__ranked_by_plays_and_by_minutes_ties_broken_by_artist_then_song(
    db: duckdb.DuckDBPyConnection,
) -> None:
    load(db, TOP_PLAYS)
    # rank_by_plays, rank_by_minutes, song, artist, plays, minutes, listeners
    assert_rows(
        ask(db, "top_songs", *WEEK),
        [
            (1, 2, "Song A", "Artist X", 3, 5.0, 2),
            (2, 3, "Song G", "Artist Q", 2, 2.0, 1),  # 2 plays, 2.0 minutes: by artist Q < W < Z
            (3, 4, "Song D", "Artist W", 2, 2.0, 2),
            (4, 5, "Song C", "Artist Z", 2, 2.0, 1),
            (5, 1, "Song B", "Artist Y", 1, 10.0, 1),  # 1 play: by minutes
            (6, 6, "Song H", "Artist P", 1, 2.0, 1),  # 2.0 minutes in fewer plays: after G, D, C by minutes too
            (7, 7, "Song E", "Artist W", 1, 0.5, 1),
            (8, 8, "Song A", "Artist Y", 1, 10 / 60, 1),
        ],
    )


def test_top_songs__rows_in_either_top_n(db: duckdb.DuckDBPyConnection) -> None:
    load(db, TOP_PLAYS)
    assert_rows(
        ask(db, "top_songs", *WEEK, limit=2),
        [
            (1, 2, "Song A", "Artist X", 3, 5.0, 2),
            (2, 3, "Song G", "Artist Q", 2, 2.0, 1),
            (5, 1, "Song B", "Artist Y", 1, 10.0, 1),  # in the top 2 by minutes only
        ],
    )


def test_top_artists__ranked_by_plays_and_by_minutes_with_distinct_songs(db: duckdb.DuckDBPyConnection) -> None:
    load(db, TOP_PLAYS)
    # rank_by_plays, rank_by_minutes, artist, plays, minutes, listeners, songs
    assert_rows(
        ask(db, "top_artists", *WEEK),
        [
            (1, 2, "Artist X", 3, 5.0, 2, 1),
            (2, 3, "Artist W", 3, 2.5, 3, 2),  # 3 plays like X, fewer minutes
            (3, 1, "Artist Y", 2, 610 / 60, 2, 2),
            (4, 4, "Artist Q", 2, 2.0, 1, 1),  # ties Z on plays and minutes: Q < Z
            (5, 5, "Artist Z", 2, 2.0, 1, 1),
            (6, 6, "Artist P", 1, 2.0, 1, 1),  # ties Q and Z on minutes, fewer plays: after them
        ],
    )


def test_top_artists__rows_in_either_top_n(db: duckdb.DuckDBPyConnection) -> None:
    load(db, TOP_PLAYS)
    assert_rows(
        ask(db, "top_artists", *WEEK, limit=1),
        [
            (1, 2, "Artist X", 3, 5.0, 2, 1),
            (3, 1, "Artist Y", 2, 610 / 60, 2, 2),
        ],
    )


def test_top_artists__text_is_shown_repaired_but_grouped_as_logged(tmp_path: Path) -> None:
    """Through insights.run, as the report: the double-encoded 'Björk' is shown repaired, and stays a row of
    its own next to the correctly logged spelling (grouping and ranking use the text as logged)."""
    twice = "Bj\u00c3\u0083\u00c2\u00b6rk"
    song_twice = "J\u00c3\u0083\u00c2\u00b3ga"
    warehouse = open_warehouse(tmp_path / "warehouse.duckdb")
    with warehouse.transaction() as tx:
        insert(
            tx,
            events(
                PLAY,
                ("1", "2018-11-05 10:00:00", "NextSong", song_twice, twice, 300.0),
                ("2", "2018-11-05 11:00:00", "NextSong", song_twice, twice, 300.0),
                ("1", "2018-11-06 10:00:00", "NextSong", "Jóga", "Björk", 300.0),
            ),
        )
    report = insights.run(warehouse, *WEEK)
    answers = {r.name: r.rows for r in report.results}
    assert_rows(answers["top_artists"], [(1, 1, "Björk", 2, 10.0, 2, 1), (2, 2, "Björk", 1, 5.0, 1, 1)])
    assert_rows(answers["top_songs"], [(1, 1, "Jóga", "Björk", 2, 10.0, 2), (2, 2, "Jóga", "Björk", 1, 5.0, 1)])


# -- listening_heatmap ----------------------------------------------------------------------------------


def test_listening_heatmap__plays_per_iso_weekday_and_hour_of_the_time_dimension(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        songplays(
            "user_id start_time",
            ("1", "2018-11-11 23:30:00"),
            ("1", "2018-11-05 14:00:00"),
            ("2", "2018-11-05 14:00:00"),  # the same instant: one time row, two plays
            ("1", "2018-11-05 14:59:59"),
            ("1", "2018-11-12 00:00:00"),  # after the period
        ),
        given(
            "time",
            "start_time hour day week month year weekday iso_year",
            (at("2018-11-11 23:30:00"), 23, 11, 45, 11, 2018, 7, 2018),
            (at("2018-11-05 14:00:00"), 14, 5, 45, 11, 2018, 1, 2018),
            (at("2018-11-05 14:59:59"), 14, 5, 45, 11, 2018, 1, 2018),
            (at("2018-11-12 00:00:00"), 0, 12, 46, 11, 2018, 1, 2018),
        ),
    )
    # weekday, hour, plays: only the cells with plays
    assert_rows(ask(db, "listening_heatmap", *WEEK), [(1, 14, 3), (7, 23, 1)])


# -- free_vs_paid ---------------------------------------------------------------------------------------


def test_free_vs_paid__by_the_level_at_each_event(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        events(
            "user_id session_id level start_time page length",
            ("1", 1, "free", "2018-11-05 10:00:00", "NextSong", 120.0),
            ("1", 1, "free", "2018-11-05 10:02:00", "Roll Advert", None),
            ("1", 1, "free", "2018-11-05 10:03:00", "Home", None),
            ("1", 2, "paid", "2018-11-06 10:00:00", "NextSong", 180.0),  # upgraded: counts under both levels
            ("2", 5, "free", "2018-11-05 12:00:00", "NextSong", 60.0),
            ("2", 5, "free", "2018-11-05 12:01:00", "Roll Advert", None),
            ("2", 6, "free", "2018-11-07 12:00:00", "Roll Advert", None),
            ("3", 2, "paid", "2018-11-07 09:00:00", "Home", None),  # session 2 of another user
            (None, 9, "free", "2018-11-05 13:00:00", "NextSong", 200.0),  # logged out
            ("2", 7, "free", "2018-11-12 09:00:00", "NextSong", 200.0),  # after the period
        ),
    )
    # level, users, plays, minutes, sessions, adverts, plays_per_user
    assert_rows(
        ask(db, "free_vs_paid", *WEEK),
        [
            ("free", 2, 2, 3.0, 3, 3, 1.0),
            ("paid", 2, 1, 3.0, 2, 0, 0.5),
        ],
    )


# -- plays_by_gender ------------------------------------------------------------------------------------


def test_plays_by_gender__the_users_dimension_gender_unknown_when_missing(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        users(("1", "F"), ("2", "M"), ("3", None)),  # user 4 is not in the dimension
        events(
            PLAY,
            ("1", "2018-11-05 10:00:00", "NextSong", "S", "A", 60.0),
            ("1", "2018-11-05 10:01:00", "NextSong", "S", "A", 60.0),
            ("2", "2018-11-05 10:02:00", "NextSong", "S", "A", 120.0),
            ("2", "2018-11-05 10:03:00", "Home", None, None, None),
            ("3", "2018-11-05 10:04:00", "NextSong", "S", "A", 30.0),
            ("4", "2018-11-05 10:05:00", "NextSong", "S", "A", 90.0),
            (None, "2018-11-05 10:06:00", "NextSong", "S", "A", 90.0),
        ),
    )
    # gender, listeners, plays, minutes, plays_per_listener; plays DESC, then gender ("F" < "unknown")
    assert_rows(
        ask(db, "plays_by_gender", *WEEK),
        [
            ("F", 1, 2, 2.0, 2.0),
            ("unknown", 2, 2, 2.0, 1.0),
            ("M", 1, 1, 2.0, 1.0),
        ],
    )


# -- plays_by_location ----------------------------------------------------------------------------------


def test_plays_by_location__city_before_the_comma_and_the_first_state_code(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        events(
            "user_id start_time page song artist length location",
            ("1", "2018-11-05 10:00:00", "NextSong", "S", "A", 60.0, "New York-Newark-Jersey City, NY-NJ-PA"),
            ("2", "2018-11-05 10:01:00", "NextSong", "S", "A", 60.0, "New York-Newark-Jersey City, NY-NJ-PA"),
            ("3", "2018-11-05 10:02:00", "NextSong", "S", "A", 120.0, "Houston-The Woodlands-Sugar Land, TX"),
            ("1", "2018-11-05 10:03:00", "NextSong", "S", "A", 60.0, "Washington-Arlington-Alexandria, DC-VA-MD-WV"),
            ("4", "2018-11-05 10:04:00", "NextSong", "S", "A", 30.0, None),
            ("5", "2018-11-05 10:05:00", "NextSong", "S", "A", 30.0, ""),
            ("6", "2018-11-05 10:06:00", "NextSong", "S", "A", 60.0, "Paris"),
            ("7", "2018-11-05 10:07:00", "Home", None, None, None, "Paris"),
        ),
    )
    # city, state, listeners, plays, minutes; plays DESC, state, city
    assert_rows(
        ask(db, "plays_by_location", *WEEK),
        [
            ("New York-Newark-Jersey City", "NY", 2, 2, 2.0),
            ("unknown", "unknown", 2, 2, 1.0),
            ("Paris", "", 1, 1, 1.0),
            ("Washington-Arlington-Alexandria", "DC", 1, 1, 1.0),
            ("Houston-The Woodlands-Sugar Land", "TX", 1, 1, 2.0),
        ],
    )


# -- plays_by_device ------------------------------------------------------------------------------------

AGENTS = {
    "edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 "
    "Safari/537.36 Edge/12.10240",
    "opera": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/36.0.1985.143 Safari/537.36 OPR/23.0.1522.77",
    "chrome_android": "Mozilla/5.0 (Linux; Android 4.4.2; Nexus 5 Build/KOT49H) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/36.0.1985.135 Mobile Safari/537.36",
    "crios_iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like "
    "Gecko) CriOS/36.0.1985.49 Mobile/11D257 Safari/9537.53",
    "safari_ipad": "Mozilla/5.0 (iPad; CPU OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) "
    "Version/7.0 Mobile/11D257 Safari/9537.53",
    "firefox_linux": "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:31.0) Gecko/20100101 Firefox/31.0",
    "ie11": "Mozilla/5.0 (Windows NT 6.3; WOW64; Trident/7.0; rv:11.0) like Gecko",
    "msie": "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1)",
    "chrome_os": "Mozilla/5.0 (X11; CrOS x86_64 6680.78.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/41.0.2272.102 Safari/537.36",
    "curl": "curl/7.35.0",
}


def test_plays_by_device__browser_and_os_first_matching_rule_wins(db: duckdb.DuckDBPyConnection) -> None:
    agents = [*AGENTS.values(), AGENTS["chrome_android"], None]
    plays = [(str(n), f"2018-11-05 10:{n:02d}:00", "NextSong", agent) for n, agent in enumerate(agents)]
    plays[-2] = ("2", *plays[-2][1:])  # the second Android play: the same listener as the first
    load(db, events("user_id start_time page user_agent", *plays))
    # browser, os, listeners, plays; plays DESC, browser, os (byte order: "Other" < "Safari" < "unknown")
    assert_rows(
        ask(db, "plays_by_device", *WEEK),
        [
            ("Chrome", "Android", 1, 2),
            ("Internet Explorer", "Windows", 2, 2),  # Trident/ and MSIE
            ("Chrome", "Chrome OS", 1, 1),
            ("Chrome", "iOS", 1, 1),  # CriOS on an iPhone
            ("Edge", "Windows", 1, 1),  # Edge/ before Chrome/ and Safari/
            ("Firefox", "Linux", 1, 1),
            ("Opera", "macOS", 1, 1),  # OPR/ before Chrome/
            ("Other", "Other", 1, 1),
            ("Safari", "iOS", 1, 1),  # an iPad
            ("unknown", "unknown", 1, 1),  # no user agent
        ],
    )


# -- sessions -------------------------------------------------------------------------------------------

SESSION = "user_id session_id start_time page length"


def test_sessions__a_one_song_session_lasts_that_song(db: duckdb.DuckDBPyConnection) -> None:
    load(db, events(SESSION, ("1", 1, "2018-11-05 10:00:00", "NextSong", 200.0)))
    # sessions, users, avg_session_minutes, avg_songs_per_session, max_songs_per_session, sessions_per_user
    assert_rows(ask(db, "sessions", *WEEK), [(1, 1, 200 / 60, 1.0, 1, 1.0)])


def test_sessions__from_the_first_event_to_the_end_of_the_last_song_in_the_period(
    db: duckdb.DuckDBPyConnection,
) -> None:
    load(
        db,
        events(
            SESSION,
            ("1", 1, "2018-11-05 10:00:00", "NextSong", 200.0),  # 200 s, 1 song
            ("1", 2, "2018-11-05 12:00:00", "Home", None),  # 12:00:00 .. 12:04:40, 2 songs
            ("1", 2, "2018-11-05 12:01:00", "NextSong", 120.0),
            ("1", 2, "2018-11-05 12:03:00", "NextSong", 100.0),  # ends 12:04:40
            ("1", 2, "2018-11-05 12:04:00", "Home", None),  # during the last song
            ("2", 1, "2018-11-06 09:00:00", "Home", None),  # user 2's session 1: 10 minutes, no song
            ("2", 1, "2018-11-06 09:10:00", "Logout", None),
            ("2", 3, "2018-11-11 23:58:00", "NextSong", 240.0),  # 4 minutes: its song ends after the period
            ("2", 3, "2018-11-12 00:02:00", "NextSong", 240.0),  # after the period: not counted
            (None, 99, "2018-11-07 10:00:00", "Home", None),  # logged out
        ),
    )
    # (200/60 + 280/60 + 10 + 4) / 4 = 5.5 minutes; (1 + 2 + 0 + 1) / 4 songs
    assert_rows(ask(db, "sessions", *WEEK), [(4, 2, 5.5, 1.0, 2, 2.0)])


def test_sessions__none_in_the_period(db: duckdb.DuckDBPyConnection) -> None:
    load(db, events(SESSION, ("1", 1, "2018-11-12 10:00:00", "NextSong", 200.0)))
    assert_rows(ask(db, "sessions", *WEEK), [(0, 0, None, None, None, None)])


# -- active_users ---------------------------------------------------------------------------------------


def test_active_users__trailing_windows_count_events_before_the_start(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        events(
            "user_id start_time page",
            ("2", "2018-10-06 10:00:00", "Home"),  # 30 days before 11-05: outside every window
            ("1", "2018-10-07 10:00:00", "Home"),  # 29 days before 11-05: in its MAU only
            ("3", "2018-10-30 10:00:00", "Home"),  # 6 days before 11-05: in its WAU, and MAU until 11-28
            ("4", "2018-11-05 10:00:00", "NextSong"),
            ("5", "2018-11-06 23:59:59", "Home"),
            (None, "2018-11-06 10:00:00", "Home"),  # logged out
            ("4", "2018-11-07 00:00:00", "Home"),
            ("6", "2018-11-08 10:00:00", "Home"),  # after the period
        ),
    )
    # day, dau, wau, mau
    assert_rows(
        ask(db, "active_users", D(2018, 11, 5), D(2018, 11, 7)),
        [
            (D(2018, 11, 5), 1, 2, 3),
            (D(2018, 11, 6), 1, 2, 3),
            (D(2018, 11, 7), 1, 2, 3),
        ],
    )


def test_active_users__windows_slide_day_by_day(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        events(
            "user_id start_time page",
            ("1", "2018-10-07 10:00:00", "Home"),
            ("3", "2018-10-30 10:00:00", "Home"),
            ("4", "2018-11-05 10:00:00", "Home"),
            ("9", "2018-11-07 10:00:00", "Home"),  # after the period: keeps 11-06 in the calendar, counts nowhere
        ),
    )
    assert_rows(
        ask(db, "active_users", D(2018, 11, 5), D(2018, 11, 6)),
        [
            (D(2018, 11, 5), 1, 2, 3),
            (D(2018, 11, 6), 0, 1, 2),  # 10-30 left the WAU, 10-07 the MAU
        ],
    )


# -- daily_listening (and the shared calendar) ----------------------------------------------------------


def test_daily_listening__a_day_without_data_is_a_row_of_zeros(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        events(
            "user_id start_time page length",
            ("1", "2018-11-05 10:00:00", "NextSong", 60.0),
            ("2", "2018-11-05 11:00:00", "NextSong", 120.0),
            ("1", "2018-11-05 23:59:59", "NextSong", 60.0),
            ("1", "2018-11-07 00:00:00", "NextSong", 30.0),
            ("2", "2018-11-07 01:00:00", "Home", None),
        ),
    )
    # day, plays, minutes, listeners
    assert_rows(
        ask(db, "daily_listening", D(2018, 11, 5), D(2018, 11, 7)),
        [
            (D(2018, 11, 5), 3, 4.0, 2),
            (D(2018, 11, 6), 0, 0.0, 0),
            (D(2018, 11, 7), 1, 0.5, 1),
        ],
    )


CLAMPED = events(
    "user_id start_time page length",
    (None, "2018-11-04 22:00:00", "Home", None),  # the first event: logged out, but an event
    ("1", "2018-11-05 10:00:00", "NextSong", 60.0),
    ("1", "2018-11-06 10:00:00", "NextSong", 60.0),
)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(D(2018, 11, 1), D(2018, 11, 30), id="period_wider_than_the_data"),
        pytest.param(None, None, id="all_data"),
    ],
)
def test_daily_listening__the_period_is_clamped_to_the_days_with_events(
    db: duckdb.DuckDBPyConnection, start: dt.date | None, end: dt.date | None
) -> None:
    load(db, CLAMPED)
    assert_rows(
        ask(db, "daily_listening", start, end),
        [
            (D(2018, 11, 4), 0, 0.0, 0),
            (D(2018, 11, 5), 1, 1.0, 1),
            (D(2018, 11, 6), 1, 1.0, 1),
        ],
    )


def test_daily_listening__a_period_without_events_has_no_rows(db: duckdb.DuckDBPyConnection) -> None:
    load(db, CLAMPED)
    assert ask(db, "daily_listening", D(2018, 12, 1), D(2018, 12, 31)) == []


# -- funnels --------------------------------------------------------------------------------------------

FUNNEL = "user_id start_time page"


def test_funnels__step_2_counts_only_after_a_step_1_event(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        events(
            FUNNEL,
            ("1", "2018-11-05 10:00:00", "Upgrade"),
            ("1", "2018-11-05 10:01:00", "Submit Upgrade"),
            ("2", "2018-11-05 10:00:00", "Submit Upgrade"),  # before its Upgrade: not step 2
            ("2", "2018-11-05 10:05:00", "Upgrade"),
            ("3", "2018-11-05 10:00:00", "Upgrade"),
            ("3", "2018-11-05 10:01:00", "Submit Upgrade"),  # after one of its two Upgrades
            ("3", "2018-11-05 10:02:00", "Upgrade"),
            ("4", "2018-11-05 10:00:00", "Submit Upgrade"),  # no step 1 at all
            ("5", "2018-11-04 23:59:59", "Upgrade"),  # step 1 before the period
            ("5", "2018-11-05 00:00:00", "Submit Upgrade"),
            ("6", "2018-11-05 10:00:00", "Upgrade"),
            ("6", "2018-11-05 10:00:00", "Submit Upgrade"),  # the same ts: not later
            ("1", "2018-11-06 10:00:00", "Downgrade"),
        ),
    )
    # funnel, step, page, users, rate
    assert_rows(
        ask(db, "funnels", *WEEK),
        [
            ("upgrade", 1, "Upgrade", 4, 1.0),
            ("upgrade", 2, "Submit Upgrade", 2, 0.5),
            ("downgrade", 1, "Downgrade", 1, 1.0),
            ("downgrade", 2, "Submit Downgrade", 0, 0.0),
            ("cancel", 1, "Cancel", 0, None),
            ("cancel", 2, "Cancellation Confirmation", 0, None),
        ],
    )


def test_funnels__rate_is_null_without_step_1_users(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        events(
            FUNNEL,
            ("1", "2018-11-05 10:00:00", "Cancellation Confirmation"),  # step 2 without step 1
            ("2", "2018-11-05 10:00:00", "Cancel"),
            ("2", "2018-11-05 10:00:01", "Cancellation Confirmation"),
            (None, "2018-11-05 10:00:00", "Upgrade"),  # logged out: nobody
        ),
    )
    assert_rows(
        ask(db, "funnels", *WEEK),
        [
            ("upgrade", 1, "Upgrade", 0, None),
            ("upgrade", 2, "Submit Upgrade", 0, None),
            ("downgrade", 1, "Downgrade", 0, None),
            ("downgrade", 2, "Submit Downgrade", 0, None),
            ("cancel", 1, "Cancel", 1, 1.0),
            ("cancel", 2, "Cancellation Confirmation", 1, 1.0),
        ],
    )


# -- retention ------------------------------------------------------------------------------------------


def test_retention__cohorts_by_registration_week_over_the_weeks_of_the_period(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        events(
            "user_id start_time page registration_time",
            # cohort of Monday 10-29 (3 users: the size counts users inactive in the period too)
            ("1", "2018-11-01 10:00:00", "Home", at("2018-10-31 08:00:00")),
            ("1", "2018-11-06 10:00:00", "Home", at("2018-10-31 08:00:00")),
            ("2", "2018-11-02 10:00:00", "Home", at("2018-11-01 08:00:00")),
            ("4", "2018-10-31 10:00:00", "Home", at("2018-10-30 08:00:00")),
            ("4", "2018-11-03 10:00:00", "Home", at("2018-11-07 08:00:00")),  # the cohort is the earliest
            # cohort of Monday 11-05 (2 users)
            ("3", "2018-11-06 10:00:00", "Home", at("2018-11-06 08:00:00")),
            ("3", "2018-11-13 10:00:00", "Home", at("2018-11-06 08:00:00")),
            ("7", "2018-11-08 10:00:00", "Home", at("2018-11-08 08:00:00")),
            ("7", "2018-11-18 10:00:00", "Home", at("2018-11-08 08:00:00")),  # after the period, in its last week
            # cohort of Monday 11-12 (1 user): no row for the week before it registered
            ("8", "2018-11-12 10:00:00", "Home", at("2018-11-12 08:00:00")),
            # cohort of Monday 10-01: nobody active in the period, no rows
            ("6", "2018-10-02 10:00:00", "Home", at("2018-10-01 08:00:00")),
            # no registration: in no cohort
            ("5", "2018-11-06 10:00:00", "Home", None),
        ),
    )
    # cohort_week, activity_week, weeks_since_registration, cohort_users, active_users, retention
    assert_rows(
        ask(db, "retention", D(2018, 11, 5), D(2018, 11, 13)),
        [
            (D(2018, 10, 29), D(2018, 11, 5), 1, 3, 1, 1 / 3),
            (D(2018, 10, 29), D(2018, 11, 12), 2, 3, 0, 0.0),  # nobody active: a row of 0
            (D(2018, 11, 5), D(2018, 11, 5), 0, 2, 2, 1.0),
            (D(2018, 11, 5), D(2018, 11, 12), 1, 2, 2, 1.0),  # the whole week, also after the period
            (D(2018, 11, 12), D(2018, 11, 12), 0, 1, 1, 1.0),
        ],
    )


def test_retention__no_rows_without_registrations(db: duckdb.DuckDBPyConnection) -> None:
    load(db, events("user_id start_time page registration_time", ("1", "2018-11-06 10:00:00", "Home", None)))
    assert ask(db, "retention", *WEEK) == []


# -- match_rate -----------------------------------------------------------------------------------------


def test_match_rate__share_of_matched_plays_null_on_a_day_without_plays(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        events(
            "user_id start_time page",
            ("1", "2018-11-05 10:00:00", "NextSong"),
            ("1", "2018-11-06 10:00:00", "Home"),  # the calendar holds 11-06: an event, no play
            ("1", "2018-11-07 10:00:00", "NextSong"),
        ),
        songplays(
            "user_id start_time song_id",
            ("1", "2018-11-05 10:00:00", "SO01"),
            ("1", "2018-11-05 10:05:00", None),
            ("2", "2018-11-05 10:10:00", "SO02"),
            ("1", "2018-11-07 10:00:00", None),
        ),
    )
    # day, plays, matched_plays, match_rate
    assert_rows(
        ask(db, "match_rate", D(2018, 11, 5), D(2018, 11, 7)),
        [
            (D(2018, 11, 5), 3, 2, 2 / 3),
            (D(2018, 11, 6), 0, 0, None),
            (D(2018, 11, 7), 1, 0, 0.0),
        ],
    )


# -- the recommender matrix (sql/insights/recommender/interactions.sql) ------------------------------------


def test_interactions__feedback_credited_to_the_latest_earlier_play_of_its_session_split_by_time(
    db: duckdb.DuckDBPyConnection,
) -> None:
    load(
        db,
        events(
            "event_id user_id session_id item_in_session start_time page song artist length",
            (101, "1", 1, 1, "2018-11-08 10:00:00", "NextSong", "Song A", "Artist X", 120.0),
            (902, "1", 1, 2, "2018-11-08 10:02:00", "Thumbs Up", None, None, None),  # -> Song A
            (102, "1", 1, 3, "2018-11-08 10:03:00", "NextSong", "Song B", "Artist Y", 60.0),
            (904, "1", 1, 4, "2018-11-08 10:04:00", "Add to Playlist", None, None, None),  # -> Song B
            (905, "1", 1, 5, "2018-11-08 10:05:00", "Home", None, None, None),
            (906, "1", 1, 6, "2018-11-08 10:06:00", "Thumbs Up", None, None, None),  # -> Song B (item 3)
            (907, "1", 2, 1, "2018-11-09 08:00:00", "Thumbs Up", None, None, None),  # no earlier play: out
            (103, "1", 2, 2, "2018-11-09 08:01:00", "NextSong", "Song A", "Artist X", 121.0),  # another version
            (105, "1", 4, 1, "2018-11-09 23:59:00", "NextSong", "Song C", "Artist Z", 180.0),
            (908, "1", 4, 2, "2018-11-10 00:01:00", "Thumbs Up", None, None, None),  # test, for a train play
            (104, "1", 3, 1, "2018-11-10 09:00:00", "NextSong", "Song A", "Artist X", 120.0),
            (106, "2", 7, 1, "2018-11-08 11:00:00", "NextSong", "Song A", "Artist X", 120.0),
            (107, None, 8, 1, "2018-11-08 12:00:00", "NextSong", "Song A", "Artist X", 120.0),  # logged out
            (909, None, 8, 2, "2018-11-08 12:01:00", "Thumbs Up", None, None, None),
        ),
        songplays(
            "songplay_id user_id start_time song_id",
            (101, "1", "2018-11-08 10:00:00", "SO02"),
            (102, "1", "2018-11-08 10:03:00", None),
            (103, "1", "2018-11-09 08:01:00", "SO01"),
            (105, "1", "2018-11-09 23:59:00", None),
            (104, "1", "2018-11-10 09:00:00", "SO02"),
            (106, "2", "2018-11-08 11:00:00", "SO02"),
        ),
        given(
            "play_skips",
            "songplay_id user_id session_id skipped",
            (101, "1", 1, False),
            (102, "1", 1, True),
            (103, "1", 2, True),
            (104, "1", 3, None),  # a session's last play: not judged, not a skip
            (105, "1", 4, False),
            (106, "2", 7, True),
        ),
    )
    statement = insights.statement(insights.INTERACTIONS, split_at=midnight(D(2018, 11, 10)))
    # split, user_id, song, artist, song_id, plays, minutes, thumbs_up, playlist_adds, skips, last_ts
    assert_rows(
        db.execute(statement).fetchall(),
        [
            ("test", "1", "Song A", "Artist X", "SO02", 1, 2.0, 0, 0, 0, ms("2018-11-10 09:00:00")),
            ("test", "1", "Song C", "Artist Z", None, 0, 0.0, 1, 0, 0, ms("2018-11-10 00:01:00")),
            ("train", "1", "Song A", "Artist X", "SO01", 2, 241 / 60, 1, 0, 1, ms("2018-11-09 08:01:00")),
            ("train", "1", "Song B", "Artist Y", None, 1, 1.0, 1, 1, 1, ms("2018-11-08 10:06:00")),
            ("train", "1", "Song C", "Artist Z", None, 1, 3.0, 0, 0, 0, ms("2018-11-09 23:59:00")),
            ("train", "2", "Song A", "Artist X", "SO02", 1, 2.0, 0, 0, 1, ms("2018-11-08 11:00:00")),
        ],
    )


# -- level history: levels_per_day / level_changes ---------------------------------------------------------


def user_levels(*rows: tuple[str, str, str, str | None]) -> Given:
    """Rows of user_levels: (user_id, level, valid_from, valid_to or None for the current stretch)."""
    return given(
        "user_levels",
        "user_id level valid_from valid_to is_current",
        *((u, level, at(start), at(end) if end else None, end is None) for u, level, start, end in rows),
    )


def test_levels_per_day__each_user_at_their_last_level_of_the_day(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        # The calendar spans the events: the 5th to the 8th.
        events("user_id start_time page", ("1", "2018-11-05 10:00:00", "Home"), ("3", "2018-11-08 10:00:00", "Home")),
        user_levels(
            ("1", "free", "2018-11-05 10:00:00", "2018-11-06 12:00:00"),
            ("1", "paid", "2018-11-06 12:00:00", None),
            ("2", "paid", "2018-11-06 23:59:59", "2018-11-07 00:00:00"),  # paid for the 6th's last second
            ("2", "free", "2018-11-07 00:00:00", None),
            ("3", "free", "2018-11-08 10:00:00", None),  # not known before the 8th
        ),
    )
    # day, free_users, paid_users, paid_share
    assert_rows(
        ask(db, "levels_per_day", *WEEK),
        [
            (D(2018, 11, 5), 1, 0, 0.0),
            (D(2018, 11, 6), 0, 2, 1.0),
            (D(2018, 11, 7), 1, 1, 0.5),
            (D(2018, 11, 8), 2, 1, 1 / 3),
        ],
    )


def test_level_changes__changes_in_the_period_over_the_users_at_each_level(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        events("user_id start_time page", ("1", "2018-11-20 12:00:00", "Home")),  # the warehouse's last event
        user_levels(
            ("1", "free", "2018-11-01 10:00:00", "2018-11-06 12:00:00"),
            ("1", "paid", "2018-11-06 12:00:00", None),  # an upgrade in the week, still open: 14 days so far
            ("2", "paid", "2018-11-02 00:00:00", "2018-11-07 00:00:00"),  # a first stretch is no change; 5 days
            ("2", "free", "2018-11-07 00:00:00", "2018-11-13 00:00:00"),  # a downgrade in the week
            ("2", "paid", "2018-11-13 00:00:00", None),  # after the week
            ("3", "free", "2018-11-12 00:00:00", None),  # after the week
            ("4", "free", "2018-10-01 00:00:00", "2018-11-01 00:00:00"),  # before the week
            ("4", "paid", "2018-11-01 00:00:00", "2018-11-05 00:00:00"),  # ends as the week starts
        ),
    )
    # upgrades, downgrades, free_users, paid_users, conversion_rate, downgrade_rate, avg_paid_days, open
    assert_rows(ask(db, "level_changes", *WEEK), [(1, 1, 2, 2, 0.5, 0.5, 9.5, 1)])


# -- skips and local time: skip_rates / most_skipped / listening_heatmap_local / plays_by_time_zone ------------


def sessions(*rows: tuple[str, int, str]) -> Given:
    """Rows of sessions: (user_id, session_id, time_zone); known unless UTC; the rest does not matter here."""
    t = at("2018-11-05 00:00:00")
    return given(
        "sessions",
        "user_id session_id start_time end_time minutes plays skips pages level_at_start time_zone time_zone_known "
        "local_start_time",
        *((u, n, t, t, 0.0, 0, 0, 0, "free", zone, zone != "UTC", t) for u, n, zone in rows),
    )


def play_skips(*rows: tuple[int, str, int, bool | None]) -> Given:
    return given("play_skips", "songplay_id user_id session_id skipped", *rows)


def test_skip_rates__overall_by_level_hour_and_local_hour_over_judged_plays(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        songplays(
            "songplay_id user_id start_time level session_id",
            (1, "1", "2018-11-05 10:00:00", "free", 1),
            (2, "1", "2018-11-05 10:05:00", "free", 1),
            (3, "1", "2018-11-05 10:09:00", "free", 1),
            (4, "2", "2018-11-06 23:30:00", "paid", 2),
            (5, "2", "2018-11-12 00:00:00", "paid", 2),  # after the period
        ),
        play_skips((1, "1", 1, True), (2, "1", 1, False), (3, "1", 1, None), (4, "2", 2, True), (5, "2", 2, True)),
        sessions(("1", 1, "America/Chicago"), ("2", 2, "America/New_York")),
    )
    # dimension, value, plays, judged_plays, skips, skip_rate; 10:00 UTC is 04:00 in Chicago (CST), 23:30
    # UTC 18:30 in New York (EST); hours in numeric order.
    assert_rows(
        ask(db, "skip_rates", *WEEK),
        [
            ("all", "all", 4, 3, 2, 2 / 3),
            ("level", "free", 3, 2, 1, 0.5),
            ("level", "paid", 1, 1, 1, 1.0),
            ("hour", "10", 3, 2, 1, 0.5),
            ("hour", "23", 1, 1, 1, 1.0),
            ("local_hour", "4", 3, 2, 1, 0.5),
            ("local_hour", "18", 1, 1, 1, 1.0),
        ],
    )
    assert ask(db, "skip_rates", D(2018, 12, 1), D(2018, 12, 2)) == []


def test_most_skipped__top_n_songs_and_artists_by_skips_then_rate_then_plays(db: duckdb.DuckDBPyConnection) -> None:
    load(
        db,
        events(
            "event_id user_id start_time page song artist length",
            (101, "1", "2018-11-05 10:00:00", "NextSong", "Song A", "Artist X", 100.0),
            (102, "1", "2018-11-05 10:05:00", "NextSong", "Song A", "Artist X", 100.0),
            (103, "2", "2018-11-05 11:00:00", "NextSong", "Song A", "Artist X", 100.0),
            (104, "2", "2018-11-05 11:05:00", "NextSong", "Song B", "Artist X", 100.0),
            (105, "2", "2018-11-05 11:10:00", "NextSong", "Song B", "Artist X", 100.0),
            (106, "3", "2018-11-06 10:00:00", "NextSong", "Song C", "Artist Y", 100.0),
            (107, "3", "2018-11-06 10:05:00", "NextSong", "Song D", "Artist Z", 100.0),  # never skipped: left out
            (108, "3", "2018-11-13 10:00:00", "NextSong", "Song C", "Artist Y", 100.0),  # after the period
        ),
        play_skips(
            (101, "1", 1, True),
            (102, "1", 1, True),
            (103, "2", 1, False),
            (104, "2", 1, True),
            (105, "2", 1, None),
            (106, "3", 1, True),
            (107, "3", 1, False),
            (108, "3", 2, True),
        ),
    )
    # kind, skip_rank, song, artist, plays, judged_plays, skips, skip_rate: B and C tie on skips and rate, B
    # has more plays; the top 2 of each kind.
    assert_rows(
        ask(db, "most_skipped", *WEEK, limit=2),
        [
            ("song", 1, "Song A", "Artist X", 3, 3, 2, 2 / 3),
            ("song", 2, "Song B", "Artist X", 2, 1, 1, 1.0),
            ("artist", 1, None, "Artist X", 5, 4, 3, 0.75),
            ("artist", 2, None, "Artist Y", 1, 1, 1, 1.0),
        ],
    )


LOCAL_PLAYS = (
    songplays(
        "user_id session_id start_time",
        ("1", 1, "2018-11-05 03:30:00"),  # Chicago: Sunday the 4th, 21:30 CST
        ("2", 2, "2018-11-05 03:30:00"),  # an unknown place: UTC, Monday 03:30
        ("3", 3, "2018-11-04 06:30:00"),  # before the period; Chicago: 01:30 CDT, before DST ended
        ("1", 1, "2018-11-12 00:00:00"),  # after the period; Chicago: Sunday the 11th, 18:00
    ),
    sessions(("1", 1, "America/Chicago"), ("2", 2, "UTC"), ("3", 3, "America/Chicago")),
)


def test_listening_heatmap_local__weekday_and_hour_in_the_sessions_time_zone(db: duckdb.DuckDBPyConnection) -> None:
    load(db, *LOCAL_PLAYS)
    # weekday, hour, plays: the period selects by UTC time
    assert_rows(ask(db, "listening_heatmap_local", *WEEK), [(1, 3, 1), (7, 21, 1)])
    assert_rows(ask(db, "listening_heatmap_local", None, None), [(1, 3, 1), (7, 1, 1), (7, 18, 1), (7, 21, 1)])


def test_plays_by_time_zone__unknown_places_counted_in_utc(db: duckdb.DuckDBPyConnection) -> None:
    load(db, *LOCAL_PLAYS)
    # time_zone, time_zone_known, listeners, plays
    assert_rows(ask(db, "plays_by_time_zone", None, None), [("America/Chicago", True, 2, 3), ("UTC", False, 1, 1)])
    assert_rows(ask(db, "plays_by_time_zone", *WEEK), [("America/Chicago", True, 1, 1), ("UTC", False, 1, 1)])


# -- every question covered, every answer shaped as the spec says ------------------------------------------

QUESTION_NAMES = [q.name for q in insights.QUESTIONS]


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]  # recommender/interactions -> interactions


def test_every_question_has_a_unit_case() -> None:
    cases = [name for name in globals() if name.startswith("test_")]
    names = [*QUESTION_NAMES, insights.INTERACTIONS]
    assert [n for n in names if not any(c.startswith(f"test_{_short(n)}__") for c in cases)] == []


def _spec_columns() -> dict[str, list[str]]:
    """The columns of each question in the table of docs/insights.md."""
    table = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {name: [c.strip() for c in columns.split(",")] for name, columns in table}


@pytest.mark.parametrize("name", QUESTION_NAMES)
def test_answer_columns_are_the_specs(db: duckdb.DuckDBPyConnection, name: str) -> None:
    spec = _spec_columns()
    assert name in spec, f"docs/insights.md lists no columns for {name}"
    cursor = db.execute(insights.statement(name, **insights.period_values(*WEEK), limit=10))
    assert [d[0] for d in cursor.description] == spec[name]


def test_interactions_columns_are_the_exported_schema(db: duckdb.DuckDBPyConnection) -> None:
    cursor = db.execute(insights.statement(insights.INTERACTIONS, split_at=midnight(D(2018, 11, 10))))
    assert [d[0] for d in cursor.description] == insights.INTERACTIONS_SCHEMA.names
