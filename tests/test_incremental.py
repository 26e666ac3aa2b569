"""Production behaviour without an orchestrator: daily runs, the run ledger, backfills, late data, the lock.

Expected counts are computed here from the raw JSON of the sample, not taken from the pipeline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from music_analytics import pipeline
from music_analytics import warehouse as wh
from music_analytics.config import Config, WarehouseURL
from music_analytics.errors import QualityGateError, WarehouseError
from music_analytics.pipeline import Hooks
from tests.helpers import (
    append,
    copy_of,
    count,
    day_file,
    event,
    line,
    make_config,
    one_shot,
    plays_in,
    query,
    song,
    tables,
    with_settings,
)

DAY = dt.date(2018, 11, 15)


def test_a_daily_run_reads_its_day_and_new_song_files_only(sample: Path, tmp_path: Path, warehouse_url: str) -> None:
    first = pipeline.run(make_config(tmp_path, sample, warehouse_url, start=DAY, end=DAY))
    assert first.status == "succeeded" and first.plan is not None
    # 71 song files (all new) + the day's event file; the 2 lookback days were never loaded: left alone.
    assert (first.plan.files_read, first.plan.new, first.plan.lookback_never_loaded) == (72, 72, 2)
    cfg = make_config(tmp_path, sample, warehouse_url, start=DAY, end=DAY)
    assert count(cfg, "SELECT COUNT(*) FROM songplays") == plays_in(day_file(sample, DAY))

    # The ledger holds each file with the SHA-256 of its content.
    ledger = dict(query(wh.connect(cfg.warehouse), "SELECT source_file, checksum FROM loaded_files"))
    assert len(ledger) == 72
    rel = f"log_data/2018/11/{DAY}-events.json"
    assert ledger[rel] == hashlib.sha256(day_file(sample, DAY).read_bytes()).hexdigest()

    nxt = DAY + dt.timedelta(days=1)
    second = pipeline.run(make_config(tmp_path, sample, warehouse_url, start=nxt, end=nxt))
    assert second.plan is not None
    # Only the new day's file; the songs and the 15th are unchanged; the 14th was never loaded.
    assert (second.plan.files_read, second.plan.unchanged, second.plan.lookback_never_loaded) == (1, 72, 1)
    assert second.transform is not None and second.transform.songs.files == 0
    assert count(cfg, "SELECT COUNT(*) FROM songplays") == (
        plays_in(day_file(sample, DAY)) + plays_in(day_file(sample, nxt))
    )
    assert count(cfg, "SELECT COUNT(*) FROM songs") == 71

    # A rerun of the day reads nothing and is recorded as skipped.
    before = tables(cfg)
    again = pipeline.run(make_config(tmp_path, sample, warehouse_url, start=nxt, end=nxt))
    assert again.status == "skipped" and again.transform is None
    assert tables(cfg) == before
    runs = query(
        wh.connect(cfg.warehouse),
        "SELECT status, first_day, files_loaded, files_unchanged, songplays_inserted FROM pipeline_runs "
        "ORDER BY started_at",
    )
    assert runs == [
        ("succeeded", DAY, 72, 0, plays_in(day_file(sample, DAY))),
        ("succeeded", nxt, 1, 72, plays_in(day_file(sample, nxt))),
        ("skipped", nxt, 0, 73, None),
    ]


def test_backfill_equals_a_one_shot_load_and_a_second_backfill_changes_nothing(
    sample: Path, tmp_path: Path, warehouse_url: str
) -> None:
    cfg = make_config(tmp_path, sample, warehouse_url, start=dt.date(2018, 11, 1), end=dt.date(2018, 11, 30))
    days = pipeline.backfill(cfg)
    assert [s.first_day for s in days] == [dt.date(2018, 11, d) for d in range(1, 31)]
    assert [s.plan.files_read for s in days if s.plan] == [72] + [1] * 29
    assert all(s.status == "succeeded" for s in days)
    # The one matched play is on the 21st: matched against songs loaded on the 1st (the catalogue).
    assert count(cfg, "SELECT COUNT(*) FROM songplays WHERE song_id IS NOT NULL") == 1
    assert tables(cfg) == one_shot(tmp_path, sample)
    assert count(cfg, "SELECT COUNT(*) FROM songplays") == sum(
        plays_in(p) for p in sorted((sample / "log_data").rglob("*.json"))
    )

    again = pipeline.backfill(cfg)
    assert {s.status for s in again} == {"skipped"}
    assert count(cfg, "SELECT COUNT(*) FROM pipeline_runs") == 60


@pytest.fixture(scope="module")
def generated_month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated month whose plays nearly all match catalogue songs (the sample matches 1 play)."""
    from music_analytics.generator import GeneratorParams, generate

    root = tmp_path_factory.mktemp("generated-month")
    generate(GeneratorParams(events=6000, seed=3, days=30), root)
    return root


