"""A corpus of hand-made bad inputs (not from the generator), each with the outcome it must have.

Every case is one event line, one song file or one whole file, written into a source by
`write_corpus`; `expected_outcomes` says, per (source_file, line), what the warehouse must hold:
the record loaded, rejected with a reason (and the field), or the file quarantined. The classes
are those that once stopped a whole run: values a later stage or another warehouse cannot store,
files no reader can read, names that are not what they seem. tests/test_fault_corpus.py runs it
on DuckDB and PostgreSQL, tests/test_spark.py on the Spark engine against DuckDB's.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import event, line, song

# "loaded" | "rejected:<reason>:<detail>" (detail "" for none) | "quarantined:<words in the reason>"
Outcome = str


@dataclass(frozen=True)
class EventCase:
    id: str
    line: str  # the raw line as written
    expect: Outcome


@dataclass(frozen=True)
class SongCase:
    id: str
    content: bytes  # the whole song file
    expect: Outcome


@dataclass(frozen=True)
class FileCase:
    """A whole event file (under log_data/) or song file (under song_data/), at `path`."""

    id: str
    path: str
    content: bytes | None  # None: made by `make` (links)
    expect: dict[int, Outcome]  # line number (0: the file) -> outcome; lines not named load
    link_to: str | None = None  # a symbolic link to this target instead of content


def _event(i: int, **changes: object) -> dict[str, object]:
    # Distinct natural keys (itemInSession, ts): no case is another's duplicate_event.
    base: dict[str, object] = {"itemInSession": 1000 + i, "ts": 1541500000000 + i * 1000, "sessionId": 9000}
    return event(**{**base, "userId": "77", **changes})


def _ev(i: int, case_id: str, expect: Outcome, **changes: object) -> EventCase:
    return EventCase(case_id, line(_event(i, **changes)), expect)


EVENT_CASES: list[EventCase] = [
    # numbers the contract types but a cast or a column cannot hold
    _ev(1, "registration_1e300", "rejected:out_of_range:registration", registration=1e300),
    _ev(2, "registration_minus_1e300", "rejected:out_of_range:registration", registration=-1e300),
    EventCase(
        "registration_overflows_double",
        line(_event(3)).replace('"registration":', '"registration":1e999,"x":'),
        "rejected:out_of_range:registration",
    ),
    EventCase(
        "length_overflows_double",
        line(_event(4)).replace('"length":246.30812', '"length":1e999'),
        "rejected:out_of_range:length",
    ),
    EventCase(
        "length_minus_infinite",
        line(_event(5)).replace('"length":246.30812', '"length":-1e999'),
        "rejected:out_of_range:length",
    ),
    _ev(6, "registration_year_10000", "rejected:out_of_range:registration", registration=253402300800000.0),
    _ev(7, "item_in_session_over_int32", "rejected:out_of_range:itemInSession", itemInSession=2**31),
    _ev(8, "status_over_int32", "rejected:out_of_range:status", status=99_999_999_999),
    _ev(9, "status_under_int32", "rejected:out_of_range:status", status=-(2**31) - 1),
    _ev(10, "session_id_over_int64", "rejected:out_of_range:sessionId", sessionId=2**63),
    _ev(11, "session_id_1e19", "rejected:out_of_range:sessionId", sessionId=1e19),
    # text no warehouse can store, or longer than its column (bytes: Redshift counts bytes)
    _ev(12, "nul_in_first_name", "rejected:invalid_text:firstName", firstName="Ka\x00ylee"),
    _ev(13, "nul_in_song", "rejected:invalid_text:song", song="You\x00Gotta Be"),
    _ev(14, "nul_at_end_of_last_name", "rejected:invalid_text:lastName", lastName="Summers\x00"),
    _ev(15, "location_2000_chars", "rejected:too_long:location", location="x" * 2000),
    _ev(16, "user_agent_1026_bytes_513_chars", "rejected:too_long:userAgent", userAgent="é" * 513),
    _ev(17, "user_id_65_chars", "rejected:too_long:userId", userId="u" * 65),
    _ev(18, "level_17_chars", "rejected:too_long:level", level="premium-platinum+"),
    _ev(19, "page_65_chars", "rejected:too_long:page", page="P" * 65),
    _ev(20, "method_9_chars", "rejected:too_long:method", method="PROPFINDX"),
    _ev(21, "auth_33_chars", "rejected:too_long:auth", auth="A" * 33),
    _ev(22, "gender_17_chars", "rejected:too_long:gender", gender="G" * 17),
    _ev(23, "artist_1_mb", "rejected:too_long:artist", artist="a" * 1_000_000),
    _ev(24, "first_name_257_chars", "rejected:too_long:firstName", firstName="f" * 257),
    # at the limits: stored as they are
    _ev(25, "user_id_64_chars", "loaded", userId="u" * 64),
    _ev(26, "location_1024_bytes", "loaded", location="é" * 512),
    _ev(27, "item_in_session_int32_max", "loaded", itemInSession=2**31 - 1),
    _ev(28, "session_id_int64_max", "loaded", sessionId=2**63 - 1),
    _ev(29, "registration_year_1", "loaded", registration=-62135596800000.0),
    _ev(30, "emoji_first_name", "loaded", firstName="😀 Kaylee"),
    _ev(31, "control_characters", "loaded", lastName="Sum\x01mers\x1f", location="Line\u2028Sep, AZ"),
    _ev(32, "length_denormal", "loaded", length=5e-324),
    _ev(33, "registration_negative", "loaded", registration=-1.0),
    # not JSON, or JSON no reader agrees on
    EventCase("lone_surrogate", line(_event(34, song="\ud800x")), "rejected:not_json:"),
    EventCase("nul_byte_outside_strings", line(_event(35))[:-1] + "\x00}", "rejected:not_json:"),
    EventCase("garbage_70000_chars", "#" * 70_000, "rejected:not_json:"),
    # 1,000 levels: as deep as every engine's JSON reader goes (one more quarantines the file, below).
    EventCase(
        "nested_1000_deep",
        line(_event(36, deep=0)).replace('"deep":0', '"deep":' + "[" * 999 + "1" + "]" * 999),
        "loaded",
    ),
    # Brackets inside strings are text, not nesting.
    _ev(39, "brackets_in_a_string", "loaded", song="[" * 1020),
    EventCase("string_number", line(_event(37, registration="1540344794796")), "rejected:invalid_type:registration"),
    EventCase("nan_length", line(_event(38)).replace('"length":246.30812', '"length":NaN'), "rejected:not_json:"),
    # storable, but outside what the contract's domains allow: a gate would block the run on them
    _ev(40, "level_gold", "rejected:invalid_value:level", level="gold"),
    _ev(41, "level_upper_case", "rejected:invalid_value:level", level="PAID"),
    _ev(42, "page_unknown", "rejected:invalid_value:page", page="Teleport"),
    _ev(43, "method_patch", "rejected:invalid_value:method", method="PATCH"),
    _ev(44, "status_500", "rejected:invalid_value:status", status=500),
    _ev(45, "auth_unknown", "rejected:invalid_value:auth", auth="Root"),
    _ev(46, "gender_empty", "rejected:invalid_value:gender", gender=""),
    _ev(47, "session_id_negative", "rejected:invalid_value:sessionId", sessionId=-1),
    _ev(48, "item_in_session_negative", "rejected:invalid_value:itemInSession", itemInSession=-1),
    _ev(49, "length_zero_not_a_play", "rejected:invalid_value:length", page="Home", length=0.0),
    # a play's length has its own, earlier rule
    _ev(50, "length_negative_play", "rejected:incomplete_play:length", length=-246.3),
    _ev(53, "length_1e308_play", "rejected:invalid_value:length", length=1e308),  # finite, overflows ts + length
    _ev(54, "length_one_day", "loaded", length=86_400.0),
    _ev(51, "item_in_session_zero", "loaded", itemInSession=0),
    _ev(52, "status_307_redirect", "loaded", status=307, page="Login", method="PUT"),
]


def _song(i: int, **changes: object) -> bytes:
    return json.dumps(song(song_id=f"SOCORPUS{i:03d}", **changes)).encode()


SONG_CASES: list[SongCase] = [
    SongCase("title_nul", _song(1, title="Der\x00Kleine"), "rejected:invalid_text:title"),
    SongCase("artist_name_1025_chars", _song(2, artist_name="n" * 1025), "rejected:too_long:artist_name"),
    SongCase("artist_id_33_chars", _song(3, artist_id="A" * 33), "rejected:too_long:artist_id"),
    SongCase("song_id_33_chars", json.dumps(song(song_id="S" * 33)).encode(), "rejected:too_long:song_id"),
    SongCase("title_257_emoji_1028_bytes", _song(5, title="😀" * 257), "rejected:too_long:title"),
    SongCase("artist_location_1025", _song(6, artist_location="l" * 1025), "rejected:too_long:artist_location"),
    SongCase(
        "duration_overflows",
        _song(7).replace(b'"duration": 152.92036', b'"duration": 1e999'),
        "rejected:out_of_range:duration",
    ),
    SongCase(
        "latitude_overflows",
        _song(8).replace(b'"artist_latitude": null', b'"artist_latitude": 1e999'),
        "rejected:out_of_range:artist_latitude",
    ),
    SongCase("year_over_int32", _song(9, year=3_000_000_000), "rejected:out_of_range:year"),
    SongCase("title_1024_bytes", _song(10, title="é" * 512), "loaded"),
    SongCase("duration_1e308", _song(11, duration=1e308), "loaded"),
    SongCase("lone_surrogate_title", _song(12, title="\udc00 orphan"), "rejected:not_json:"),
    # storable, but outside the contract's domains
    SongCase("latitude_91", _song(13, artist_latitude=91.0), "rejected:invalid_value:artist_latitude"),
    SongCase("longitude_minus_181", _song(14, artist_longitude=-181.0), "rejected:invalid_value:artist_longitude"),
    SongCase("duration_zero", _song(15, duration=0.0), "rejected:invalid_value:duration"),
    SongCase("year_3000", _song(16, year=3000), "rejected:invalid_value:year"),
    SongCase("year_0_unknown", _song(17, year=0), "loaded"),
    SongCase("latitude_minus_90_pole", _song(18, artist_latitude=-90.0, artist_longitude=180.0), "loaded"),
]

_GOOD_DAY_LINE = line(event(ts=1541700000000, itemInSession=1, sessionId=9100, userId="78"))


def _day(day: int) -> str:
    return f"log_data/2018/12/2018-12-{day:02d}-events.json"


FILE_CASES: list[FileCase] = [
    FileCase("events_gzip", _day(20), gzip.compress(_GOOD_DAY_LINE.encode()), {0: "quarantined:gzip"}),
    FileCase("events_bzip2", _day(21), bz2.compress(_GOOD_DAY_LINE.encode()), {0: "quarantined:bzip2"}),
    FileCase("events_xz", _day(22), lzma.compress(_GOOD_DAY_LINE.encode()), {0: "quarantined:xz"}),
    FileCase("events_utf16_bom", _day(23), ("\ufeff" + _GOOD_DAY_LINE).encode("utf-16-le"), {0: "quarantined:UTF-16"}),
    FileCase(
        "events_latin1",
        _day(24),
        ('{"artist":"Beyonc\xe9"}\n' + _GOOD_DAY_LINE).encode("latin-1"),
        {0: "quarantined:not UTF-8"},
    ),
    FileCase(
        "events_cut_inside_a_character",
        _day(25),
        (_GOOD_DAY_LINE + "\n").encode() + b'{"a":"\xc3',
        {0: "quarantined:not UTF-8"},
    ),
    FileCase(
        "events_line_over_16_mib",
        _day(26),
        (_GOOD_DAY_LINE + "\n" + line(event(artist="a" * (16 * 1024 * 1024)))).encode(),
        {0: "quarantined:over the"},
    ),
    FileCase("events_symlink_loop", _day(27), None, {0: "quarantined:unreadable"}, link_to="2018-12-27-events.json"),
    FileCase("events_dangling_link", _day(28), None, {0: "quarantined:unreadable"}, link_to="nowhere.json"),
    # UTF-16 without a BOM is valid UTF-8 (NUL bytes between the characters): lines, not JSON.
    FileCase("events_utf16_no_bom", _day(29), _GOOD_DAY_LINE.encode("utf-16-le"), {1: "rejected:not_json:"}),
    FileCase("events_bom_only", _day(30), b"\xef\xbb\xbf", {}),
    # Glob characters in paths are names, never patterns.
    FileCase(
        "glob_brackets_in_folder",
        "log_data/2018/[12]/2018-12-19-events.json",
        line(event(ts=1541600000000, itemInSession=2, sessionId=9200, userId="glob-1")).encode(),
        {},
    ),
    FileCase(
        "glob_star_and_question_in_folder",
        "log_data/2018/1*?{a,b}/2018-12-18-events.json",
        line(event(ts=1541500000000 - 1000, itemInSession=3, sessionId=9300, userId="glob-2")).encode(),
        {},
    ),
    FileCase(
        "events_nested_2000_deep",
        _day(31),
        (_GOOD_DAY_LINE + "\n" + '{"deep":' + "[" * 2000 + "]" * 2000 + "}\n").encode(),
        {0: "quarantined:nests 2,001 levels"},
    ),
    FileCase(
        "songs_nested_100000_deep",
        "song_data/Q/Q/Q/TRQDEEP.json",
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        {0: "quarantined:nests 100,000 levels"},
    ),
    FileCase("songs_gzip", "song_data/Q/Q/Q/TRQGZIP.json", gzip.compress(_song(40)), {0: "quarantined:gzip"}),
    FileCase(
        "songs_utf16",
        "song_data/Q/Q/Q/TRQUTF16.json",
        json.dumps(song(song_id="SOQ16")).encode("utf-16"),
        {0: "quarantined:UTF-16"},
    ),
    FileCase(
        "songs_invalid_utf8",
        "song_data/Q/Q/Q/TRQBAD.json",
        _song(41).replace(b"Line", b"L\xffne"),
        {0: "quarantined:not UTF-8"},
    ),
    FileCase("songs_glob_name", "song_data/Q/[Q]/*/TRQ[1]*.json", _song(42), {}),
]

CORPUS_DAY = "log_data/2018/12/2018-12-05-events.json"


def write_corpus(root: Path) -> None:
    """Write every case into the source at `root` (a folder in the Sparkify layout, maybe holding data)."""
    day = root / CORPUS_DAY
    day.parent.mkdir(parents=True, exist_ok=True)
    day.write_bytes("".join(c.line + "\n" for c in EVENT_CASES).encode("utf-8", "surrogatepass"))
    for n, case in enumerate(SONG_CASES, start=1):
        path = root / f"song_data/C/O/R/TRCORPUS{n:03d}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.content)
    for case in FILE_CASES:
        path = root / case.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if case.link_to is not None:
            os.symlink(case.link_to, path)
        else:
            assert case.content is not None
            path.write_bytes(case.content)


def expected_outcomes() -> dict[tuple[str, int], Outcome]:
    """(source_file, line) -> outcome for every record of the corpus that is not simply loaded too."""
    out: dict[tuple[str, int], Outcome] = {}
    for n, case in enumerate(EVENT_CASES, start=1):
        out[(CORPUS_DAY, n)] = case.expect
    for n, song_case in enumerate(SONG_CASES, start=1):
        out[(f"song_data/C/O/R/TRCORPUS{n:03d}.json", 1)] = song_case.expect
    for file_case in FILE_CASES:
        for number, outcome in file_case.expect.items():
            out[(file_case.path, number)] = outcome
    return out


def corpus_files() -> list[str]:
    """Every file the corpus writes (relative paths)."""
    songs = [f"song_data/C/O/R/TRCORPUS{n:03d}.json" for n in range(1, len(SONG_CASES) + 1)]
    return [CORPUS_DAY, *songs, *(c.path for c in FILE_CASES)]


CASE_COUNT = len(EVENT_CASES) + len(SONG_CASES) + len(FILE_CASES)
