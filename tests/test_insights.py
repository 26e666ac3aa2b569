"""Every insight of docs/insights.md on a real DuckDB file and a real PostgreSQL database, against
the independent Python oracle in tests/insights_expected.py.

Two datasets: the real sample, and a generated one (music_analytics.generator) because the sample
has no Roll Advert, Thumbs Up, Add to Playlist, Cancel or Cancellation Confirmation event, no guest
and no catalogue match to speak of, so adverts, the cancel funnel, the export's thumbs_up and
playlist_adds and match_rate would otherwise only ever be compared as zeros. The generated files
also carry injected faults (duplicates, malformed lines, a BOM, numbers as titles), so the oracle's
"accepted events" are checked against the pipeline's too.

Each dataset is loaded once per warehouse kind for the whole module and every test only reads it.
Results are compared in full: the same columns in order, the same rows in the spec's order (as a
multiset only where the spec gives no order), ints exactly, floats to rel 1e-9.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from music_analytics import insights, pipeline
from music_analytics import warehouse as wh
from music_analytics.generator import GeneratorParams, generate
from tests.helpers import PG_HOST, PG_PORT, fresh_pg_database, make_config, need
from tests.insights_expected import INTERACTION_COLUMNS, QUESTIONS, UNORDERED, Answer, Oracle

# A period inside the sample (Monday 2018-11-05 .. Sunday 2018-11-11): it cuts sessions, windows
# and cohorts, so period handling shows in every question.
PERIOD = (dt.date(2018, 11, 5), dt.date(2018, 11, 11))
# Columns that hold a UTC day or a week's Monday.
DATE_COLUMNS = frozenset({"day", "cohort_week", "activity_week"})


@pytest.fixture(scope="module", params=["sample", "generated"])
def dataset(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The raw files: the real sample, or ~20k generated events (all 22 pages) with 1% faults."""
    if request.param == "sample":
        path: Path = request.getfixturevalue("sample")
        return path
    root = tmp_path_factory.mktemp("insights-generated") / "raw"
    generate(GeneratorParams(events=20_000, seed=5, fault_rate=0.01), root)
    return root


@pytest.fixture(scope="module")
def oracle(dataset: Path) -> Oracle:
    return Oracle.load(dataset)


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def warehouse(
    request: pytest.FixtureRequest,
    dataset: Path,
    oracle: Oracle,
    tmp_path_factory: pytest.TempPathFactory,
    pg_available: bool,
) -> Iterator[wh.Warehouse]:
    """The dataset loaded through the pipeline into a fresh warehouse, once per kind per module."""
    tmp = tmp_path_factory.mktemp(f"insights-{request.param}")
    with contextlib.ExitStack() as stack:
        if request.param == "duckdb":
            url = f"duckdb:///{tmp / 'warehouse.duckdb'}"
        else:
            need(pg_available, f"PostgreSQL on {PG_HOST}:{PG_PORT}")
            # One database for every test of the module (conftest's pg_url is per test).
            url = stack.enter_context(fresh_pg_database())
        cfg = make_config(tmp, dataset, url)
        summary = pipeline.run(cfg)
        # The load itself is tested in test_sample.py / test_generated.py; here the oracle's idea of
        # the accepted events (dedupe, rejects) must be the pipeline's, or nothing below means much.
        t = summary.transform
        assert t is not None
        assert t.events.records - t.events.rejected == len(oracle.events)
        assert t.songplays == sum(e.is_play for e in oracle.events)
        yield wh.connect(cfg.warehouse)


@pytest.fixture(scope="module")
def report(warehouse: wh.Warehouse) -> Any:
    return insights.run(warehouse, start=None, end=None, limit=10)


@pytest.fixture(scope="module")
def period_report(warehouse: wh.Warehouse) -> Any:
    return insights.run(warehouse, start=PERIOD[0], end=PERIOD[1], limit=10)