def test_a_generated_month_loaded_day_by_day_with_both_gates_equals_a_one_shot_load(
    generated_month: Path, tmp_path: Path, warehouse_url: str, gx: None
) -> None:
    # Day 2 on matches its plays against the songs day 1 loaded: the lake gate must see them as
    # published (it once took every such match for a dangling reference and blocked the day).
    days = 10
    first = dt.date(2018, 11, 1)
    cfg = make_config(
        tmp_path,
        generated_month,
        warehouse_url,
        start=first,
        end=first + dt.timedelta(days=days - 1),
        quality_gates="lake,warehouse",
    )
    runs = pipeline.backfill(cfg)
    assert [s.status for s in runs] == ["succeeded"] * days
    assert all(g.passed and not g.warnings for s in runs for g in s.quality)
    assert [len(s.quality) for s in runs] == [2] * days
    matched = count(cfg, "SELECT COUNT(song_id) * 1.0 / COUNT(*) FROM songplays")
    assert matched > 0.9
    assert tables(cfg) == one_shot(tmp_path, generated_month, start=cfg.pipeline.start, end=cfg.pipeline.end)


def test_days_loaded_out_of_order_equal_a_one_shot_load(sample: Path, tmp_path: Path, duckdb_url: str) -> None:
    order = [
        21,
        30,
        1,
        15,
        2,
        29,
        10,
        20,
        3,
        28,
        4,
        27,
        5,
        26,
        6,
        25,
        7,
        24,
        8,
        23,
        9,
        22,
        11,
        19,
        12,
        18,
        13,
        17,
        14,
        16,
    ]
    assert sorted(order) == list(range(1, 31))
    for d in order:
        day = dt.date(2018, 11, d)
        pipeline.run(make_config(tmp_path, sample, duckdb_url, start=day, end=day))
    assert tables(make_config(tmp_path, sample, duckdb_url)) == one_shot(tmp_path, sample)


def test_backfill_stops_at_the_failing_day_and_resumes_there(
    sample: Path, tmp_path: Path, duckdb_url: str, gx: None, faulty_transform: Callable[..., None]
) -> None:
    bad_day = dt.date(2018, 11, 5)
    # The transform goes wrong on the 5th (a play at level "gold"), until it is fixed.
    faulty = True
    faulty_transform(when=lambda lake: faulty and _batch_holds(lake, day_file(sample, bad_day).name))

    cfg = make_config(
        tmp_path, sample, duckdb_url, start=dt.date(2018, 11, 1), end=dt.date(2018, 11, 7), quality_gates="lake"
    )
    with pytest.raises(QualityGateError) as failure:
        pipeline.backfill(cfg)
    message = str(failure.value)
    assert "backfill stopped at 2018-11-05 (day 5 of 7)" in message
    assert "2018-11-01..2018-11-04 are loaded" in message
    assert "expect_column_values_to_be_in_set(level): 1 unexpected" in message
    loaded = query(wh.connect(cfg.warehouse), "SELECT first_day, status FROM pipeline_runs ORDER BY started_at")
    assert loaded == [(dt.date(2018, 11, d), "succeeded") for d in range(1, 5)] + [(bad_day, "failed")]

    faulty = False  # the transform is fixed
    resumed = pipeline.backfill(cfg)
    assert [s.status for s in resumed] == ["skipped"] * 4 + ["succeeded"] * 3
    week = with_settings(cfg, quality_gates=())
    assert tables(week) == one_shot(tmp_path, sample, start=cfg.pipeline.start, end=cfg.pipeline.end)


def _batch_holds(lake: Path, file_name: str) -> bool:
    import duckdb

    from music_analytics import lake as lake_mod

    pattern = f"{lake_mod.batch(lake)}/events/**/*.parquet"
    found = duckdb.sql(f"SELECT COUNT(*) FROM read_parquet('{pattern}') WHERE source_file LIKE '%{file_name}'")
    return found.fetchall() != [(0,)]


