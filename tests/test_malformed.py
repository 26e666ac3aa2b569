"""Every kind of malformed input yields a rejected row with its reason while the rest loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from music_analytics import pipeline
from music_analytics import warehouse as wh
from tests.conftest import make_config

GOOD = {
    "artist": "Des'ree", "auth": "Logged In", "firstName": "Kaylee", "gender": "F", "itemInSession": 1,
    "lastName": "Summers", "length": 246.30812, "level": "free", "location": "Phoenix-Mesa-Scottsdale, AZ",
    "method": "PUT", "page": "NextSong", "registration": 1540344794796.0, "sessionId": 139,
    "song": "You Gotta Be", "status": 200, "ts": 1541106106796,
    "userAgent": "\"Mozilla/5.0 (Windows NT 6.1; WOW64)\"", "userId": "8",
}


def event(**changes: object) -> dict[str, object]:
    e = dict(GOOD)
    for key, value in changes.items():
        if value is ...:
            del e[key]
        else:
            e[key] = value
    return e


def line(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":")).replace("/", "\\/")


SONG = {"num_songs": 1, "artist_id": "ARJIE2Y1187B994AB7", "artist_latitude": None, "artist_longitude": None,
        "artist_location": "", "artist_name": "Line Renaud", "song_id": "SOUPIRU12A6D4FA1E1",
        "title": "Der Kleine Dompfaff", "duration": 152.92036, "year": 0}


def song(**changes: object) -> dict[str, object]:
    s = dict(SONG)
    for key, value in changes.items():
        if value is ...:
            del s[key]
        else:
            s[key] = value
    return s


# (line text, expected reason or None for accepted) in file order; "" lines are blank (not records).
DAY1: list[tuple[str, str | None]] = [
    (line(event()), None),
    ("this is not json", "not_json"),
    (line(event(itemInSession=2))[:-20], "not_json"),  # truncated
    ("[1, 2, 3]", "not_object"),
    ('"just a string"', "not_object"),
    ("", None),
    (line(event(itemInSession=3, ts="1541106106796")), "invalid_ts"),
    (line(event(itemInSession=4, ts=...)), "missing_ts"),
    (line(event(itemInSession=5, ts=None)), "missing_ts"),
    (line(event(itemInSession=6, ts=12)), "invalid_ts"),  # seconds-scale: outside 2000..2100 in ms
    (line(event(itemInSession=7, page=...)), "missing_field"),
    (line(event(itemInSession=8, sessionId="139")), "invalid_type"),
    (line(event(itemInSession=9, length=None)), "incomplete_play"),
    (line(event(itemInSession=10, song="")), "incomplete_play"),
    (line(event()), "duplicate_event"),  # an exact copy of line 1
    ("   ", None),
    (line({}), "missing_ts"),
    (line(event(itemInSession=11, userId=..., )), "missing_field"),
    (line(event(itemInSession=12, status="200")), "invalid_type"),
    (line(event(itemInSession=13, itemInSession_extra=1)), None),  # unknown keys are ignored
    (line(event(itemInSession=14, userId="", page="Home", song=None, artist=None, length=None,
                firstName=None, lastName=None)), None),  # logged out: accepted, no songplay
    (line(event(itemInSession=15, ts=1541106106796.0)), None),  # integral float ts is accepted
]


def write_source(root: Path) -> None:
    songs = root / "song_data" / "A" / "B" / "C"
    songs.mkdir(parents=True)
    (songs / "TRA0.json").write_text(json.dumps(song()))
    (songs / "TRA1.json").write_text(json.dumps(song(song_id="SONUM1", title=4.6, artist_name=311,
                                                     artist_id="AR311")))
    # Several objects in one file: concatenated on one line, then pretty-printed.
    (songs / "TRA2.json").write_text(
        json.dumps(song(song_id="SOMULTI1")) + json.dumps(song(song_id="SOMULTI2")) + "\n"
        + json.dumps(song(song_id="SOMULTI3"), indent=2) + "\n"
    )
    (songs / "TRA3.json").write_text("{not json at all")
    (songs / "TRA4.json").write_text("[1, 2]")
    (songs / "TRA5.json").write_text(json.dumps(song(song_id=...)))
    (songs / "TRA6.json").write_text(json.dumps(song(title="A different title")))  # duplicate song_id
    (songs / "TRA7.json").write_text(json.dumps(song(song_id="SONEG", duration=-1.0)))
    (songs / "TRA8.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(song(song_id="SOBOM")).encode())
    (songs / "TRA9.json").write_text("")
    logs = root / "log_data" / "2018" / "11"
    logs.mkdir(parents=True)
    text = "\n".join(t for t, _ in DAY1)  # no newline at the end of the last line
    (logs / "2018-11-01-events.json").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    (logs / "2018-11-02-events.json").write_text("")
    (logs / "2018-11-03-events.json").write_text(line(event(itemInSession=20, ts=1541206106796)) + "\n\n")


EXPECTED_SONG_REJECTS = {
    ("song_data/A/B/C/TRA3.json", 1): "not_json",
    ("song_data/A/B/C/TRA4.json", 1): "not_object",
    ("song_data/A/B/C/TRA5.json", 1): "missing_field",
    ("song_data/A/B/C/TRA6.json", 1): "duplicate_song",
    ("song_data/A/B/C/TRA7.json", 1): "invalid_value",
}


@pytest.fixture
def bad_source(tmp_path: Path) -> Path:
    root = tmp_path / "raw"
    write_source(root)
    return root


def test_each_malformed_kind_is_rejected_with_its_reason(bad_source: Path, tmp_path: Path,
                                                         warehouse_url: str) -> None:
    cfg = make_config(tmp_path, bad_source, warehouse_url)
    summary = pipeline.run(cfg)
    t = summary.transform
    assert t is not None
    w = wh.connect(cfg.warehouse)
    rejected = {(r[0], r[1]): (r[2], r[3], r[4], r[5]) for r in w.table_rows("rejected_records")}

    day1 = "log_data/2018/11/2018-11-01-events.json"
    expected_events = {(day1, n): reason for n, (_, reason) in enumerate(DAY1, start=1) if reason}
    got_events = {k: v[1] for k, v in rejected.items() if v[0] == "events"}
    assert got_events == expected_events
    got_songs = {k: v[1] for k, v in rejected.items() if v[0] == "songs"}
    assert got_songs == EXPECTED_SONG_REJECTS

    # The raw text is kept exactly (without the BOM and the CR of the CRLF line end).
    assert rejected[(day1, 2)][3] == "this is not json"
    assert rejected[(day1, 4)][3] == "[1, 2, 3]"
    assert rejected[(day1, 11)][2] == "page"
    assert rejected[(day1, 12)][2] == "sessionId"
    assert rejected[(day1, 19)][2] == "status"
    assert rejected[(day1, 13)][2] == "length"
    assert rejected[("song_data/A/B/C/TRA3.json", 1)][3] == "{not json at all"

    # Accounting: records read = accepted + rejected, per input and in total.
    day1_records = sum(1 for text, _ in DAY1 if text.strip())
    assert t.events.records == day1_records + 1
    assert t.events.rejected == len(expected_events)
    assert t.events.accepted == day1_records + 1 - len(expected_events)
    assert t.events.blank_lines == 3  # two in day 1, one in day 3 (the final newline is not a line)
    assert t.songs.records == 11  # 10 files: one with three objects, one empty
    assert t.songs.rejected == len(EXPECTED_SONG_REJECTS)
    assert sum(t.rejected_by_reason.values()) == t.events.rejected + t.songs.rejected

    # The rest loads: accepted plays with a user become songplays, numbers as text stay text.
    songs = {r[0]: r for r in w.table_rows("songs")}
    assert set(songs) == {"SOUPIRU12A6D4FA1E1", "SONUM1", "SOMULTI1", "SOMULTI2", "SOMULTI3", "SOBOM"}
    assert (songs["SONUM1"][1], songs["SONUM1"][3]) == ("4.6", "311")
    assert songs["SOUPIRU12A6D4FA1E1"][1] == "Der Kleine Dompfaff"  # the first record of a song_id wins
    plays = w.table_rows("songplays")
    assert len(plays) == 4  # line 1, itemInSession 13 and 15 of day 1, and day 3
    assert w.count("users") == 1


def test_song_record_line_numbers_follow_the_file(bad_source: Path, tmp_path: Path, duckdb_url: str) -> None:
    (bad_source / "song_data" / "A" / "B" / "C" / "TRA2.json").write_text(
        json.dumps(song(song_id="SOP1"), indent=2) + "\n" + "garbage after a good object\n"
    )
    cfg = make_config(tmp_path, bad_source, duckdb_url)
    pipeline.run(cfg)
    rejected = {(r[0], r[1]): r[3] for r in wh.connect(cfg.warehouse).table_rows("rejected_records")}
    assert rejected[("song_data/A/B/C/TRA2.json", 13)] == "not_json"  # 12 lines of pretty JSON, then garbage
