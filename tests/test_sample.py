"""The real Sparkify sample, end to end, on real DuckDB files and the real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from music_analytics import pipeline
from music_analytics import warehouse as wh
from tests.helpers import STAR, WAREHOUSE_TABLES, make_config, query, row_count, table_rows, with_settings

# The 8 users whose level changes during the month, and their level on their last event by ts
# (computed from the raw files in test_final_levels_match_raw_files, not trusted blindly).
LEVEL_CHANGERS = {
    "15": "paid",
    "16": "paid",
    "29": "paid",
    "36": "paid",
    "49": "paid",
    "80": "paid",
    "85": "paid",
    "88": "paid",
}


def raw_events(sample: Path) -> list[dict[str, object]]:
    events = []
    for path in sorted((sample / "log_data").rglob("*.json")):
        with path.open(encoding="utf-8") as fh:
            events += [json.loads(line) for line in fh if line.strip()]
    return events


def test_final_levels_match_raw_files(sample: Path) -> None:
    by_user: dict[str, list[dict[str, object]]] = {}
    for e in raw_events(sample):
        if e["userId"]:
            by_user.setdefault(str(e["userId"]), []).append(e)
    changers = {u for u, es in by_user.items() if len({e["level"] for e in es}) > 1}
    assert changers == set(LEVEL_CHANGERS)
    for user in changers:
        last = max(by_user[user], key=lambda e: (e["ts"], e["sessionId"], e["itemInSession"]))
        assert last["level"] == LEVEL_CHANGERS[user]


def test_sample_end_to_end(sample: Path, tmp_path: Path, warehouse_url: str) -> None:
    cfg = make_config(tmp_path, sample, warehouse_url)
    summary = pipeline.run(cfg)
    t = summary.transform
    assert t is not None and summary.merge is not None
    assert (t.events.files, t.events.records, t.events.rejected) == (30, 8056, 0)
    assert (t.songs.files, t.songs.records, t.songs.rejected) == (71, 71, 0)
    assert t.rejected_by_reason == {}
    assert (t.plays, t.songplays, t.matched) == (6820, 6820, 1)

    w = wh.connect(cfg.warehouse)
    counts = {table: row_count(w, table) for table in STAR}
    assert counts == {
        "songplays": 6820,
        "songs": 71,
        "artists": 69,
        "users": 97,
        "time": 6813,
        "events": 8056,
        "rejected_records": 0,
    }
    assert summary.merge.inserted == counts
    assert summary.merge.rebuilt == {"user_levels": 106, "play_skips": 6820, "sessions": 911}
    # The events fact keeps every page; logged-out events have no user, and each play's event row
    # carries its songplay_id.
    assert query(w, "SELECT COUNT(*) FROM events WHERE user_id IS NULL") == [(286,)]
    assert query(
        w,
        "SELECT COUNT(*) FROM songplays AS p JOIN events AS e ON e.event_id = p.songplay_id "
        "AND e.page = 'NextSong' AND e.user_id = p.user_id AND e.start_time = p.start_time",
    ) == [(6820,)]

    users = {row[0]: row for row in table_rows(w, "users")}
    assert {u: users[u][4] for u in LEVEL_CHANGERS} == LEVEL_CHANGERS
    # One row per distinct play instant: 7 instants are shared by two users' plays.
    plays = table_rows(w, "songplays")
    assert len({row[1] for row in plays}) == 6813
    matched = [row for row in plays if row[4] is not None]
    assert len(matched) == 1
    assert (matched[0][2], matched[0][4], matched[0][5]) == ("15", "SOZCTXZ12AB0182364", "AR5KOSW1187FB35FF4")
    assert matched[0][1] == dt.datetime(2018, 11, 21, 21, 56, 47, 796000)
    assert_derived_tables(w, sample)


def assert_derived_tables(w: wh.Warehouse, sample: Path) -> None:
    """user_levels, sessions and play_skips hold what the raw files say (docs/insights.md rules)."""
    levels = table_rows(w, "user_levels")  # (user_id, level, valid_from, valid_to, is_current) by user, time
    current = {r[0]: r[1] for r in levels if r[4]}
    assert len(current) == 97 == len([r for r in levels if r[4]])
    assert current == {r[0]: r[4] for r in table_rows(w, "users")}
    versions = Counter(r[0] for r in levels)
    assert {u for u, n in versions.items() if n >= 2} == set(LEVEL_CHANGERS)
    for a, b in itertools.pairwise(levels):
        if a[0] == b[0]:  # consecutive stretches of one user: they meet, alternate, never overlap
            assert (a[3], a[4], a[1] != b[1]) == (b[2], False, True), (a, b)
            assert a[2] < a[3]
    assert all(r[3] is None for r in levels if r[4])

    raw = [e for e in raw_events(sample) if e["userId"]]
    sessions = table_rows(w, "sessions")
    assert len(sessions) == len({(e["userId"], e["sessionId"]) for e in raw}) == 911
    assert sum(r[5] for r in sessions) == 6820  # plays
    assert sum(r[7] for r in sessions) == len(raw)  # pages: every logged-in event
    assert all(r[12] for r in sessions)  # every sample location names a known state
    # Skips: a play cut short by the session's next event (tolerance 1 s); a session's last play: NULL.
    skips = [r[3] for r in table_rows(w, "play_skips")]
    assert (len(skips), sum(s is not None for s in skips), sum(s is True for s in skips)) == (6820, 6151, 320)
    assert sum(r[6] for r in sessions) == 320


def test_songplays_equal_raw_nextsong_events(sample: Path, tmp_path: Path, duckdb_url: str) -> None:
    cfg = make_config(tmp_path, sample, duckdb_url)
    pipeline.run(cfg)
    w = wh.connect(cfg.warehouse)
    expected = Counter(
        (
            str(e["userId"]),
            dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=int(e["ts"])),
            e["level"],  # type: ignore[call-overload]
            e["sessionId"],
            e["location"],
            e["userAgent"],
        )
        for e in raw_events(sample)
        if e["page"] == "NextSong" and e["userId"]
    )
    got = Counter((r[2], r[1], r[3], r[6], r[7], r[8]) for r in table_rows(w, "songplays"))
    assert got == expected


def test_time_dimension_values(sample: Path, tmp_path: Path, duckdb_url: str) -> None:
    cfg = make_config(tmp_path, sample, duckdb_url)
    pipeline.run(cfg)
    rows = table_rows(wh.connect(cfg.warehouse), "time")
    assert len(rows) == 6813
    assert_time_rows(rows)


def assert_time_rows(rows: list[tuple[Any, ...]]) -> None:
    for start_time, hour, day, week, month, year, weekday, iso_year in rows:
        iso = start_time.isocalendar()
        assert (hour, day, month, year) == (start_time.hour, start_time.day, start_time.month, start_time.year)
        assert (week, weekday, iso_year) == (iso.week, iso.weekday, iso.year)  # ISO: 1 = Monday .. 7 = Sunday


def test_time_dimension_around_new_year(tmp_path: Path, duckdb_url: str) -> None:
    # 2020-12-28 .. 2021-01-06: ISO week 53 of 2020 runs into January, week 1 of 2021 starts on the 4th.
    from music_analytics.generator import GeneratorParams, generate

    generate(GeneratorParams(events=3000, seed=2, start=dt.date(2020, 12, 28), days=10), tmp_path / "raw")
    cfg = make_config(tmp_path, tmp_path / "raw", duckdb_url)
    pipeline.run(cfg)
    rows = table_rows(wh.connect(cfg.warehouse), "time")
    assert {(r[5], r[7]) for r in rows} == {(2020, 2020), (2021, 2020), (2021, 2021)}
    assert_time_rows(rows)


def test_rerun_is_idempotent(sample: Path, tmp_path: Path, warehouse_url: str) -> None:
    cfg = make_config(tmp_path, sample, warehouse_url)
    pipeline.run(cfg)
    w = wh.connect(cfg.warehouse)
    before = {t: table_rows(w, t) for t in WAREHOUSE_TABLES}
    # The ledger knows every file is loaded and unchanged: nothing is read, nothing written.
    second = pipeline.run(cfg)
    assert second.status == "skipped" and second.merge is None and second.transform is None
    assert second.plan is not None and (second.plan.files_read, second.plan.unchanged) == (0, 101)
    # Forced to read everything again (--reload), the merge finds nothing to change either.
    third = pipeline.run(with_settings(cfg, reload=True))
    assert third.merge is not None and third.plan is not None and third.plan.files_read == 101
    assert sum(third.merge.inserted.values()) == 0
    assert sum(third.merge.updated.values()) == 0
    assert {t: table_rows(w, t) for t in WAREHOUSE_TABLES} == before


def test_duckdb_and_postgres_hold_identical_tables(sample: Path, tmp_path: Path, pg_url: str) -> None:
    duck = make_config(tmp_path / "duck", sample, f"duckdb:///{tmp_path / 'w.duckdb'}")
    pg = make_config(tmp_path / "pg", sample, pg_url)
    pipeline.run(duck)
    pipeline.run(pg)
    for table in STAR:
        assert table_rows(wh.connect(duck.warehouse), table) == table_rows(wh.connect(pg.warehouse), table), table


@pytest.mark.parametrize("split", ["2018-11-20"])
def test_loading_older_days_later_never_regresses_levels(
    sample: Path, tmp_path: Path, warehouse_url: str, split: str
) -> None:
    day = dt.date.fromisoformat(split)
    late_first = make_config(tmp_path, sample, warehouse_url, start=day, end=dt.date(2018, 11, 30))
    pipeline.run(late_first)
    older = make_config(tmp_path, sample, warehouse_url, start=dt.date(2018, 11, 1), end=day - dt.timedelta(days=1))
    pipeline.run(older)
    w = wh.connect(late_first.warehouse)
    one_shot = make_config(tmp_path / "oneshot", sample, f"duckdb:///{tmp_path / 'oneshot.duckdb'}")
    pipeline.run(one_shot)
    ref = wh.connect(one_shot.warehouse)
    for table in STAR:
        assert table_rows(w, table) == table_rows(ref, table), table