def test_late_events_are_merged_once(sample: Path, tmp_path: Path, warehouse_url: str) -> None:
    source = copy_of(sample, tmp_path)
    d15, d16, d17 = (dt.date(2018, 11, d) for d in (15, 16, 17))
    for day in (d15, d16):
        pipeline.run(make_config(tmp_path, source, warehouse_url, start=day, end=day))
    cfg = make_config(tmp_path, source, warehouse_url)
    loaded = count(cfg, "SELECT COUNT(*) FROM songplays")

    # A late event for the 15th arrives in the 17th's file, next to a copy of an event already loaded.
    play15 = json.loads(next(x for x in day_file(source, d15).read_text().splitlines() if '"NextSong"' in x))
    late = {**play15, "ts": play15["ts"] + 1000, "itemInSession": 9999}
    seen16 = next(x for x in day_file(source, d16).read_text().splitlines() if '"NextSong"' in x)
    append(day_file(source, d17), json.dumps(late), seen16)
    run17 = pipeline.run(make_config(tmp_path, source, warehouse_url, start=d17, end=d17))
    assert run17.plan is not None and run17.plan.files_read == 1
    expected = loaded + plays_in(day_file(source, d17)) - 1  # the copy of the 16th's event is not a new play
    assert count(cfg, "SELECT COUNT(*) FROM songplays") == expected
    late_start = dt.datetime.fromtimestamp(late["ts"] / 1000, dt.UTC).replace(tzinfo=None)
    assert count(cfg, f"SELECT COUNT(*) FROM songplays WHERE start_time = '{late_start}'") == 1

    # Late data appended to the 16th's own file after it was loaded: the 18th's run looks back two
    # days, finds the file changed and reads it again; its old events are not counted twice.
    play16 = json.loads(seen16)
    late2 = {**play16, "ts": play16["ts"] + 2000, "itemInSession": 9998}
    append(day_file(source, d16), json.dumps(late2))
    d18 = dt.date(2018, 11, 18)
    run18 = pipeline.run(make_config(tmp_path, source, warehouse_url, start=d18, end=d18))
    assert run18.plan is not None
    assert (run18.plan.files_read, run18.plan.changed, run18.plan.lookback_changed) == (2, 1, 1)
    assert count(cfg, "SELECT COUNT(*) FROM songplays") == expected + 1 + plays_in(day_file(source, d18))
    checksums = query(
        wh.connect(cfg.warehouse),
        f"SELECT COUNT(DISTINCT checksum) FROM loaded_files WHERE source_file LIKE '%{d16}-events.json'",
    )
    assert checksums == [(2,)]

    # With no lookback, a changed earlier file is not read by a later day's run.
    late3 = {**play16, "ts": play16["ts"] + 3000, "itemInSession": 9997}
    append(day_file(source, d17), json.dumps(late3))
    d19 = dt.date(2018, 11, 19)
    run19 = pipeline.run(make_config(tmp_path, source, warehouse_url, start=d19, end=d19, lookback_days=0))
    assert run19.plan is not None and (run19.plan.files_read, run19.plan.changed) == (1, 0)


def test_a_reloaded_file_drops_rejections_its_new_content_no_longer_gives(
    sample: Path, tmp_path: Path, duckdb_url: str
) -> None:
    source = copy_of(sample, tmp_path)
    path = day_file(source, DAY)
    clean = path.read_text()
    lines = clean.splitlines()
    broken = "\n".join([lines[0][:-5], *lines[1:]]) + "\n"  # the first record cut short: not JSON
    path.write_text(broken)
    cfg = make_config(tmp_path, source, duckdb_url, start=DAY, end=DAY)
    pipeline.run(cfg)
    assert query(wh.connect(cfg.warehouse), "SELECT line_number, reason FROM rejected_records") == [(1, "not_json")]

    path.write_text(clean)
    fixed = pipeline.run(cfg)
    assert fixed.plan is not None and fixed.plan.changed == 1
    assert count(cfg, "SELECT COUNT(*) FROM rejected_records") == 0
    assert count(cfg, "SELECT COUNT(*) FROM songplays") == plays_in(path)


def _run_in_process(cfg: Config, barrier: Any, results: Any) -> None:
    messages: list[str] = []
    barrier.wait()  # both runs start together
    summary = pipeline.run(cfg, Hooks(messages.append))
    results.put((summary.status, any(m.startswith("waiting for the warehouse lock") for m in messages)))


def test_two_concurrent_runs_take_turns(sample: Path, tmp_path: Path, warehouse_url: str) -> None:
    cfgs = [make_config(tmp_path / f"run{i}", sample, warehouse_url) for i in (1, 2)]
    # Two processes, as two workers would run them; the same warehouse, separate lakes.
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier, results = manager.Barrier(2), manager.Queue()
        procs = [ctx.Process(target=_run_in_process, args=(cfg, barrier, results)) for cfg in cfgs]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=300)
        assert [proc.exitcode for proc in procs] == [0, 0]
        outcomes = sorted(results.get(timeout=5) for _ in procs)
    # One loaded everything; the other waited for the lock, then found nothing new to read.
    assert outcomes == [("skipped", True), ("succeeded", False)]
    assert tables(cfgs[0]) == one_shot(tmp_path, sample)
    assert count(cfgs[0], "SELECT COUNT(*) FROM loaded_files") == 101