def normalise(column: str, value: Any) -> Any:
    """A database value as the oracle's Python type.

    - Decimal -> float: PostgreSQL returns NUMERIC for SUM() of integers and for some divisions; the
      oracle compares the value, so 5 == Decimal 5 and ratios to 1e-9 either way.
    - datetime -> date, for the day/week columns only: PostgreSQL's date_trunc returns a timestamp
      where DuckDB may return a DATE. It must then be exactly midnight (a time part would mean the
      SQL grouped on something finer than a day, which must fail, not be truncated away here).
    - any other datetime is left as is and so fails against the oracle's date.
    """
    if isinstance(value, Decimal):
        return float(value)
    if column in DATE_COLUMNS and isinstance(value, dt.datetime):
        assert value.time() == dt.time(0), f"{column} = {value} is not a whole day"
        return value.date()
    return value


def expected_rows(answer: Answer) -> list[tuple[Any, ...]]:
    """The oracle's rows with floats wrapped in pytest.approx (ints, strings, dates stay exact)."""
    return [tuple(pytest.approx(v, rel=1e-9) if isinstance(v, float) else v for v in row) for row in answer.rows]


def assert_integer_types(name: str, columns: Any, rows: list[Any], expected: list[tuple[Any, ...]]) -> None:
    """Where the oracle has a count or rank, the database must return an integer (int, or an
    integral Decimal from PostgreSQL's NUMERIC), not a float: 2.0 == 2 would pass the value check,
    but one database printing "2.0" where the other prints "2" is a difference in the answer."""
    int_columns = [
        i
        for i in range(len(columns))
        if expected and all(isinstance(r[i], int) and not isinstance(r[i], bool) for r in expected)
    ]
    for n, row in enumerate(rows):
        for i in int_columns:
            got = row[i]
            integral = isinstance(got, int) or (isinstance(got, Decimal) and got == got.to_integral_value())
            assert integral, f"{name} row {n} {columns[i]}: {got!r} is not an integer"


def assert_same(name: str, result: Any, answer: Answer) -> None:
    """The full result equals the oracle's answer: columns in order, then every row."""
    assert tuple(result.columns) == answer.columns, name
    assert_integer_types(name, result.columns, result.rows, answer.rows)
    got = [tuple(normalise(c, v) for c, v in zip(result.columns, row, strict=True)) for row in result.rows]
    want = expected_rows(answer)
    if name in UNORDERED:
        # No order in the spec: compare sorted copies. Sorting on the key columns is safe because
        # they hold no floats (the heatmap is all ints).
        got, want = sorted(got, key=lambda r: r[:2]), sorted(want, key=lambda r: r[:2])
    assert len(got) == len(want), f"{name}: {len(got)} rows, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g == w, f"{name} row {i}: got {g}, expected {w}"


# ---------------------------------------------------------------------------------------------
# One test per question, on both warehouses, all data and one period.


@pytest.mark.parametrize("name", QUESTIONS)
def test_answer_equals_oracle(name: str, report: Any, oracle: Oracle) -> None:
    assert_same(name, report.result(name), oracle.answer(name))


@pytest.mark.parametrize("name", QUESTIONS)
def test_period_answer_equals_oracle(name: str, period_report: Any, report: Any, oracle: Oracle) -> None:
    """The same with --start/--end: each answer sees only the period's events."""
    expected = oracle.answer(name, *PERIOD)
    assert_same(name, period_report.result(name), expected)
    # Not vacuous: the period changes the answer (the sample spans the whole of November).
    assert expected.rows != oracle.answer(name).rows, name


def test_period_bounds_are_inclusive_days(period_report: Any) -> None:
    """[start 00:00, end+1 00:00): the first and last day are both in, nothing outside."""
    days = [normalise("day", r[0]) for r in period_report.result("daily_listening").rows]
    assert days == [PERIOD[0] + dt.timedelta(days=i) for i in range(7)]
    au_days = [normalise("day", r[0]) for r in period_report.result("active_users").rows]
    assert au_days == days


