"""The synthetic Sparkify generator: format, determinism, model behaviour and fault accounting.

Every test reads the real files the generator wrote into a temporary directory.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from music_analytics.generator import GeneratorParams, generate
from music_analytics.generator import engine as engine_module
from music_analytics.generator.cli import add_arguments, run

REQUIRED = ("page", "sessionId", "itemInSession", "level", "userId")
START = dt.date(2018, 11, 1)


# --------------------------------------------------------------------------- helpers
def sample_dir() -> Path:
    env = os.environ.get("SPARKIFY_SAMPLE")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared/data/sparkify-sample"


@pytest.fixture(scope="module")
def real_sample() -> Path:
    path = sample_dir()
    if not (path / "log_data").is_dir() or not (path / "song_data").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the real Sparkify sample is required in CI: {path}")
        pytest.skip(f"the real Sparkify sample is missing: {path}")
    return path


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def event_files(root: Path) -> list[Path]:
    return sorted((root / "log_data").rglob("*.json"))


def physical_lines(path: Path) -> list[bytes]:
    """Lines with content, as the file holds them (BOM and CR kept)."""
    return [line for line in path.read_bytes().split(b"\n") if line]


def clean(line: bytes, first: bool) -> str:
    text = line.decode("utf-8")
    if first and text.startswith("\ufeff"):
        text = text[1:]
    return text.rstrip("\r")


def load_events(root: Path) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for path in event_files(root):
        for i, line in enumerate(physical_lines(path)):
            events.append(json.loads(clean(line, i == 0)))
    return events


def song_objects(path: Path) -> list[tuple[int, Any]]:
    """Every JSON value in a song file with the 1-based line it starts on."""
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    out: list[tuple[int, Any]] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return out
        value, end = decoder.raw_decode(text, pos)
        out.append((text.count("\n", 0, pos) + 1, value))
        pos = end


def catalogue(root: Path) -> list[dict[str, Any]]:
    return [obj for p in sorted((root / "song_data").rglob("*.json")) for _, obj in song_objects(p)]


def type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def sessions_of(events: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    by: dict[int, list[dict[str, Any]]] = collections.defaultdict(list)
    for e in events:
        by[e["sessionId"]].append(e)
    for es in by.values():
        es.sort(key=lambda e: e["itemInSession"])
    return by


def users_of(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for e in events:
        if e["userId"]:
            by[e["userId"]].append(e)
    for es in by.values():
        es.sort(key=lambda e: (e["ts"], e["sessionId"], e["itemInSession"]))
    return by


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("small")
    return out, generate(GeneratorParams(events=20_000, seed=3), out)


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("medium")
    manifest = generate(GeneratorParams(events=200_000, seed=11, unknown_song_rate=0.05), out)
    return out, manifest, load_events(out)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("faulty")
    return out, generate(GeneratorParams(events=40_000, seed=5, fault_rate=0.01, unknown_song_rate=0.02), out)


# --------------------------------------------------------------------------- determinism
def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    params = GeneratorParams(events=15_000, seed=42, fault_rate=0.02, skip_rate=0.1, unknown_song_rate=0.05)
    generate(params, tmp_path / "a")
    generate(params, tmp_path / "b")
    generate(
        GeneratorParams(events=15_000, seed=43, fault_rate=0.02, skip_rate=0.1, unknown_song_rate=0.05), tmp_path / "c"
    )
    a, b, c = (tree_hashes(tmp_path / x) for x in "abc")
    assert a == b
    assert "manifest.json" in a and len(a) > 300
    logs_a = {k: v for k, v in a.items() if k.startswith("log_data/")}
    logs_c = {k: v for k, v in c.items() if k.startswith("log_data/")}
    assert logs_a.keys() == logs_c.keys()
    assert all(logs_a[k] != logs_c[k] for k in logs_a)
    assert a["manifest.json"] != c["manifest.json"]


def test_rerun_into_the_same_directory_replaces_the_old_dataset(tmp_path: Path) -> None:
    generate(GeneratorParams(events=5_000, seed=1, days=5, songs=300), tmp_path)
    generate(GeneratorParams(events=3_000, seed=2, days=3, songs=200), tmp_path)
    assert len(event_files(tmp_path)) == 3
    assert len(list((tmp_path / "song_data").rglob("*.json"))) == 200


# --------------------------------------------------------------------------- format
def test_layout_and_paths(small: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = small
    days = [START + dt.timedelta(days=i) for i in range(30)]
    assert [p.relative_to(root).as_posix() for p in event_files(root)] == [
        f"log_data/{d:%Y}/{d:%m}/{d:%Y-%m-%d}-events.json" for d in days
    ]
    songs = sorted((root / "song_data").rglob("*.json"))
    assert len(songs) == manifest["counts"]["song_files"] == manifest["counts"]["songs"]
    for p in songs:
        rel = p.relative_to(root).as_posix()
        m = re.fullmatch(r"song_data/([A-Z])/([A-Z])/([A-Z])/(TR[A-Z0-9]{16})\.json", rel)
        assert m, rel
        assert m.group(4)[2:5] == m.group(1) + m.group(2) + m.group(3)
    listed = {f["path"] for f in manifest["files"]["song_data"]} | {f["path"] for f in manifest["files"]["log_data"]}
    assert listed == {p.relative_to(root).as_posix() for p in songs + event_files(root)}


def test_song_files_match_the_real_format(real_sample: Path, small: tuple[Path, dict[str, Any]]) -> None:
    root, _ = small
    real = [obj for p in sorted((real_sample / "song_data").rglob("*.json")) for _, obj in song_objects(p)]
    real_order = list(real[0])
    real_types: dict[str, set[str]] = collections.defaultdict(set)
    for obj in real:
        assert list(obj) == real_order
        for k, v in obj.items():
            real_types[k].add(type_name(v))
    ours = catalogue(root)
    seen_null: collections.Counter[str] = collections.Counter()
    for obj in ours:
        assert list(obj) == real_order
        for k, v in obj.items():
            assert type_name(v) in real_types[k], (k, v)
            seen_null[k] += v is None
        assert obj["num_songs"] == 1
        assert re.fullmatch(r"AR[A-Z0-9]{16}", obj["artist_id"])
        assert re.fullmatch(r"SO[A-Z0-9]{16}", obj["song_id"])
        assert isinstance(obj["duration"], float)
        assert round(obj["duration"], 5) == obj["duration"]
    # About half the artists have no coordinates; a good share of years are unknown.
    share_null = seen_null["artist_latitude"] / len(ours)
    assert 0.3 < share_null < 0.7
    assert 0.3 < sum(o["year"] == 0 for o in ours) / len(ours) < 0.6
    assert 150 < sorted(o["duration"] for o in ours)[len(ours) // 2] < 330
    # Serialised like the real files: one line, ", " / ": " separators, \u escapes, no newline.
    real_text = next(iter(sorted((real_sample / "song_data").rglob("*.json")))).read_text()
    our_files = sorted((root / "song_data").rglob("*.json"))
    assert real_text.startswith('{"num_songs": 1, "artist_id": "AR')
    texts = [p.read_text(encoding="ascii") for p in our_files]
    assert all(t.startswith('{"num_songs": 1, "artist_id": "AR') and not t.endswith("\n") for t in texts)
    assert any("\\u" in t for t in texts)


def test_event_lines_match_the_real_format(real_sample: Path, small: tuple[Path, dict[str, Any]]) -> None:
    root, _ = small
    real_lines = [line for p in event_files(real_sample) for line in p.read_text(encoding="utf-8").splitlines() if line]
    real_events = [json.loads(line) for line in real_lines]
    order = list(real_events[0])
    real_types: dict[str, set[str]] = collections.defaultdict(set)
    for e in real_events:
        assert list(e) == order
        for k, v in e.items():
            real_types[k].add(type_name(v))
    our_lines = [line.decode("ascii") for p in event_files(root) for line in physical_lines(p)]
    for line in our_lines:
        e = json.loads(line)
        assert list(e) == order, line
        for k, v in e.items():
            assert type_name(v) in real_types[k], (k, v, line)
        assert line.startswith('{"artist":')  # compact separators, like the sample
        assert "/" not in line.replace("\\/", "")  # every slash escaped, like the sample
        if e["page"] == "NextSong":
            assert isinstance(e["length"], float) and e["song"] is not None and e["artist"] is not None
        else:
            assert e["length"] is None and e["song"] is None and e["artist"] is None
        if e["userId"] == "":
            assert e["auth"] in ("Logged Out", "Guest")
            hidden = ("firstName", "lastName", "gender", "location", "userAgent", "registration")
            assert all(e[k] is None for k in hidden)
            assert e["level"] in ("free", "paid")
        else:
            assert e["userId"].isdigit() and e["auth"] in ("Logged In", "Cancelled")
            assert re.search(r'"registration":\d{13}\.0,', line)
            ua = e["userAgent"]
            assert ua.startswith('"') == ("," in ua)  # quoted exactly when it has a comma, as in the sample
    # The same (page -> method, status) pairs as the sample wherever the sample has the page.
    real_pairs = {(e["page"], e["method"], e["status"]) for e in real_events}
    ours = {(json.loads(x)["page"], json.loads(x)["method"], json.loads(x)["status"]) for x in our_lines[:20000]}
    real_pages = {p for p, _, _ in real_pairs}
    assert {t for t in ours if t[0] in real_pages} <= real_pairs
    # Every ts shares one millisecond part, as eventsim writes them.
    assert len({json.loads(x)["ts"] % 1000 for x in our_lines[:5000]}) == 1


def test_non_ascii_and_quirky_text_round_trips(small: tuple[Path, dict[str, Any]]) -> None:
    root, _ = small
    titles = [o["title"] for o in catalogue(root)]
    names = [o["artist_name"] for o in catalogue(root)]
    assert any(any(ord(c) > 127 for c in t) for t in titles + names)
    assert any("'" in t for t in titles)
    assert any(t != t.strip() for t in titles)
    assert any("/" in n for n in names)


# --------------------------------------------------------------------------- size
@pytest.mark.parametrize("fixture", ["small", "medium"])
def test_event_count_within_ten_percent(fixture: str, request: pytest.FixtureRequest) -> None:
    root, manifest = request.getfixturevalue(fixture)[:2]
    target = manifest["params"]["events"]
    lines = sum(len(physical_lines(p)) for p in event_files(root))
    assert lines == manifest["counts"]["events"] == manifest["expected"]["records_read"]
    assert abs(lines - target) <= 0.1 * target


def test_default_catalogue_size() -> None:
    assert GeneratorParams(events=1_000).catalogue_size == 200
    assert GeneratorParams(events=1_000_000).catalogue_size == 20_000
    assert GeneratorParams(events=10_000_000).catalogue_size == 50_000
    assert GeneratorParams(events=10_000_000, songs=123).catalogue_size == 123


# --------------------------------------------------------------------------- behaviour
def test_page_mix(medium: tuple[Path, dict[str, Any], list[dict[str, Any]]]) -> None:
    _, manifest, events = medium
    pages = collections.Counter(e["page"] for e in events)
    assert pages == collections.Counter(manifest["counts"]["events_by_page"])
    share = pages["NextSong"] / len(events)
    assert 0.74 < share < 0.86
    for page in (
        "Thumbs Up",
        "Roll Advert",
        "Add to Playlist",
        "Home",
        "Logout",
        "Login",
        "Settings",
        "Save Settings",
        "Upgrade",
        "Submit Upgrade",
        "Downgrade",
        "Submit Downgrade",
        "Cancel",
        "Cancellation Confirmation",
        "Register",
        "Submit Registration",
        "Help",
        "About",
        "Error",
        "Thumbs Down",
        "Add Friend",
    ):
        assert pages[page] > 0, page
    assert 0.02 < pages["Thumbs Up"] / len(events) < 0.07
    assert {e["auth"] for e in events} == {"Logged In", "Logged Out", "Guest", "Cancelled"}


def test_free_paid_share_at_start(medium: tuple[Path, dict[str, Any], list[dict[str, Any]]]) -> None:
    _, manifest, events = medium
    counts = manifest["counts"]
    assert 0.12 < counts["users_initial_paid"] / counts["users_initial"] < 0.22
    start_ms = manifest["period"]["ts_min_ms"]
    first_level = {}
    for uid, es in users_of(events).items():
        if es[0]["registration"] < start_ms:
            first_level[uid] = es[0]["level"]
    paid = sum(v == "paid" for v in first_level.values()) / len(first_level)
    assert 0.08 < paid < 0.35  # ~2/12 at start, drifting up with upgrades before a first visit


def test_sessions_of_a_user_are_at_least_30_minutes_apart(
    medium: tuple[Path, dict[str, Any], list[dict[str, Any]]],
) -> None:
    _, _, events = medium
    gaps = 0
    for es in users_of(events).values():
        spans: dict[int, list[int]] = {}
        for e in es:
            span = spans.setdefault(e["sessionId"], [e["ts"], e["ts"]])
            span[1] = max(span[1], e["ts"])
        ordered = sorted(spans.values())
        for (_, end), (begin, _) in itertools.pairwise(ordered):
            assert begin - end >= 30 * 60 * 1000
            gaps += 1
    assert gaps > 1000


def test_level_changes_only_through_submit_pages(
    medium: tuple[Path, dict[str, Any], list[dict[str, Any]]],
) -> None:
    _, manifest, events = medium
    changes = 0
    for es in users_of(events).values():
        for prev, cur in itertools.pairwise(es):
            if prev["level"] != cur["level"]:
                changes += 1
                expected = "Submit Upgrade" if cur["level"] == "paid" else "Submit Downgrade"
                assert prev["page"] == expected, (prev, cur)
            if prev["page"] == "Submit Upgrade":
                assert (prev["level"], cur["level"]) == ("free", "paid")
            if prev["page"] == "Submit Downgrade":
                assert (prev["level"], cur["level"]) == ("paid", "free")
    assert changes == manifest["counts"]["level_changes"]["total"] > 10


def test_no_events_after_cancellation(medium: tuple[Path, dict[str, Any], list[dict[str, Any]]]) -> None:
    _, _, events = medium
    cancelled = 0
    for es in users_of(events).values():
        pages = [e["page"] for e in es]
        if "Cancellation Confirmation" in pages:
            cancelled += 1
            assert pages[-1] == "Cancellation Confirmation"
            assert pages[-2] == "Cancel"
            assert es[-1]["auth"] == "Cancelled"
    assert cancelled > 5


def test_sessions_items_and_order(medium: tuple[Path, dict[str, Any], list[dict[str, Any]]]) -> None:
    root, _, events = medium
    keys = {(e["sessionId"], e["itemInSession"]) for e in events}
    assert len(keys) == len(events)
    for es in sessions_of(events).values():
        assert [e["itemInSession"] for e in es] == list(range(len(es)))
        assert len({e["userId"] for e in es if e["userId"]}) <= 1
        assert all(a["ts"] <= b["ts"] for a, b in itertools.pairwise(es))
    for path in event_files(root):
        day = dt.date.fromisoformat(path.name[:10])
        ts = [json.loads(line)["ts"] for line in physical_lines(path)]
        assert ts == sorted(ts)
        assert {dt.datetime.fromtimestamp(t / 1000, dt.UTC).date() for t in ts} == {day}


def test_timing_songs_redirects(medium: tuple[Path, dict[str, Any], list[dict[str, Any]]]) -> None:
    _, _, events = medium
    back_to_back = 0
    for es in sessions_of(events).values():
        last_song: dict[str, Any] | None = None
        for prev, cur in itertools.pairwise(es):
            if cur["status"] == 307:
                assert cur["ts"] - prev["ts"] == 1000
            if prev["page"] == "NextSong" and cur["page"] == "NextSong":
                assert cur["ts"] - prev["ts"] == int(prev["length"]) * 1000
                back_to_back += 1
        for e in es:
            if e["page"] == "NextSong":
                if last_song is not None:  # without --skip-rate no song starts before the last ended
                    assert e["ts"] >= last_song["ts"] + int(last_song["length"]) * 1000
                last_song = e
    assert back_to_back > 100_000


def test_guests_register_into_new_users(medium: tuple[Path, dict[str, Any], list[dict[str, Any]]]) -> None:
    _, manifest, events = medium
    registered = 0
    for es in sessions_of(events).values():
        for prev, cur in itertools.pairwise(es):
            if prev["page"] == "Submit Registration":
                assert prev["auth"] == "Guest" and prev["userId"] == ""
                assert cur["auth"] == "Logged In" and cur["userId"] and cur["level"] == "free"
                assert cur["registration"] == prev["ts"]
                registered += 1
    assert registered == manifest["counts"]["users_registered"] > 0


def test_daily_and_weekly_cycle(medium: tuple[Path, dict[str, Any], list[dict[str, Any]]]) -> None:
    _, _, events = medium
    hours = collections.Counter(dt.datetime.fromtimestamp(e["ts"] / 1000, dt.UTC).hour for e in events)
    night = sum(hours[h] for h in range(3, 8)) / 5
    day = sum(hours[h] for h in range(15, 20)) / 5
    assert night < 0.6 * day
    # Weekdays vs weekends in US Central time.
    per_day = collections.Counter(
        (dt.datetime.fromtimestamp(e["ts"] / 1000, dt.UTC) - dt.timedelta(hours=6)).date() for e in events
    )
    full = [d for d in per_day if START < d < START + dt.timedelta(days=29)]
    weekend = [per_day[d] for d in full if d.weekday() >= 5]
    weekday = [per_day[d] for d in full if d.weekday() < 5]
    assert sum(weekend) / len(weekend) < 0.8 * sum(weekday) / len(weekday)


def test_plays_match_the_catalogue_exactly(medium: tuple[Path, dict[str, Any], list[dict[str, Any]]]) -> None:
    root, manifest, events = medium
    songs = catalogue(root)
    triples = {(str(s["title"]), str(s["artist_name"]), s["duration"]) for s in songs}
    plays = [e for e in events if e["page"] == "NextSong"]
    matched = sum((e["song"], e["artist"], e["length"]) in triples for e in plays)
    assert matched == manifest["counts"]["songplays_catalogue"] == manifest["expected"]["songplays_matched"]
    assert len(plays) - matched == manifest["counts"]["songplays_unknown"]
    assert 0.03 < (len(plays) - matched) / len(plays) < 0.07
    # The text of a matched play is byte-identical to the song file's (no float drift).
    by_title = {(str(s["title"]), str(s["artist_name"])): s for s in songs}
    raw = physical_lines(event_files(root)[3])[:2000]
    for line in raw:
        e = json.loads(line)
        s = by_title.get((e["song"] or "", e["artist"] or ""))
        if s is not None and s["duration"] == e["length"]:
            assert f'"length":{s["duration"]!r},' in line.decode()
    # Heavy-tailed popularity: the top 1% of songs get a large share of plays.
    per_song = sorted(collections.Counter((e["song"], e["artist"]) for e in plays).values(), reverse=True)
    top = per_song[: max(1, len(songs) // 100)]
    assert sum(top) / len(plays) > 0.1


def test_skip_rate(tmp_path: Path) -> None:
    manifest = generate(GeneratorParams(events=30_000, seed=9, skip_rate=0.25), tmp_path)
    events = load_events(tmp_path)
    pairs = skipped = 0
    for es in sessions_of(events).values():
        for prev, cur in itertools.pairwise(es):
            if prev["page"] == "NextSong" and cur["page"] == "NextSong":
                pairs += 1
                skipped += cur["ts"] - prev["ts"] < int(prev["length"]) * 1000
    assert 0.17 < skipped / pairs < 0.3
    assert manifest["counts"]["skips_generated"] >= skipped


# --------------------------------------------------------------------------- faults
def classify(text: str, seen: set[str]) -> str:
    """What a careful loader makes of one line (the pipeline's documented rules)."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        return "not_json"
    if not isinstance(record, dict):
        return "not_object"
    if "ts" not in record:
        return "missing_ts"
    if not isinstance(record["ts"], int):
        return "invalid_ts"
    if any(k not in record for k in REQUIRED):
        return "missing_field"
    if record["page"] == "NextSong" and any(record[k] is None for k in ("song", "artist", "length")):
        return "incomplete_play"
    if text in seen:
        return "duplicate_event"
    seen.add(text)
    return "loaded"


def test_every_fault_kind_is_injected(faulty: tuple[Path, dict[str, Any]]) -> None:
    _, manifest = faulty
    assert all(n >= 1 for n in manifest["fault_counts"].values()), manifest["fault_counts"]
    assert manifest["faults_not_placed"] == []
    assert len(manifest["fault_counts"]) == 16
    line_faults = [f for f in manifest["faults"] if f["file"].startswith("log_data/") and f["line"] > 0]
    assert len({(f["file"], f["line"]) for f in line_faults if f["kind"] != "bom"}) == len(
        [f for f in line_faults if f["kind"] != "bom"]
    )
    # ~1% of the lines, as asked.
    share = sum(1 for f in line_faults if f["kind"] != "bom") / manifest["expected"]["records_read"]
    assert 0.005 < share < 0.02


def test_each_listed_fault_is_in_the_file(faulty: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = faulty
    songs = catalogue(root)
    file_lines: dict[str, list[bytes]] = {}
    for f in manifest["faults"]:
        path = root / f["file"]
        kind = f["kind"]
        if f["file"].startswith("song_data/"):
            objects = song_objects(path)
            starts = {line: obj for line, obj in objects}
            assert f["line"] in starts, f
            obj = starts[f["line"]]
            if kind == "numeric_title":
                assert isinstance(obj["title"], (int, float)) and not isinstance(obj["title"], bool)
            elif kind == "numeric_artist_name":
                assert isinstance(obj["artist_name"], (int, float))
            elif kind == "multi_object_song_file":
                assert len(objects) == 2 and f["line"] == objects[1][0]
            elif kind == "conflicting_artist_name":
                others = {
                    str(o["artist_name"])
                    for o in songs
                    if o["artist_id"] == obj["artist_id"] and o["song_id"] != obj["song_id"]
                }
                assert others and str(obj["artist_name"]) not in others
            assert f["expect"] == "loaded"
            continue
        raw = path.read_bytes()
        if kind == "empty_file":
            assert raw == b"" and f["line"] == 0
            continue
        if kind == "bom":
            assert raw.startswith(b"\xef\xbb\xbf") and f["line"] == 1
            json.loads(raw[3:].split(b"\n")[0])
            continue
        if kind == "crlf":
            assert raw.count(b"\n") == raw.count(b"\r\n") > 0
            continue
        if f["file"] not in file_lines:
            file_lines[f["file"]] = physical_lines(path)
        lines = file_lines[f["file"]]
        text = clean(lines[f["line"] - 1], f["line"] == 1)
        if kind in ("not_json", "truncated_json"):
            with pytest.raises(json.JSONDecodeError):
                json.loads(text)
            assert f["expect"] == "rejected:not_json"
        elif kind == "json_array":
            assert isinstance(json.loads(text), list) and f["expect"] == "rejected:not_object"
        elif kind == "ts_as_text":
            assert isinstance(json.loads(text)["ts"], str) and f["expect"] == "rejected:invalid_ts"
        elif kind == "missing_ts":
            assert "ts" not in json.loads(text) and f["expect"] == "rejected:missing_ts"
        elif kind == "missing_field":
            record = json.loads(text)
            assert "ts" in record and sum(k not in record for k in REQUIRED) == 1
            assert f["expect"] == "rejected:missing_field"
        elif kind == "incomplete_play":
            record = json.loads(text)
            assert record["page"] == "NextSong" and None in (record["song"], record["artist"], record["length"])
            assert f["expect"] == "rejected:incomplete_play"
        elif kind == "duplicate_event":
            earlier = lines[max(0, f["line"] - 2000) : f["line"] - 1]  # copies land <= 300 base lines later
            assert lines[f["line"] - 1] in earlier and f["expect"] == "rejected:duplicate_event"
        elif kind == "late_event":
            record = json.loads(text)
            day = dt.datetime.fromtimestamp(record["ts"] / 1000, dt.UTC).date()
            file_day = dt.date.fromisoformat(path.name[:10])
            assert 1 <= (file_day - day).days <= 3 and f["expect"] == "loaded"
            assert lines.count(lines[f["line"] - 1]) == 1
        else:
            pytest.fail(f"unexpected fault kind {kind}")


def test_manifest_accounting_matches_a_reread(faulty: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = faulty
    expected = manifest["expected"]
    entries = {f["path"]: f for f in manifest["files"]["log_data"]}
    triples = {(str(s["title"]), str(s["artist_name"]), s["duration"]) for s in catalogue(root)}
    listed = {(f["file"], f["line"]): f for f in manifest["faults"]}
    outcomes: collections.Counter[str] = collections.Counter()
    pages: collections.Counter[str] = collections.Counter()
    songplays = matched = 0
    users: set[str] = set()
    sessions: set[int] = set()
    for path in event_files(root):
        rel = path.relative_to(root).as_posix()
        raw = path.read_bytes()
        lines = physical_lines(path)
        assert entries[rel]["lines"] == entries[rel]["records"] == len(lines)
        assert entries[rel]["bytes"] == len(raw)
        seen: set[str] = set()
        for i, line in enumerate(lines, start=1):
            text = clean(line, i == 1)
            outcome = classify(text, seen)
            outcomes[outcome] += 1
            if outcome != "loaded":
                assert listed[(rel, i)]["expect"] == f"rejected:{outcome}", (rel, i, text)
                continue
            assert listed.get((rel, i), {"expect": "loaded"})["expect"] == "loaded"
            e = json.loads(text)
            pages[e["page"]] += 1
            sessions.add(e["sessionId"])
            if e["userId"]:
                users.add(e["userId"])
            if e["page"] == "NextSong" and e["userId"]:
                songplays += 1
                matched += (e["song"], e["artist"], e["length"]) in triples
    assert sum(outcomes.values()) == expected["records_read"]
    assert outcomes["loaded"] == expected["records_loaded"]
    assert {k: outcomes[k] for k in expected["records_rejected"]} == expected["records_rejected"]
    assert pages == collections.Counter({k: v for k, v in expected["records_loaded_by_page"].items() if v})
    assert songplays == expected["songplays"]
    assert matched == expected["songplays_matched"]
    assert len(users) == expected["users"]
    assert len(sessions) == expected["sessions"]
    song_records = sum(len(song_objects(p)) for p in (root / "song_data").rglob("*.json"))
    assert song_records == expected["song_records"] == manifest["counts"]["songs"]
    for entry in manifest["files"]["song_data"]:
        p = root / entry["path"]
        assert entry["bytes"] == p.stat().st_size and entry["records"] == len(song_objects(p))
    # The empty day's events are counted as dropped, never written.
    empty = [f for f in manifest["faults"] if f["kind"] == "empty_file"]
    assert len(empty) == 1 and manifest["counts"]["events_dropped_empty_file"] > 0


def test_numeric_song_names_are_played_as_text(faulty: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = faulty
    numeric = [f for f in manifest["faults"] if f["kind"] in ("numeric_title", "numeric_artist_name")]
    names = set()
    for f in numeric:
        obj = dict(song_objects(root / f["file"]))[f["line"]]
        names.add(json.dumps(obj["title"] if f["kind"] == "numeric_title" else obj["artist_name"]))
    played = {e["song"] for e in load_events_lenient(root)} | {e["artist"] for e in load_events_lenient(root)}
    assert all(isinstance(n, str) for n in names)
    assert names & {x for x in played if isinstance(x, str)}


def load_events_lenient(root: Path) -> list[dict[str, Any]]:
    out = []
    for path in event_files(root):
        for i, line in enumerate(physical_lines(path)):
            try:
                e = json.loads(clean(line, i == 0))
            except json.JSONDecodeError:
                continue
            if isinstance(e, dict) and e.get("page") == "NextSong":
                out.append(e)
    return out


def test_faults_off_by_default(small: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = small
    assert manifest["faults"] == [] and manifest["faults_not_placed"] == []
    assert set(manifest["fault_counts"].values()) == {0}
    assert manifest["expected"]["records_rejected_total"] == 0
    assert all(not p.read_bytes().startswith(b"\xef\xbb\xbf") for p in event_files(root))


def test_days_written_in_several_segments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Big days are flushed in pieces; the pieces must not show in the files or the accounting."""
    params = GeneratorParams(events=20_000, seed=4, days=3)
    generate(params, tmp_path / "whole")
    monkeypatch.setattr(engine_module, "SEGMENT_EVENTS", 500)
    generate(params, tmp_path / "pieces")
    assert tree_hashes(tmp_path / "whole") == tree_hashes(tmp_path / "pieces")
    out = tmp_path / "faulty"
    manifest = generate(GeneratorParams(events=20_000, seed=4, days=4, fault_rate=0.05), out)
    test_each_listed_fault_is_in_the_file((out, manifest))
    test_manifest_accounting_matches_a_reread((out, manifest))


# --------------------------------------------------------------------------- params & CLI
@pytest.mark.parametrize(
    "kwargs",
    [
        {"events": -1},
        {"events": 0},
        {"events": 10, "fault_rate": 1.5},
        {"events": 10, "skip_rate": -0.1},
        {"events": 10, "days": 0},
        {"events": 10, "songs": 0},
        {"events": 10, "seed": -3},
    ],
)
def test_invalid_params_are_rejected(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        GeneratorParams(**kwargs)


def _cli(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_cli_validates_and_summarises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(_cli(["--out", str(tmp_path), "--events", "-5"])) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "events" in err
    assert run(_cli(["--out", str(tmp_path), "--events", "100", "--fault-rate", "2"])) == 2
    assert "fault_rate" in capsys.readouterr().err
    code = run(
        _cli(
            [
                "--out",
                str(tmp_path / "d"),
                "--events",
                "3000",
                "--days",
                "4",
                "--seed",
                "7",
                "--start",
                "2019-01-01",
                "--fault-rate",
                "0.01",
                "--songs",
                "250",
            ]
        )
    )
    assert code == 0
    out = capsys.readouterr().out
    assert re.search(r"[\d,]+ events, [\d,]+ users, 250 songs, [\d,]+ files, [\d,]+ faults injected", out)
    assert (tmp_path / "d/log_data/2019/01/2019-01-04-events.json").exists()
    manifest = json.loads((tmp_path / "d/manifest.json").read_text())
    assert manifest["params"]["start"] == "2019-01-01" and manifest["params"]["seed"] == 7


def test_fault_outcomes_use_the_pipeline_reason_codes() -> None:
    from music_analytics.contract import REASONS
    from music_analytics.generator.logfiles import EXPECT, REJECT_REASONS

    assert set(REJECT_REASONS) <= set(REASONS)
    for outcome in EXPECT.values():
        assert outcome == "loaded" or outcome.split(":", 1)[1] in REASONS, outcome