def test_a_run_that_cannot_get_the_lock_in_time_fails_naming_the_holder(
    sample: Path, tmp_path: Path, warehouse_url: str
) -> None:
    cfg = make_config(tmp_path, sample, warehouse_url, lock_timeout=1)
    wh.connect(cfg.warehouse).create_schema()
    holder = wh.connect(WarehouseURL.parse(warehouse_url)).lock("run nightly-42 on host-a")
    assert holder.try_acquire()
    try:
        with pytest.raises(WarehouseError, match=r"another pipeline run holds the lock: run nightly-42 on host-a"):
            pipeline.run(cfg)
    finally:
        holder.release()
    assert count(cfg, "SELECT COUNT(*) FROM songplays") == 0
    assert pipeline.run(cfg).status == "succeeded"  # free again


def test_a_failed_run_is_in_the_ledger_with_its_error_and_no_secret(tmp_path: Path, duckdb_url: str) -> None:
    from music_analytics import secrets
    from music_analytics.errors import SourceError

    secret = "s3ntinel-in-a-path-7d1"
    secrets.register(secret)
    cfg = make_config(tmp_path, tmp_path / secret, duckdb_url)
    with pytest.raises(SourceError, match="not a readable folder"):
        pipeline.run(cfg)
    ((status, files_loaded, error),) = query(
        wh.connect(cfg.warehouse), "SELECT status, files_loaded, error FROM pipeline_runs"
    )
    assert (status, files_loaded) == ("failed", 0)
    assert "not a readable folder" in error and secret not in error


def test_a_run_from_another_source_stops_and_a_moved_source_is_rebound(
    sample: Path, tmp_path: Path, warehouse_url: str
) -> None:
    from music_analytics.ledger import SourceMismatch

    first = copy_of(sample, tmp_path)
    pipeline.run(make_config(tmp_path, first, warehouse_url, start=DAY, end=DAY))
    cfg = make_config(tmp_path, first, warehouse_url)
    before = tables(cfg)

    # Another dataset whose files have the same names (log_data/2018/11/2018-11-15-events.json).
    other = tmp_path / "other"
    from music_analytics.generator import GeneratorParams, generate

    generate(GeneratorParams(events=3000, seed=5, start=DAY, days=1), other)
    with pytest.raises(SourceMismatch) as refused:
        pipeline.run(make_config(tmp_path, other, warehouse_url, start=DAY, end=DAY))
    message = str(refused.value)
    assert f"holds the data of source {first}" in message and f"not of {other}" in message
    assert "--source-moved" in message and "\n" not in message
    assert tables(cfg) == before

    # The same data in a new place: refused too, until the run says the source moved.
    moved = tmp_path / "moved"
    first.rename(moved)
    with pytest.raises(SourceMismatch):
        pipeline.run(make_config(tmp_path, moved, warehouse_url, start=DAY, end=DAY))
    rebound = pipeline.run(make_config(tmp_path, moved, warehouse_url, start=DAY, end=DAY, source_moved=True))
    assert rebound.status == "skipped" and rebound.plan is not None and rebound.plan.unchanged == 72
    nxt = DAY + dt.timedelta(days=1)
    later = pipeline.run(make_config(tmp_path, moved, warehouse_url, start=nxt, end=nxt))
    assert later.status == "succeeded" and later.plan is not None and later.plan.files_read == 1
    assert count(cfg, "SELECT COUNT(*) FROM songplays") == (
        plays_in(day_file(moved, DAY)) + plays_in(day_file(moved, nxt))
    )


def test_a_changed_file_older_than_the_lookback_window_is_reported(
    sample: Path, tmp_path: Path, duckdb_url: str
) -> None:
    from music_analytics.summary import format_summary

    source = copy_of(sample, tmp_path)
    d10 = dt.date(2018, 11, 10)
    for day in (d10, DAY):
        pipeline.run(make_config(tmp_path, source, duckdb_url, start=day, end=day))
    event = json.loads(next(x for x in day_file(source, d10).read_text().splitlines() if '"NextSong"' in x))
    append(day_file(source, d10), json.dumps({**event, "ts": event["ts"] + 1, "itemInSession": 9990}))

    messages: list[str] = []
    nxt = DAY + dt.timedelta(days=1)
    run = pipeline.run(make_config(tmp_path, source, duckdb_url, start=nxt, end=nxt), Hooks(messages.append))
    assert run.plan is not None and run.plan.stale == ("log_data/2018/11/2018-11-10-events.json",)
    warning = (
        "1 loaded event file(s) older than the lookback window changed since they were loaded and were not "
        "read (e.g. log_data/2018/11/2018-11-10-events.json): load them with --start 2018-11-10 --end "
        "2018-11-10, or raise --lookback-days"
    )
    assert f"warning: {warning}" in messages
    assert f"warning    {warning}" in format_summary(run)
    # Loading that day again picks the change up, and the warning is gone.
    again = pipeline.run(make_config(tmp_path, source, duckdb_url, start=d10, end=d10))
    assert again.plan is not None and again.plan.changed == 1 and again.plan.stale == ()