@pytest.mark.parametrize("limit", [1, 3])
def test_top_limit(limit: int, warehouse: wh.Warehouse, oracle: Oracle) -> None:
    """{{limit}}: rows ranked within the top N by plays OR by minutes."""
    rep = insights.run(warehouse, start=None, end=None, limit=limit)
    sizes = []
    for name in ("top_songs", "top_artists"):
        expected = oracle.answer(name, limit=limit)
        assert_same(name, rep.result(name), expected)
        sizes.append(len(expected.rows))
    # Not vacuous: the minutes ranking adds rows outside the top N by plays somewhere.
    assert min(sizes) >= limit and max(sizes) > limit, sizes


# ---------------------------------------------------------------------------------------------
# Headline figures of the sample, asserted outright so neither side can agree on nothing.


@pytest.mark.parametrize("dataset", ["sample"], indirect=True)
def test_sample_headline_figures(report: Any, oracle: Oracle) -> None:
    """Figures known of the sample (docs/data-notes.md, test_sample.py), on both sides."""
    for source, get in (
        ("oracle", lambda n: oracle.answer(n).records()),
        ("sql", lambda n: report.result(n).records()),
    ):
        daily = get("daily_listening")
        assert sum(r["plays"] for r in daily) == 6820, source  # NextSong events of known users
        assert len(daily) == 30, source
        assert get("sessions")[0]["users"] == 97, source
        assert get("active_users")[-1]["mau"] == 97, source  # Nov 30's 30-day window is the month
        top = get("top_songs")[0]
        assert (top["rank_by_plays"], top["song"], top["artist"], top["plays"]) == (
            1,
            "You're The One",
            "Dwight Yoakam",
            37,
        ), source
        assert sum(r["matched_plays"] for r in get("match_rate")) == 1, source
        funnel = [(r["funnel"], r["step"], r["users"]) for r in get("funnels")]
        assert funnel == [
            ("upgrade", 1, 15),
            ("upgrade", 2, 8),
            ("downgrade", 1, 17),
            ("downgrade", 2, 1),
            ("cancel", 1, 0),
            ("cancel", 2, 0),
        ], source
        assert sum(r["plays"] for r in get("listening_heatmap")) == 6820, source
        # A session lasts to the end of its last song (its first event to its last event was 29.6 minutes on
        # average; 177 sessions are one play and lasted 0 that way).
        session = get("sessions")[0]
        assert session["sessions"] == 911 and session["avg_session_minutes"] == pytest.approx(33.110186, abs=1e-6)
        assert len(get("active_users")) == 30, source
        # Three cohorts, all registered before the first week, so 3 x 5 weeks; sizes over all data.
        retention = get("retention")
        assert len(retention) == 15, source
        assert {r["cohort_week"]: r["cohort_users"] for r in retention} == {
            dt.date(2018, 10, 15): 6,
            dt.date(2018, 10, 22): 27,
            dt.date(2018, 10, 29): 64,
        }, source
        # Shown repaired: the log has "Bj\u00c3\u0083\u00c2\u00b6rk".
        second = get("top_songs")[1]
        assert (second["rank_by_plays"], second["song"], second["artist"], second["plays"]) == (
            2,
            "Undo",
            "Bj\u00f6rk",
            28,
        ), source


@pytest.mark.parametrize("dataset", ["sample"], indirect=True)
def test_sample_period_figures(period_report: Any, oracle: Oracle) -> None:
    """The period (Nov 5-11) chooses the days reported, not the windows: WAU and MAU on its first day and the
    cohorts' sizes count the events before it."""
    for source, get in (
        ("oracle", lambda n: oracle.answer(n, *PERIOD).records()),
        ("sql", lambda n: period_report.result(n).records()),
    ):
        first = get("active_users")[0]
        assert (first["day"], first["dau"], first["wau"], first["mau"]) == (PERIOD[0], 29, 58, 58), source
        assert [
            (r["cohort_week"], r["activity_week"], r["cohort_users"], r["active_users"]) for r in get("retention")
        ] == [
            (dt.date(2018, 10, 15), PERIOD[0], 6, 5),
            (dt.date(2018, 10, 22), PERIOD[0], 27, 20),
            (dt.date(2018, 10, 29), PERIOD[0], 64, 50),
        ], source
        session = get("sessions")[0]
        assert session["sessions"] == 222 and session["avg_session_minutes"] == pytest.approx(24.854162, abs=1e-6)


