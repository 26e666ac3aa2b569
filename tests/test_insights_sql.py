"""The insight SQL files as files (one question each, Redshift-valid, golden), the command line, the
answers on an empty warehouse, and the real sample's HTML report in Chromium.

The answers themselves are checked against the raw JSON in test_insights.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from music_analytics import insights, pipeline, sql
from music_analytics import warehouse as wh
from music_analytics.cli import main as cli_main
from music_analytics.config import WarehouseURL
from music_analytics.errors import WarehouseError
from music_analytics.insights.html import BAR
from tests.browser import CHROMIUM_FLAGS, decode_png, rgb
from tests.helpers import make_config, query

INSIGHTS = sql.SQL_DIR / "insights"
GOLDEN = Path(__file__).parent / "golden" / "insights"
NAMES = [q.name for q in insights.QUESTIONS] + [insights.INTERACTIONS, insights.LAST_PLAY, "checks/loaded"]
VALUES = {
    **insights.period_values(dt.date(2018, 11, 1), dt.date(2018, 11, 30)),
    "limit": 10,
    "split_at": "TIMESTAMP '2018-11-24 00:00:00'",
}
# Functions the files may call: each exists with the same meaning in DuckDB, PostgreSQL and Redshift.
# (sqlglot models AND/OR and CASE branches as functions too.)
PORTABLE = {
    "And",
    "Or",
    "Case",
    "If",
    "Avg",
    "Cast",
    "Coalesce",
    "Count",
    # EXTRACT(HOUR | DOW | EPOCH FROM timestamp): the same fields in all three (DOW: 0 = Sunday).
    "Extract",
    "TimestampTrunc",
    "Floor",
    "Max",
    "Min",
    "Nullif",
    "RowNumber",
    "SplitPart",
    "Sum",
}


def test_every_file_is_one_question_with_a_purpose_line() -> None:
    # Names starting with "_" are fragments other files include (the shared calendar), not questions.
    files = {
        str(p.relative_to(INSIGHTS).with_suffix("")) for p in INSIGHTS.rglob("*.sql") if not p.name.startswith("_")
    }
    assert files == set(NAMES)
    for name in NAMES:
        first = sql.read(f"insights/{name}.sql").splitlines()[0]
        assert first.startswith("-- ") and len(first) <= 110, name
        assert len(insights.statement(name, **VALUES).split(";")) == 1, name


@pytest.mark.parametrize("name", NAMES)
def test_parses_as_redshift_and_matches_golden(name: str) -> None:
    tree = sqlglot.parse_one(insights.statement(name, **VALUES), read="redshift", error_level=ErrorLevel.RAISE)
    assert isinstance(tree, exp.Select)
    used = {type(f).__name__ for f in tree.find_all(exp.Func)} - {"Anonymous"}
    assert used <= PORTABLE, f"{name}: {sorted(used - PORTABLE)} not known to be portable"
    assert not list(tree.find_all(exp.Anonymous)), f"{name}: a function sqlglot does not know"
    text = tree.sql(dialect="redshift", pretty=True) + "\n"
    golden = GOLDEN / f"{name.replace('/', '.')}.sql"
    if os.environ.get("MA_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing golden {golden.name}: run with MA_UPDATE_GOLDEN=1 and review"
    assert text == golden.read_text(encoding="utf-8")


def test_no_stale_golden_files() -> None:
    assert {p.name for p in GOLDEN.glob("*.sql")} == {f"{n.replace('/', '.')}.sql" for n in NAMES}


def test_period_and_limit_are_validated() -> None:
    with pytest.raises(ValueError, match="ends"):
        insights.period_values(dt.date(2018, 11, 5), dt.date(2018, 11, 1))
    assert insights.period_values(dt.date(2018, 11, 5), dt.date(2018, 11, 5)) == {
        "start": "TIMESTAMP '2018-11-05 00:00:00'",
        "end": "TIMESTAMP '2018-11-06 00:00:00'",
    }


def test_an_empty_warehouse_answers_without_error(warehouse_url: str) -> None:
    """Before any load: every question runs, the lists are empty and the one-row summaries say 0."""
    warehouse = wh.connect(WarehouseURL.parse(warehouse_url))
    warehouse.create_schema()
    report = insights.run(warehouse)
    for result in report.results:
        if result.name == "sessions":
            assert result.rows == [(0, 0, None, None, None, None)]
        elif result.name == "funnels":
            assert [r[3:] for r in result.rows] == [(0, None)] * 6
        elif result.name == "level_changes":
            assert result.rows == [(0, 0, 0, 0, None, None, None, 0)]
        else:
            assert result.rows == [], result.name
    with pytest.raises(ValueError, match="no plays to export"):
        insights.export_interactions(warehouse, Path(warehouse_url.split("///")[-1]).parent / "rec")


def test_a_warehouse_without_the_star_schema_or_its_events_says_what_to_do(pg_url: str) -> None:
    warehouse = wh.connect(WarehouseURL.parse(pg_url))
    with pytest.raises(WarehouseError, match=r"holds no star schema to answer from; run the pipeline first"):
        insights.run(warehouse)
    # A warehouse loaded before the events fact: plays, but nothing in events.
    warehouse.create_schema()
    query(
        warehouse,
        "INSERT INTO songplays VALUES (1, TIMESTAMP '2018-11-01 00:00:00', '7', 'free', NULL, NULL, 1, "
        "NULL, NULL) RETURNING 1",
    )
    with pytest.raises(WarehouseError, match=r"the events table holds 0 of the 1 plays: .*--reload"):
        insights.run(warehouse)


# -- the command line and the HTML report on the real sample -----------------------------------------


@pytest.fixture(scope="module")
def loaded(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("insights_cli")
    cfg = make_config(tmp, sample, f"duckdb:///{tmp / 'warehouse.duckdb'}")
    pipeline.run(cfg)
    return f"duckdb:///{tmp / 'warehouse.duckdb'}"


def test_cli_formats(loaded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["insights", "--warehouse", loaded, "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "== Top songs (top_songs) ==" in out and "You're The One  Dwight Yoakam" in out
    # Headings are labels, not column names.
    assert "Rank by plays  Rank by minutes  Song" in out and "rank_by_plays" not in out
    assert "Day         DAU  WAU  MAU" in out
    # Heatmap-shaped answers print as grids (missing cells 0): weekdays x hours, cohorts x weeks.
    lines = out.splitlines()
    grid = lines.index(
        "Weekday \\ Hour (UTC)   0   1   2   3   4   5   6   7   8    9  10  11  12  13  14   15   16"
        "   17   18  19   20  21  22  23"
    )
    assert lines[grid + 2].split() == [
        "Mon",
        *map(str, [6, 11, 36, 22, 28, 23, 31, 30, 46, 50, 69, 52, 42, 49, 72, 99, 75, 75, 72, 30, 11, 38, 26, 21]),
    ]
    assert sum(int(n) for line in lines[grid + 2 : grid + 9] for n in line.split()[1:]) == 6820
    # Each cohort with its size; the sample's three cohorts all registered before its first week.
    retention = lines.index(
        "Cohort week \\ Activity week  Cohort users  2018-10-29  2018-11-05  2018-11-12  2018-11-19  2018-11-26"
    )
    assert lines[retention + 2] == (
        "2018-10-15                              6       33.3%       83.3%       66.7%       83.3%       50.0%"
    )
    assert (
        cli_main(
            [
                "insights",
                "--warehouse",
                loaded,
                "--format",
                "json",
                "--out",
                str(tmp_path / "i.json"),
                "--start",
                "2018-11-05",
                "--end",
                "2018-11-11",
            ]
        )
        == 0
    )
    data = json.loads((tmp_path / "i.json").read_text())
    assert (data["start"], data["end"]) == ("2018-11-05", "2018-11-11")
    days = data["results"]["daily_listening"]["rows"]
    assert [d["day"] for d in days] == [f"2018-11-{d:02}" for d in range(5, 12)]
    assert sum(d["plays"] for d in days) == 356 + 154 + 174 + 161 + 252 + 87 + 73
    # JSON keys stay the SQL column names.
    assert list(days[0]) == ["day", "plays", "minutes", "listeners"]
    assert cli_main(["insights", "--warehouse", loaded, "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "## Upgrade, downgrade and churn funnels" in md and "| upgrade | 2 | Submit Upgrade | 8 | 53.3% |" in md
    assert "| Funnel | Step | Page | Users | Rate |" in md
    assert "| Weekday \\ Hour (UTC) | 0 | 1 | 2 |" in md


def test_text_is_shown_repaired_and_exported_as_logged(loaded: str, tmp_path: Path) -> None:
    """The sample's non-ASCII names are double-encoded UTF-8: every answer shows them repaired (the SQL still
    groups and ranks on the logged text); the recommender export keeps them as logged."""
    import pyarrow.parquet as pq

    logged = "Bj\u00c3\u0083\u00c2\u00b6rk"
    report = insights.run(wh.connect(WarehouseURL.parse(loaded)), limit=100_000)
    texts = {v for r in report.results for row in r.rows for v in row if isinstance(v, str)}
    assert "Bj\u00f6rk" in texts and "Repr\u00e9sente" in texts
    assert not [t for t in texts if insights.repair_text(t) != t], "a text shown as logged"
    top = report.result("top_songs").records()[1]
    assert (top["rank_by_plays"], top["song"], top["artist"], top["plays"]) == (2, "Undo", "Bj\u00f6rk", 28)
    insights.export_interactions(wh.connect(WarehouseURL.parse(loaded)), tmp_path / "rec")
    exported = {
        a
        for split in ("train", "test")
        for a in pq.read_table(tmp_path / "rec" / f"{split}.parquet").column("artist").to_pylist()
    }
    assert logged in exported and "Bj\u00f6rk" not in exported


@pytest.mark.parametrize(
    ("logged", "shown"),
    [
        ("Bj\u00c3\u0083\u00c2\u00b6rk", "Bj\u00f6rk"),  # encoded twice, as in the sample: two rounds
        ("Bj\u00c3\u00b6rk", "Bj\u00f6rk"),  # once
        ("Bj\u00f6rk", "Bj\u00f6rk"),  # correct: "\u00f6" alone is not valid UTF-8
        ("Caf\u00e9 \u00c3\u00a9", "Caf\u00e9 \u00c3\u00a9"),  # one byte that is not UTF-8 keeps the whole text
        ("\u00c3\u00a9 \u2013 x", "\u00c3\u00a9 \u2013 x"),  # a character above U+00FF: not Latin-1 bytes
        ("\u00e2\u0080\u0099", "\u2019"),  # a repair may leave U+00FF: the loop stops there
        ("Coldplay", "Coldplay"),
        ("", ""),
    ],
)
def test_repair_text(logged: str, shown: str) -> None:
    assert insights.repair_text(logged) == shown


def test_the_daily_questions_share_one_calendar() -> None:
    """The day series is written once (sql/insights/_calendar.sql) and included where a question needs it."""
    users = {q.name for q in insights.QUESTIONS if "calendar" in sql.placeholders(sql.read(f"insights/{q.name}.sql"))}
    assert users == {"daily_listening", "active_users", "match_rate", "retention", "levels_per_day"}
    (fragment,) = sql.statements("insights/_calendar.sql")  # without its comments
    assert "generate_series" not in fragment.lower() and "calendar AS (" in fragment
    for name in users:
        assert "digits AS (" in insights.statement(name, **VALUES), name


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = f"duckdb:///{tmp_path / 'none.duckdb'}"
    assert cli_main(["insights", "--warehouse", missing]) == 2
    assert capsys.readouterr().err == (
        f"error: no warehouse at {missing}: run the pipeline first (music-analytics run)\n"
    )
    assert not (tmp_path / "none.duckdb").exists()
    assert cli_main(["insights", "--warehouse", missing, "--start", "2018-11-05", "--end", "2018-11-01"]) == 2
    assert "is before --start" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["insights", "--top", "0"])
    assert exit_info.value.code == 2


def test_cli_export_interactions(loaded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as pq

    assert cli_main(["export-interactions", "--warehouse", loaded, "--out", str(tmp_path / "rec")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("split at 2018-11-24 00:00 UTC\n")
    train, test = (pq.read_table(tmp_path / "rec" / f"{s}.parquet") for s in ("train", "test"))
    assert train.column_names == [
        "user_id",
        "song",
        "artist",
        "song_id",
        "plays",
        "minutes",
        "thumbs_up",
        "playlist_adds",
        "skips",
        "last_ts",
    ]
    # Every play of the sample is in exactly one split.
    assert sum(train.column("plays").to_pylist()) + sum(test.column("plays").to_pylist()) == 6820
    # ... and so is every skip (the negative feedback): 320 on the sample (tests/test_sample.py).
    assert sum(train.column("skips").to_pylist()) + sum(test.column("skips").to_pylist()) == 320
    manifest = json.loads((tmp_path / "rec" / "manifest.json").read_text())
    assert manifest["files"]["train"]["rows"] == train.num_rows and manifest["split_at"] == "2018-11-24 00:00:00"


def test_the_sample_report_renders_every_chart_in_chromium(loaded: str, tmp_path: Path, chromium: str) -> None:
    page = tmp_path / "report.html"
    assert cli_main(["insights", "--warehouse", loaded, "--format", "html", "--out", str(page)]) == 0

    def open_page(profile: str, *args: str) -> str:
        proc = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / profile}", *args, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    dom = open_page("dom", "--dump-dom", "--virtual-time-budget=2000")
    assert 'data-rendered="yes"' in dom
    import re

    marks = {}
    for section in dom.split('<section class="insight" id="')[1:]:
        name = section.split('"', 1)[0]
        marks[name] = [int(n) for n in re.findall(r'data-rendered-marks="(\d+)"', section)]
    # Every chart as laid out by the browser: 10 top songs/artists by plays and by minutes, one line
    # of 30 days, the full 7 x 24 heatmaps (UTC and local), the sample's 7 time zones, 3 active-user
    # lines, 2 level lines, skip rates overall + 2 levels + 24 + 24 hours, 10 most skipped songs and
    # 10 artists, 6 funnel steps, 3 cohorts x 5 weeks.
    assert marks == {
        "top_songs": [10, 10],
        "top_artists": [10, 10],
        "daily_listening": [1],
        "listening_heatmap": [168],
        "listening_heatmap_local": [168],
        "plays_by_time_zone": [7],
        "active_users": [3],
        "sessions": [],
        "free_vs_paid": [2],
        "levels_per_day": [2],
        "level_changes": [],
        "skip_rates": [51],
        "most_skipped": [20],
        "funnels": [6],
        "retention": [15],
        "plays_by_gender": [2],
        "plays_by_location": [15],
        "plays_by_device": [9],
        "match_rate": [1],
    }
    assert set(re.findall(r'data-overlapping-texts="(\d+)"', dom)) == {"0"}
    assert re.search(r'<g class="colour-scale" data-measure="Plays">\s*<text[^>]*>Plays</text>', dom)
    assert re.search(r'<g class="colour-scale" data-measure="Share of the cohort active">', dom)
    png = tmp_path / "report.png"
    open_page("shot", f"--screenshot={png}", "--window-size=1280,3000")
    width, _height, colours = decode_png(png.read_bytes())
    assert width == 1280 and colours[rgb(BAR)] > 20_000


def test_bulk_arrow_paths_keep_nulls_empty_strings_and_text(pg_url: str, duckdb_url: str) -> None:
    """The export's bulk paths (PostgreSQL COPY TO STDOUT as CSV, DuckDB's Arrow) equal the row path
    Redshift uses, for the values CSV can confuse: NULL vs '', quotes, commas, newlines, non-ASCII."""
    import pyarrow as pa

    from music_analytics.warehouse.base import Warehouse

    schema = pa.schema([("s", pa.string()), ("n", pa.int64()), ("x", pa.float64())])
    query = (
        "SELECT s, n, x FROM (VALUES ('a', 1, 1.5), (NULL, NULL, NULL), ('', 0, 0.0), "
        "('say \"hi\", Björk''s\nsong', 9007199254740993, -2.25)) AS t(s, n, x) ORDER BY n NULLS FIRST"
    )
    expected = [
        {"s": None, "n": None, "x": None},
        {"s": "", "n": 0, "x": 0.0},
        {"s": "a", "n": 1, "x": 1.5},
        {"s": 'say "hi", Björk\'s\nsong', "n": 9007199254740993, "x": -2.25},
    ]
    for url in (pg_url, duckdb_url):
        warehouse = wh.connect(WarehouseURL.parse(url))
        with warehouse.transaction() as tx:
            bulk = warehouse.arrow(tx, query, schema)
            rows = Warehouse.arrow(warehouse, tx, query, schema)
        assert bulk.schema == schema and bulk.to_pylist() == rows.to_pylist() == expected, url