# -- order independence: conflicting records in files loaded by different runs -------------------------

_CONFLICT_FILES: dict[str, str] = {
    # The same song_id in two files (the first by path wins), and an artist whose variants differ.
    "song_data/A/A/A/TRA1.json": json.dumps(
        song(song_id="SOX", title="First", artist_id="ARV", artist_location="Here")
    ),
    "song_data/B/B/B/TRB1.json": json.dumps(
        song(song_id="SOX", title="Second", artist_id="ARV", artist_location="There")
    ),
    "song_data/C/C/C/TRC1.json": json.dumps(
        song(song_id="SOY", title="Other", artist_id="ARV", artist_location="There")
    ),
    # The same event (natural key) in two day files, with another level: the first by file wins.
    "log_data/2018/11/2018-11-01-events.json": line(event(itemInSession=1, level="free"))
    + "\n"
    + line(event(itemInSession=2, ts=1541106107796))
    + "\n",
    "log_data/2018/11/2018-11-02-events.json": line(event(itemInSession=1, level="paid", location="Elsewhere, TX"))
    + "\n"
    + line(event(itemInSession=3, ts=1541192506796))
    + "\n",
}


def _write(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_CONFLICT_FILES[name])


def _lake_rows(cfg: Config) -> dict[str, list[tuple[Any, ...]]]:
    import duckdb

    con = duckdb.connect()
    return {
        t: con.execute(
            f"SELECT * FROM read_parquet('{cfg.lake_path}/{t}/**/*.parquet', hive_partitioning = true) ORDER BY ALL"
        ).fetchall()
        for t in ("songs", "artists", "events", "songplays", "rejected_records", "input_files", "users")
    }


@pytest.mark.parametrize(
    "runs",
    [
        # the files that sort first arrive last
        [
            ["song_data/B/B/B/TRB1.json", "song_data/C/C/C/TRC1.json", "log_data/2018/11/2018-11-02-events.json"],
            ["song_data/A/A/A/TRA1.json", "log_data/2018/11/2018-11-01-events.json"],
        ],
        # in path order, one file a run
        [[name] for name in sorted(_CONFLICT_FILES)],
        # the artist's other song arrives alone, after the conflict was settled
        [
            ["song_data/A/A/A/TRA1.json", "song_data/B/B/B/TRB1.json", "log_data/2018/11/2018-11-02-events.json"],
            ["song_data/C/C/C/TRC1.json", "log_data/2018/11/2018-11-01-events.json"],
        ],
    ],
    ids=["last-first", "one-file-a-run", "artist-later"],
)
def test_conflicting_records_give_the_same_tables_however_the_files_are_split_into_runs(
    tmp_path: Path, runs: list[list[str]], warehouse_url: str
) -> None:
    one_root = tmp_path / "one"
    _write(one_root, sorted(_CONFLICT_FILES))
    one = make_config(tmp_path / "one-run", one_root, f"duckdb:///{tmp_path / 'one.duckdb'}")
    pipeline.run(one)
    expected = tables(one)
    expected_lake = _lake_rows(one)
    reasons = {(r[0], r[3]) for r in expected["rejected_records"]}
    assert reasons == {
        ("song_data/B/B/B/TRB1.json", "duplicate_song"),
        ("log_data/2018/11/2018-11-02-events.json", "duplicate_event"),
    }

    split_root = tmp_path / "split"
    (split_root / "song_data").mkdir(parents=True)
    (split_root / "log_data").mkdir(parents=True)
    split = make_config(tmp_path / "split-run", split_root, warehouse_url)
    for names in runs:
        _write(split_root, names)
        assert pipeline.run(split).status == "succeeded"
    assert tables(split) == expected
    assert _lake_rows(split) == expected_lake
    # And nothing new afterwards: the files read again were recorded in the ledger.
    assert pipeline.run(split).status == "skipped"