@pytest.mark.parametrize("dataset", ["generated"], indirect=True)
def test_generated_data_exercises_what_the_sample_lacks(oracle: Oracle) -> None:
    """The generated comparison is only worth having if these are not zero."""
    # The generator leaves one day in the middle without events: a calendar row of zeros (and no match rate).
    empty = [r for r in oracle.answer("daily_listening").records() if r["plays"] == 0]
    assert [r["day"] for r in empty] == [dt.date(2018, 11, 18)]
    assert [r for r in oracle.answer("match_rate").records() if r["match_rate"] is None] == [
        {"day": dt.date(2018, 11, 18), "plays": 0, "matched_plays": 0, "match_rate": None}
    ]
    free_vs_paid = {r["level"]: r for r in oracle.answer("free_vs_paid").records()}
    assert free_vs_paid["free"]["adverts"] > 0
    funnels = {(r["funnel"], r["step"]): r["users"] for r in oracle.answer("funnels").records()}
    assert all(funnels[(f, s)] > 0 for f in ("upgrade", "downgrade", "cancel") for s in (1, 2)), funnels
    assert sum(r["matched_plays"] for r in oracle.answer("match_rate").records()) > 0
    assert any(e.user_id is None and e.page == "Register" for e in oracle.events)  # guests
    split = oracle.interactions(oracle.default_split_at())
    for col in (5, 6):  # thumbs_up, playlist_adds
        assert sum(r[col] for r in split["train"]) > 0 and sum(r[col] for r in split["test"]) > 0


# ---------------------------------------------------------------------------------------------
# The recommender export.


def _epoch_ms(value: Any) -> Any:
    """last_ts as epoch milliseconds: the spec keeps raw ts as epoch ms; a timestamp column (UTC,
    naive or aware) is converted so both representations compare against the oracle."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return (value - dt.datetime(1970, 1, 1)) // dt.timedelta(milliseconds=1)
    return value


@pytest.mark.parametrize("test_days", [7, 3])
def test_export_interactions(test_days: int, warehouse: wh.Warehouse, oracle: Oracle, tmp_path: Path) -> None:
    manifest = insights.export_interactions(warehouse, tmp_path, test_days=test_days)
    split_at = oracle.default_split_at(test_days)
    got_split = manifest["split_at"]
    if isinstance(got_split, dt.datetime) and got_split.tzinfo is not None:
        got_split = got_split.astimezone(dt.UTC).replace(tzinfo=None)
    assert got_split == split_at
    expected = oracle.interactions(split_at)
    assert expected["train"] and expected["test"]
    for split in ("train", "test"):
        table = pq.read_table(tmp_path / f"{split}.parquet")
        # The spec names the row key (split, user_id, song, artist) and the measures; a `split`
        # column is optional in a file that holds one split, and must then say which.
        extra = set(table.column_names) - set(INTERACTION_COLUMNS)
        assert set(INTERACTION_COLUMNS) <= set(table.column_names) and extra <= {"split"}, table.column_names
        if "split" in extra:
            assert set(table.column("split").to_pylist()) == {split}
        data = table.to_pydict()
        raw = [
            tuple(_epoch_ms(v) if c == "last_ts" else v for c, v in zip(INTERACTION_COLUMNS, row, strict=True))
            for row in zip(*(data[c] for c in INTERACTION_COLUMNS), strict=True)
        ]
        assert_integer_types(split, INTERACTION_COLUMNS, raw, expected[split])
        # No row order in the spec: (user_id, song, artist) is the row's key within a split.
        got = sorted(
            (tuple(normalise(c, v) for c, v in zip(INTERACTION_COLUMNS, row, strict=True)) for row in raw),
            key=lambda r: r[:3],
        )
        want = expected_rows(Answer(INTERACTION_COLUMNS, expected[split]))
        assert len(got) == len(want), f"{split}: {len(got)} rows, expected {len(want)}"
        for g, w in zip(got, want, strict=True):
            assert g == w, f"{split}: got {g}, expected {w}"
