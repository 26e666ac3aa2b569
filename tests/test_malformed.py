"""Every kind of malformed input yields a rejected row with its reason while the rest loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from music_analytics import pipeline
from music_analytics import warehouse as wh
from tests.helpers import DAY1, EXPECTED_SONG_REJECTS, make_config, row_count, song, table_rows, write_source


@pytest.fixture
def bad_source(tmp_path: Path) -> Path:
    root = tmp_path / "raw"
    write_source(root)
    return root


def test_each_malformed_kind_is_rejected_with_its_reason(bad_source: Path, tmp_path: Path, warehouse_url: str) -> None:
    cfg = make_config(tmp_path, bad_source, warehouse_url)
    summary = pipeline.run(cfg)
    t = summary.transform
    assert t is not None
    w = wh.connect(cfg.warehouse)
    rejected = {(r[0], r[1]): (r[2], r[3], r[4], r[5]) for r in table_rows(w, "rejected_records")}

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
    songs = {r[0]: r for r in table_rows(w, "songs")}
    assert set(songs) == {"SOUPIRU12A6D4FA1E1", "SONUM1", "SOMULTI1", "SOMULTI2", "SOMULTI3", "SOBOM"}
    assert (songs["SONUM1"][1], songs["SONUM1"][3]) == ("4.6", "311")
    assert songs["SOUPIRU12A6D4FA1E1"][1] == "Der Kleine Dompfaff"  # the first record of a song_id wins
    plays = table_rows(w, "songplays")
    assert len(plays) == 4  # line 1, itemInSession 13 and 15 of day 1, and day 3
    assert row_count(w, "users") == 1


def test_song_record_line_numbers_follow_the_file(bad_source: Path, tmp_path: Path, duckdb_url: str) -> None:
    (bad_source / "song_data" / "A" / "B" / "C" / "TRA2.json").write_text(
        json.dumps(song(song_id="SOP1"), indent=2) + "\n" + "garbage after a good object\n"
    )
    cfg = make_config(tmp_path, bad_source, duckdb_url)
    pipeline.run(cfg)
    rejected = {(r[0], r[1]): r[3] for r in table_rows(wh.connect(cfg.warehouse), "rejected_records")}
    assert rejected[("song_data/A/B/C/TRA2.json", 13)] == "not_json"  # 12 lines of pretty JSON, then garbage
