"""sources.screen: which files no reader can read, and why, whatever the chunk boundaries."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from music_analytics import sources


@pytest.fixture(params=[5, 64, 16 * 1024 * 1024], ids=lambda n: f"chunk{n}")
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sources, "_SCREEN_CHUNK", request.param)
    return int(request.param)


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "2018-11-01-events.json"
    path.write_bytes(data)
    return path


def test_readable_files_pass(tmp_path: Path, chunk: int) -> None:
    assert sources.screen(_file(tmp_path, b'{"a": "\xc3\xa9"}\n{"b": [1, [2]]}\n'), "events") is None
    assert sources.screen(_file(tmp_path, b""), "events") is None


def test_a_line_over_the_limit_is_found_across_chunks(
    tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_LINE_BYTES", 10)
    assert sources.screen(_file(tmp_path, b"{}\n" + b"x" * 10 + b"\n{}"), "events") is None
    why = sources.screen(_file(tmp_path, b"{}\n{}\n" + b"x" * 11 + b"\n{}\n"), "events")
    assert why is not None and why.startswith("line 3 is 11 bytes")
    why = sources.screen(_file(tmp_path, b"{}\n" + b"x" * 12), "events")  # the last line, no newline
    assert why is not None and why.startswith("line 2 is 12 bytes")


def test_nesting_counts_brackets_outside_strings_only(
    tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_DEPTH", 3)
    assert sources.screen(_file(tmp_path, b'{"a":[[1]]}\n{"s":"[[[[[[\\"[[["}\n'), "events") is None
    why = sources.screen(_file(tmp_path, b'{"a":[1]}\n{"a":[[[1]]]}\n'), "events")
    assert why == "line 2 nests 4 levels deep, over the 3 levels of Spark's JSON reader"
    path = tmp_path / "TR.json"
    path.write_bytes(b'{"a": [[[{"b": 1}]]]}')
    assert sources.screen(path, "songs") == "the file nests 5 levels deep, over the 3 levels of Spark's JSON reader"


def test_encodings_and_compression_are_named(tmp_path: Path, chunk: int) -> None:
    cases = {
        gzip.compress(b"{}"): "gzip-compressed",
        "\ufeff{}".encode("utf-16-le"): "UTF-16",
        b'{"a": "caf\xe9"}': "not UTF-8 (byte 10",
        b'{"a": "\xc3': "not UTF-8",
    }
    for data, words in cases.items():
        why = sources.screen(_file(tmp_path, data), "events")
        assert why is not None and words in why, (data, why)


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    why = sources.screen(loop, "events")
    assert why is not None and why.startswith("unreadable (")


def test_a_bom_only_file_is_an_empty_file(tmp_path: Path) -> None:
    profile = sources.profile_event_file(_file(tmp_path, b"\xef\xbb\xbf"), "x")
    assert (profile.lines, profile.blank_lines) == (0, ())


def test_impossible_dates_in_names_give_no_day_and_a_reason() -> None:
    assert sources.file_day("2018-13-45-events.json") is None
    assert sources.undated("2018-13-45-events.json") == "impossible date 2018-13-45 in the name"
    assert sources.undated("events.json") == "the name is not YYYY-MM-DD-events.json"
    # Read when the run has no date range; a dated run cannot place it (listed as not read).
    assert sources.in_range("log_data/2018-13-45-events.json", None, None)
    assert not sources.in_range("log_data/2018-13-45-events.json", dt.date(2018, 11, 1), None)
