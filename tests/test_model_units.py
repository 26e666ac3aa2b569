"""Unit tests of the transform models (sql/transform/*.sql), dbt style: each model's inputs mocked as tiny
typed tables, its output compared with the expected rows exactly.

One test per rule, named test_<model>__<rule>; every model must have at least one
(test_every_model_has_a_unit_case). The rules are those of docs/architecture.md ("Raw contract",
"The DuckDB engine", "Semantics") and each file's header comment. The mocks' column types are the
engine's: the last tests check the declarations in tests/sql_units.py against the engine's own SQL and
against what each model really returns, and that a case mocks exactly the relations its model reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from music_analytics import sql
from music_analytics.contract import EVENTS, SONGS
from music_analytics.engines import MODELS, quarantined_table
from music_analytics.parse import validate_sql
from music_analytics.sources import SourceFiles
from tests.sql_units import MODEL_INPUTS, SCHEMAS, Models, Row, assert_rows, at, columns_of, given, ms, stable_id

TRANSFORM = sql.SQL_DIR / "transform"
ENGINE_RELATIONS = (
    "events_checked",
    "songs_checked",
    "rejected_raw",
    "event_files",
    "song_files",
    "known_songs",
    "quarantined_files",
)


@pytest.fixture(scope="module")
def models() -> Iterator[Models]:
    runner = Models()
    yield runner
    runner.close()


T0 = ms("2018-11-05 14:00:00")
DAY1 = "log_data/2018/11/2018-11-05-events.json"
DAY2 = "log_data/2018/11/2018-11-06-events.json"
NATURAL_KEY = "source_file record_position user_id session_id item_in_session ts"


# -- duplicate_events -----------------------------------------------------------------------------------


def test_duplicate_events__the_first_copy_by_file_then_position_wins(models: Models) -> None:
    events_checked = given(
        "events_checked",
        NATURAL_KEY,
        (DAY2, 1, "7", 42, 3, T0),  # a copy in a later file
        (DAY1, 50, "7", 42, 3, T0),  # the first copy: kept
        (DAY1, 100, "7", 42, 3, T0),  # a later line of the same file: a copy (positions compare as numbers)
        (DAY1, 6, "7", 42, 4, T0),  # another item
        (DAY1, 7, "7", 42, 3, T0 + 1),  # another ts (one millisecond later)
        (DAY1, 8, "8", 42, 3, T0),  # another user
        (DAY1, 9, "7", 43, 3, T0),  # another session
    )
    assert_rows(
        models.run("duplicate_events", events_checked, order_by="source_file, record_position"),
        [(DAY1, 100), (DAY2, 1)],
    )


def test_duplicate_events__rejected_records_are_neither_first_copies_nor_duplicates(models: Models) -> None:
    events_checked = given(
        "events_checked",
        f"{NATURAL_KEY} reject_reason",
        (DAY1, 1, "7", 42, 3, T0, "incomplete_play"),  # rejected, read first: not the first copy
        (DAY1, 2, "7", 42, 3, T0, None),  # the first accepted copy
        (DAY1, 3, "7", 42, 3, T0, None),  # a duplicate
        (DAY1, 4, "8", 42, 3, T0, "invalid_type"),  # two rejected records with one key: no duplicate
        (DAY1, 5, "8", 42, 3, T0, "invalid_type"),
    )
    assert_rows(models.run("duplicate_events", events_checked, order_by="source_file, record_position"), [(DAY1, 3)])


def test_duplicate_events__logged_out_events_with_an_empty_user_id_have_keys_too(models: Models) -> None:
    events_checked = given(
        "events_checked",
        NATURAL_KEY,
        (DAY1, 1, "", 42, 3, T0),
        (DAY1, 2, "", 42, 3, T0),
        (DAY1, 3, "", 42, 4, T0),
    )
    assert_rows(models.run("duplicate_events", events_checked, order_by="source_file, record_position"), [(DAY1, 2)])


# -- events_classified ----------------------------------------------------------------------------------

EVENT_FIELDS = (
    "artist auth first_name gender item_in_session last_name length level location method page "
    "registration session_id song status ts user_agent user_id"
)
PLAY = (
    "Deftones",
    "Logged In",
    "Ann",
    "F",
    3,
    "Lee",
    296.6,
    "paid",
    "Tampa-St. Petersburg-Clearwater, FL",
    "PUT",
    "NextSong",
    1540919166796.0,
    42,
    "Be Quiet and Drive",
    200,
    ms("2018-11-05 14:00:00.123"),
    "Mozilla/5.0",
    "7",
)


def test_events_classified__a_listed_copy_is_a_duplicate_event_and_other_verdicts_stay(models: Models) -> None:
    events_checked = given(
        "events_checked",
        "source_file record_position reject_reason reject_detail",
        (DAY1, 1, None, None),
        (DAY1, 2, None, None),  # listed in duplicate_events
        (DAY2, 2, None, None),  # the same position in another file: not a copy
        (DAY1, 3, "invalid_ts", "ts"),
    )
    duplicate_events = given("duplicate_events", "source_file record_position", (DAY1, 2))
    assert_rows(
        models.run(
            "events_classified",
            events_checked,
            duplicate_events,
            order_by="source_file, record_position",
            columns="source_file, record_position, reject_reason, reject_detail",
        ),
        [
            (DAY1, 1, None, None),
            (DAY1, 2, "duplicate_event", "userId,sessionId,itemInSession,ts"),
            (DAY1, 3, "invalid_ts", "ts"),
            (DAY2, 2, None, None),
        ],
    )


def test_events_classified__every_record_and_field_passes_through(models: Models) -> None:
    events_checked = given(
        "events_checked", f"source_file record_position {EVENT_FIELDS} unparsed", (DAY1, 0, *PLAY, False)
    )
    assert_rows(
        models.run("events_classified", events_checked, order_by="source_file, record_position"),
        [(DAY1, 0, *PLAY, None, None)],
    )


# -- events ---------------------------------------------------------------------------------------------


def test_events__accepted_records_typed_with_event_id_and_utc_times(models: Models) -> None:
    events_classified = given(
        "events_classified",
        f"source_file record_position {EVENT_FIELDS} reject_reason",
        (DAY1, 0, *PLAY, None),
        (DAY1, 1, *PLAY, "duplicate_event"),
        (DAY1, 2, *PLAY[:-1], "8", "incomplete_play"),
    )
    (
        artist,
        auth,
        first_name,
        gender,
        item,
        last_name,
        length,
        level,
        location,
        method,
        page,
        registration,
        session,
        song,
        status,
        ts,
        user_agent,
        user_id,
    ) = PLAY
    assert_rows(
        models.run("events", events_classified, order_by="source_file, record_position"),
        [
            (
                stable_id("7|42|3|1541426400123"),
                at("2018-11-05 14:00:00.123"),
                ts,
                user_id,
                session,
                item,
                page,
                auth,
                level,
                method,
                status,
                first_name,
                last_name,
                gender,
                location,
                user_agent,
                registration,
                at("2018-10-30 17:06:06.796"),
                song,
                artist,
                length,
                DAY1,
                0,
            )
        ],
    )


def test_events__event_id_is_the_same_value_in_every_engine(models: Models) -> None:
    # The first 15 hex digits of MD5('7|42|3|1541426400123'): pinned, so a macro change cannot go unseen.
    events_classified = given("events_classified", "user_id session_id item_in_session ts", ("7", 42, 3, 1541426400123))
    assert_rows(
        models.run("events", events_classified, order_by="event_id", columns="event_id"), [(486059434696001036,)]
    )


def test_events__a_logged_out_event_keeps_its_empty_user_id_in_the_key(models: Models) -> None:
    events_classified = given(
        "events_classified", "user_id session_id item_in_session ts registration", ("", 42, 3, 1541426400123, None)
    )
    assert_rows(
        models.run("events", events_classified, order_by="event_id", columns="event_id, user_id, registration_time"),
        [(stable_id("|42|3|1541426400123"), "", None)],
    )


def test_events__a_fractional_registration_is_floored_to_the_millisecond(models: Models) -> None:
    # Both engines must give the same instant: DuckDB's cast rounds (796.6 -> 797), Spark's truncates.
    events_classified = given(
        "events_classified",
        "user_id session_id item_in_session ts registration",
        ("7", 42, 3, 1541426400123, 1540919166796.6),
    )
    assert_rows(
        models.run("events", events_classified, order_by="event_id", columns="registration_time"),
        [(dt.datetime(2018, 10, 30, 17, 6, 6, 796000),)],
    )


# -- songs_classified -----------------------------------------------------------------------------------

SONG_DOMAIN = "source_file record_position song_id duration artist_latitude artist_longitude year"


def test_songs_classified__a_contract_rejection_keeps_its_reason(models: Models) -> None:
    songs_checked = given(
        "songs_checked",
        f"{SONG_DOMAIN} reject_reason reject_detail",
        ("s.json", 1, "SO01", 0.0, None, None, 1999, "missing_field", "title"),  # duration 0 too
        ("s.json", 2, None, None, None, None, None, "not_json", None),
    )
    assert_rows(
        models.run(
            "songs_classified",
            songs_checked,
            order_by="record_position",
            columns="record_position, reject_reason, reject_detail",
        ),
        [(1, "missing_field", "title"), (2, "not_json", None)],
    )


def test_songs_classified__a_later_record_of_a_song_id_is_duplicate_song(models: Models) -> None:
    songs_checked = given(
        "songs_checked",
        "source_file record_position song_id duration",
        ("song_data/B/TRB.json", 1, "SO01", 200.0),
        ("song_data/A/TRA.json", 3, "SO01", 200.0),
        ("song_data/A/TRA.json", 1, "SO01", 200.0),  # the first by (file, line): kept
        ("song_data/A/TRA.json", 2, "SO02", 200.0),
    )
    assert_rows(
        models.run(
            "songs_classified",
            songs_checked,
            order_by="source_file, record_position",
            columns="source_file, record_position, song_id, reject_reason, reject_detail",
        ),
        [
            ("song_data/A/TRA.json", 1, "SO01", None, None),
            ("song_data/A/TRA.json", 2, "SO02", None, None),
            ("song_data/A/TRA.json", 3, "SO01", "duplicate_song", "song_id"),
            ("song_data/B/TRB.json", 1, "SO01", "duplicate_song", "song_id"),
        ],
    )


def test_songs_classified__rejected_records_neither_win_nor_become_duplicates(models: Models) -> None:
    songs_checked = given(
        "songs_checked",
        "source_file record_position song_id duration reject_reason reject_detail",
        ("A.json", 1, "SO01", 0.0, "invalid_value", "duration"),  # read first but rejected
        ("B.json", 1, "SO01", 200.0, None, None),  # so this one is the song
        ("C.json", 1, "SO01", 200.0, None, None),
        ("A.json", 2, "SO02", 200.0, "missing_field", "artist_id"),
        ("B.json", 2, "SO02", 200.0, "missing_field", "artist_id"),
    )
    assert_rows(
        models.run(
            "songs_classified",
            songs_checked,
            order_by="source_file, record_position",
            columns="source_file, record_position, reject_reason, reject_detail",
        ),
        [
            ("A.json", 1, "invalid_value", "duration"),
            ("A.json", 2, "missing_field", "artist_id"),
            ("B.json", 1, None, None),
            ("B.json", 2, "missing_field", "artist_id"),
            ("C.json", 1, "duplicate_song", "song_id"),
        ],
    )


def test_songs_classified__fields_pass_through_and_an_absent_year_is_0(models: Models) -> None:
    songs_checked = given(
        "songs_checked",
        "source_file record_position num_songs song_id title artist_id artist_name artist_location "
        "artist_latitude artist_longitude duration year",
        ("A.json", 1, 1, "SO01", "Intro", "AR01", "The xx", "London, England", 51.5, -0.12, 127.7, None),
        ("A.json", 2, 1, "SO02", "Angels", "AR01", "The xx", "", None, None, 171.2, 2012),
    )
    assert_rows(
        models.run("songs_classified", songs_checked, order_by="source_file, record_position"),
        [
            ("A.json", 1, "SO01", "Intro", "AR01", "The xx", "London, England", 51.5, -0.12, 0, 127.7, None, None),
            ("A.json", 2, "SO02", "Angels", "AR01", "The xx", "", None, None, 2012, 171.2, None, None),
        ],
    )


# -- songs ----------------------------------------------------------------------------------------------


def test_songs__one_row_per_accepted_song_and_year_0_is_null(models: Models) -> None:
    songs_classified = given(
        "songs_classified",
        "song_id title artist_id artist_name year duration reject_reason source_file",
        ("SO01", "Intro", "AR01", "The xx", 0, 127.7, None, "a.json"),
        ("SO02", "Angels", "AR01", "The xx (UK)", 2012, 171.2, None, "b.json"),  # its own artist_name
        ("SO02", "Angels", "AR01", "The xx", 2012, 171.2, "duplicate_song", "c.json"),
        ("SO03", "Silence", "AR02", "Beach", 1999, 0.0, "invalid_value", "d.json"),
    )
    assert_rows(
        models.run("songs", songs_classified, order_by="song_id"),
        [
            ("SO01", "Intro", "AR01", "The xx", None, 127.7, "a.json"),  # source_file: lineage for the lake
            ("SO02", "Angels", "AR01", "The xx (UK)", 2012, 171.2, "b.json"),
        ],
    )


# -- artists --------------------------------------------------------------------------------------------

ARTIST_VARIANTS = "song_id artist_id artist_name artist_location artist_latitude artist_longitude reject_reason"


def test_artists__the_most_frequent_variant_wins(models: Models) -> None:
    songs_classified = given(
        "songs_classified",
        ARTIST_VARIANTS,
        ("SO01", "AR01", "Beyoncé", "Houston, TX", 29.76, -95.36, None),  # smallest song_id, but alone
        ("SO02", "AR01", "Beyonce", "Houston", None, None, None),
        ("SO03", "AR01", "Beyonce", "Houston", None, None, None),
    )
    assert_rows(
        models.run("artists", songs_classified, order_by="artist_id"), [("AR01", "Beyonce", "Houston", None, None)]
    )


def test_artists__a_tie_goes_to_the_variant_of_the_smallest_song_id(models: Models) -> None:
    songs_classified = given(
        "songs_classified",
        ARTIST_VARIANTS,
        ("SO09", "AR02", "Prince", "Minneapolis, MN", 44.98, -93.27, None),
        ("SO05", "AR02", "Prince & The Revolution", "Minneapolis, MN", 44.98, -93.27, None),
        ("SO08", "AR03", "Adele", "London", 51.50, -0.12, None),  # variants differing only in coordinates
        ("SO07", "AR03", "Adele", "London", 51.51, -0.13, None),
        ("SO04", "AR04", "Moby", "New York", None, None, None),  # two against two
        ("SO06", "AR04", "Moby", "New York", None, None, None),
        ("SO02", "AR04", "Moby ", "New York", None, None, None),
        ("SO03", "AR04", "Moby ", "New York", None, None, None),
    )
    assert_rows(
        models.run("artists", songs_classified, order_by="artist_id"),
        [
            ("AR02", "Prince & The Revolution", "Minneapolis, MN", 44.98, -93.27),
            ("AR03", "Adele", "London", 51.51, -0.13),
            ("AR04", "Moby ", "New York", None, None),
        ],
    )


def test_artists__an_empty_location_is_null_and_counts_with_the_absent_ones(models: Models) -> None:
    songs_classified = given(
        "songs_classified",
        ARTIST_VARIANTS,
        ("SO01", "AR01", "Moby", "New York", None, None, None),
        ("SO02", "AR01", "Moby", "", None, None, None),
        ("SO03", "AR01", "Moby", None, None, None, None),
        ("SO04", "AR02", "Cher", "", None, None, None),
    )
    assert_rows(
        models.run("artists", songs_classified, order_by="artist_id"),
        [
            ("AR01", "Moby", None, None, None),
            ("AR02", "Cher", None, None, None),
        ],
    )


def test_artists__rejected_song_records_do_not_vote(models: Models) -> None:
    songs_classified = given(
        "songs_classified",
        ARTIST_VARIANTS,
        ("SO03", "AR01", "Cher", "Los Angeles", None, None, None),
        ("SO01", "AR01", "Cheri", "Los Angeles", None, None, "duplicate_song"),
        ("SO02", "AR01", "Cheri", "Los Angeles", None, None, "invalid_value"),
        ("SO04", "AR09", "Nobody", None, None, None, "invalid_value"),  # no accepted song: no artist
    )
    assert_rows(
        models.run("artists", songs_classified, order_by="artist_id"), [("AR01", "Cher", "Los Angeles", None, None)]
    )


# -- songplays ------------------------------------------------------------------------------------------

PLAY_EVENTS = "event_id start_time user_id level session_id location user_agent page song artist length"
CATALOGUE = "song_id title artist_id artist_name duration"
TAMPA = "Tampa-St. Petersburg-Clearwater, FL"
AGENT = "Mozilla/5.0 (Windows NT 6.1; WOW64)"


def play(event_id: int, song: str, artist: str, length: float, user_id: str = "7", page: str = "NextSong") -> Row:
    return (event_id, at("2018-11-05 14:00:00.123"), user_id, "free", 42, TAMPA, AGENT, page, song, artist, length)


def test_songplays__one_row_per_nextsong_event_of_a_logged_in_user(models: Models) -> None:
    events = given(
        "events",
        PLAY_EVENTS,
        play(101, "Intro", "The xx", 128.0),
        (102, at("2018-11-05 14:02:00"), "7", "free", 42, TAMPA, AGENT, "Home", None, None, None),
        play(103, "Intro", "The xx", 128.0, user_id=""),  # logged out
    )
    songs = given("songs", CATALOGUE, ("SO01", "Intro", "AR01", "The xx", 128.0))
    assert_rows(
        models.run("songplays", events, songs, order_by="songplay_id"),
        [(101, at("2018-11-05 14:00:00.123"), "7", "free", "SO01", "AR01", 42, TAMPA, AGENT, None)],
    )


def test_songplays__keep_the_source_file_of_their_event_for_the_lake(models: Models) -> None:
    events = given(
        "events",
        "event_id start_time user_id page source_file",
        (7, at("2018-11-05 14:00:00"), "7", "NextSong", "a.json"),
    )
    assert_rows(
        models.run("songplays", events, order_by="songplay_id", columns="songplay_id, source_file"), [(7, "a.json")]
    )


def test_songplays__the_match_is_exact_on_title_artist_name_and_duration(models: Models) -> None:
    events = given(
        "events",
        PLAY_EVENTS,
        play(201, "Intro", "The xx", 128.0),
        play(202, "Intro", "The xx", 128.00001),
        play(203, "Intro", "the xx", 128.0),
        play(204, "Intro ", "The xx", 128.0),
        play(205, "Intro", "The xx & Friends", 128.0),
    )
    songs = given("songs", CATALOGUE, ("SO01", "Intro", "AR01", "The xx", 128.0))
    assert_rows(
        models.run("songplays", events, songs, order_by="songplay_id", columns="songplay_id, song_id, artist_id"),
        [(201, "SO01", "AR01"), (202, None, None), (203, None, None), (204, None, None), (205, None, None)],
    )


def test_songplays__a_shared_triple_goes_to_the_smallest_song_id(models: Models) -> None:
    events = given("events", PLAY_EVENTS, play(301, "Intro", "The xx", 128.0))
    songs = given(
        "songs",
        CATALOGUE,
        ("SO02", "Intro", "AR02", "The xx", 128.0),
        ("SO01", "Intro", "AR01", "The xx", 128.0),
    )
    assert_rows(
        models.run("songplays", events, songs, order_by="songplay_id", columns="songplay_id, song_id, artist_id"),
        [(301, "SO01", "AR01")],
    )


def test_songplays__known_songs_match_too_and_the_smallest_song_id_spans_both(models: Models) -> None:
    events = given(
        "events",
        PLAY_EVENTS,
        play(401, "Intro", "The xx", 128.0),
        play(402, "Crystalised", "The xx", 201.0),  # only in the warehouse's catalogue
    )
    songs = given("songs", CATALOGUE, ("SO05", "Intro", "AR05", "The xx", 128.0))
    known_songs = given(
        "known_songs",
        CATALOGUE,
        ("SO03", "Intro", "AR03", "The xx", 128.0),
        ("SO09", "Crystalised", "AR01", "The xx", 201.0),
    )
    assert_rows(
        models.run(
            "songplays", events, songs, known_songs, order_by="songplay_id", columns="songplay_id, song_id, artist_id"
        ),
        [(401, "SO03", "AR03"), (402, "SO09", "AR01")],
    )


def test_songplays__the_runs_own_record_of_a_song_beats_the_known_one(models: Models) -> None:
    events = given(
        "events",
        PLAY_EVENTS,
        play(501, "Intro", "The xx", 128.0),  # the known record's duration: replaced
        play(502, "Intro", "The xx", 129.5),  # the run's record
    )
    songs = given("songs", CATALOGUE, ("SO01", "Intro", "AR_NEW", "The xx", 129.5))
    known_songs = given("known_songs", CATALOGUE, ("SO01", "Intro", "AR_OLD", "The xx", 128.0))
    assert_rows(
        models.run(
            "songplays", events, songs, known_songs, order_by="songplay_id", columns="songplay_id, song_id, artist_id"
        ),
        [(501, None, None), (502, "SO01", "AR_NEW")],
    )


# -- users ----------------------------------------------------------------------------------------------

USER_EVENTS = "user_id ts start_time session_id item_in_session page level first_name last_name gender"


def user_event(
    user_id: str, when: str, session_id: int, item: int, level: str, first_name: str | None, page: str = "NextSong"
) -> Row:
    return (user_id, ms(when), at(when), session_id, item, page, level, first_name, "Lee", "F")


def test_users__the_latest_event_by_ts_wins_whatever_the_order(models: Models) -> None:
    events = given(
        "events",
        USER_EVENTS,
        user_event("7", "2018-11-05 10:00:00", 1, 0, "free", "Ann"),
        user_event("7", "2018-11-07 09:00:00", 2, 5, "paid", "Anne", page="Home"),  # latest: any page counts
        user_event("7", "2018-11-06 08:00:00", 9, 7, "free", "Ann"),  # a later session, earlier ts
    )
    assert_rows(
        models.run("users", events, order_by="user_id"), [("7", "Anne", "Lee", "F", "paid", at("2018-11-07 09:00:00"))]
    )


def test_users__a_tie_on_ts_goes_to_the_later_session_then_the_later_item(models: Models) -> None:
    same = "2018-11-05 10:00:00"
    events = given(
        "events",
        USER_EVENTS,
        user_event("7", same, 5, 1, "paid", "Ann"),
        user_event("7", same, 4, 9, "free", "Bea"),
        user_event("8", same, 3, 3, "paid", "Di"),
        user_event("8", same, 3, 2, "free", "Cy"),
    )
    assert_rows(
        models.run("users", events, order_by="user_id", columns="user_id, first_name, level"),
        [("7", "Ann", "paid"), ("8", "Di", "paid")],
    )


def test_users__logged_out_events_make_no_user(models: Models) -> None:
    events = given(
        "events",
        USER_EVENTS,
        user_event("", "2018-11-05 11:00:00", 1, 1, "free", None),
        user_event("7", "2018-11-05 10:00:00", 2, 1, "free", "Ann"),
    )
    assert_rows(models.run("users", events, order_by="user_id", columns="user_id"), [("7",)])


# -- time -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "hour", "day", "week", "month", "year", "weekday", "iso_year"),
    [
        pytest.param("2018-11-05 14:30:00", 14, 5, 45, 11, 2018, 1, 2018, id="monday"),
        pytest.param("2018-11-11 23:59:59.999", 23, 11, 45, 11, 2018, 7, 2018, id="sunday_ends_the_week"),
        pytest.param("2018-12-31 00:00:00", 0, 31, 1, 12, 2018, 1, 2019, id="2018-12-31_is_iso_2019_week_1"),
        pytest.param("2019-12-30 12:00:00", 12, 30, 1, 12, 2019, 1, 2020, id="2019-12-30_is_iso_2020_week_1"),
        pytest.param("2020-12-31 06:00:00", 6, 31, 53, 12, 2020, 4, 2020, id="2020-12-31_is_week_53"),
        pytest.param("2021-01-01 23:00:00", 23, 1, 53, 1, 2021, 5, 2020, id="2021-01-01_is_iso_2020_week_53"),
        pytest.param("2016-01-03 01:00:00", 1, 3, 53, 1, 2016, 7, 2015, id="2016-01-03_is_iso_2015_week_53"),
        pytest.param("2017-01-01 00:00:00", 0, 1, 52, 1, 2017, 7, 2016, id="2017-01-01_is_iso_2016_week_52"),
        pytest.param("2000-01-01 00:00:00", 0, 1, 52, 1, 2000, 6, 1999, id="2000-01-01_saturday"),
        pytest.param("2018-01-01 00:00:00", 0, 1, 1, 1, 2018, 1, 2018, id="2018-01-01_is_week_1_of_its_year"),
    ],
)
def test_time__iso_week_weekday_and_iso_year_of_the_utc_instant(
    models: Models, instant: str, hour: int, day: int, week: int, month: int, year: int, weekday: int, iso_year: int
) -> None:
    songplays = given("songplays", "songplay_id start_time", (1, at(instant)))
    assert_rows(
        models.run("time", songplays, order_by="start_time"),
        [(at(instant), hour, day, week, month, year, weekday, iso_year)],
    )


def test_time__one_row_per_distinct_instant(models: Models) -> None:
    songplays = given(
        "songplays",
        "songplay_id start_time",
        (1, at("2018-11-05 14:00:00")),
        (2, at("2018-11-05 14:00:00")),  # another play at the same instant
        (3, at("2018-11-05 14:00:00.001")),  # one millisecond later: its own instant
    )
    assert_rows(
        models.run("time", songplays, order_by="start_time", columns="start_time"),
        [(at("2018-11-05 14:00:00"),), (at("2018-11-05 14:00:00.001"),)],
    )


# -- rejected_records -----------------------------------------------------------------------------------

VERDICT = "source_file record_position reject_reason reject_detail"
RAW = "source_file record_position line_number raw"
REJECTED = "input, source_file, line_number"


def test_rejected_records__every_rejected_record_with_its_line_and_text(models: Models) -> None:
    events_classified = given(
        "events_classified",
        VERDICT,
        (DAY1, 0, None, None),
        (DAY1, 1, "not_json", None),
        (DAY1, 2, "duplicate_event", "userId,sessionId,itemInSession,ts"),
        (DAY2, 1, None, None),  # accepted, at a rejected record's position
    )
    songs_classified = given(
        "songs_classified",
        VERDICT,
        ("song_data/A/TRX.json", 1, "invalid_value", "duration"),
        ("song_data/A/TRY.json", 1, None, None),
    )
    rejected_raw = given(
        "rejected_raw",
        RAW,
        (DAY1, 1, 3, "{garbage"),  # line 3: a blank line before it
        (DAY1, 2, 5, '{"ts": 1541426400000}'),
        ("song_data/A/TRX.json", 1, 1, '{"duration": 0}'),
    )
    assert_rows(
        models.run("rejected_records", events_classified, songs_classified, rejected_raw, order_by=REJECTED),
        [
            (DAY1, 3, "events", "not_json", None, "{garbage"),
            (DAY1, 5, "events", "duplicate_event", "userId,sessionId,itemInSession,ts", '{"ts": 1541426400000}'),
            ("song_data/A/TRX.json", 1, "songs", "invalid_value", "duration", '{"duration": 0}'),
        ],
    )


def test_rejected_records__raw_is_storable_in_every_warehouse(models: Models) -> None:
    """rejected_records.raw is VARCHAR(65535): cut to 16,383 characters (4 UTF-8 bytes at most each,
    so <= 65,532 bytes even for emoji), NUL written as the six characters \\u0000."""
    texts = ["a" * 16_383, "a" * 16_384, "é" * 20_000, "", "😀" * 16_384, 'x\x00y{"a":\x00}']
    events_classified = given("events_classified", VERDICT, *((DAY1, n, "not_json", None) for n in range(len(texts))))
    rejected_raw = given("rejected_raw", RAW, *((DAY1, n, n + 1, text) for n, text in enumerate(texts)))
    rows = models.run(
        "rejected_records", events_classified, rejected_raw, order_by=REJECTED, columns="line_number, raw"
    )
    assert rows == [
        (1, "a" * 16_383),
        (2, "a" * 16_383),
        (3, "é" * 16_383),
        (4, ""),
        (5, "😀" * 16_383),
        (6, 'x\\u0000y{"a":\\u0000}'),
    ]
    assert all(len(raw.encode()) <= 65_535 and "\x00" not in raw for _, raw in rows)


def test_rejected_records__a_quarantined_file_is_one_row_at_line_0(models: Models) -> None:
    quarantined = given(
        "quarantined_files", "source_file input detail", ("log_data/x.json", "events", "gzip-compressed")
    )
    assert_rows(
        models.run("rejected_records", quarantined, order_by=REJECTED),
        [("log_data/x.json", 0, "events", "unreadable_file", "gzip-compressed", None)],
    )


# -- input_files ----------------------------------------------------------------------------------------


def test_input_files__a_quarantined_file_is_one_record_rejected(models: Models) -> None:
    quarantined = given(
        "quarantined_files", "source_file input detail", ("song/x.json", "songs", "not UTF-8 (byte 0: invalid)")
    )
    assert_rows(models.run("input_files", quarantined, order_by="source_file"), [("song/x.json", "songs", 1, 0, 1, 0)])


def test_input_files__records_accepted_rejected_and_blank_lines_per_file_zeros_without_records(models: Models) -> None:
    events_classified = given(
        "events_classified",
        "source_file record_position reject_reason",
        ("log/a.json", 0, None),
        ("log/a.json", 1, None),
        ("log/a.json", 2, "not_json"),
        ("log/a.json", 3, None),
        ("log/rejected.json", 0, "missing_ts"),
    )
    event_files = given(
        "event_files",
        "source_file lines blank_lines",
        ("log/a.json", 5, 1),
        ("log/blank.json", 2, 2),  # blank lines only: no record
        ("log/empty.json", 0, 0),
        ("log/rejected.json", 1, 0),
    )
    songs_classified = given(
        "songs_classified",
        "source_file record_position reject_reason",
        ("song/x.json", 1, None),
        ("song/x.json", 5, "duplicate_song"),
    )
    song_files = given("song_files", "source_file content", ("song/x.json", "{...} {...}"), ("song/empty.json", ""))
    assert_rows(
        models.run(
            "input_files", events_classified, songs_classified, event_files, song_files, order_by="input, source_file"
        ),
        [
            ("log/a.json", "events", 4, 3, 1, 1),
            ("log/blank.json", "events", 0, 0, 0, 2),
            ("log/empty.json", "events", 0, 0, 0, 0),
            ("log/rejected.json", "events", 1, 0, 1, 0),
            ("song/empty.json", "songs", 0, 0, 0, 0),
            ("song/x.json", "songs", 2, 1, 1, 0),
        ],
    )


# -- the harness: every model covered, mocks shaped like the engine's relations ---------------------------


def test_every_model_has_a_unit_case() -> None:
    files = sorted(p.stem for p in TRANSFORM.glob("*.sql"))
    assert sorted(name for name, _kind in MODELS) == files
    assert sorted(MODEL_INPUTS) == files
    cases = [name for name in globals() if name.startswith("test_")]
    assert [m for m in files if not any(c.startswith(f"test_{m}__") for c in cases)] == []


@pytest.mark.parametrize("model", [name for name, _kind in MODELS])
def test_mocks_are_exactly_the_relations_the_model_reads(model: str) -> None:
    tree = sqlglot.parse_one(sql.read(f"transform/{model}.sql"), read="duckdb")
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    reads = {table.name for table in tree.find_all(exp.Table)} - ctes
    assert reads == set(MODEL_INPUTS[model])


def test_each_model_reads_only_relations_built_before_it() -> None:
    built = set(ENGINE_RELATIONS)
    for model, _kind in MODELS:
        assert set(MODEL_INPUTS[model]) <= built, model
        built.add(model)


@pytest.mark.parametrize("model", [name for name, _kind in MODELS])
def test_declared_schema_is_what_the_model_returns(models: Models, model: str) -> None:
    with models.mocked(model) as con:
        described = [(name, kind) for name, kind, *_ in con.execute(f'DESCRIBE "{model}"').fetchall()]
    assert described == columns_of(SCHEMAS[model])


def _described(models: Models, relation: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind, *_ in models.con.execute(f'DESCRIBE "{relation}"').fetchall()]


def test_declared_engine_relations_are_what_the_engine_builds(models: Models) -> None:
    """events_checked and songs_checked as the engine builds them from the contract (a run without files),
    known_songs and song_files from the engine's own SQL."""
    con = models.con
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE TEMP TABLE blank_lines (source_file VARCHAR, line_number BIGINT)")
        source = sql.render(
            "engines/duckdb/no_events_source.sql",
            null_keys=", ".join(f'CAST(NULL AS VARCHAR) AS "{k}"' for k in EVENTS.keys),
        )[0]
        for statement in sql.render(
            "engines/duckdb/read_events.sql", validate=validate_sql(EVENTS, source, keep=("source_file",))
        ):
            con.execute(statement)
        for statement in sql.render(
            "engines/duckdb/no_songs.sql", null_keys=", ".join(f'CAST(NULL AS VARCHAR) AS "{k}"' for k in SONGS.keys)
        ):
            con.execute(statement)
        con.execute(
            "CREATE TEMP TABLE songs_checked AS "
            + validate_sql(SONGS, "raw_songs", keep=("source_file", "record_position", "parse_error"))
        )
        for statement in sql.statements("engines/duckdb/no_known_songs.sql"):
            con.execute(statement)
        con.register("quarantined_arrow", quarantined_table(SourceFiles(Path(), (), ())))
        con.execute("CREATE TEMP TABLE quarantined_files AS SELECT * FROM quarantined_arrow")
        for relation in ("events_checked", "songs_checked", "known_songs", "song_files", "quarantined_files"):
            assert _described(models, relation) == columns_of(SCHEMAS[relation]), relation
    finally:
        con.execute("ROLLBACK")
