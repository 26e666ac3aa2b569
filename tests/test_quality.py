"""The quality gates: suites load completely, the real sample passes, and every expectation can fail.

Each expectation has a violation below (SQL run against `staging.<table>`): injected into a copy
of the staged warehouse (suites of gate 2) or of the lake (suites only gate 1 runs), the gate must
name that expectation and block, and the published star schema must stay as it was.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import psycopg2
import pytest

from music_analytics import pipeline, quality
from music_analytics import warehouse as wh
from music_analytics.config import Config, WarehouseURL
from music_analytics.errors import ConfigError, QualityGateError
from tests.helpers import WAREHOUSE_TABLES, make_config, query, table_rows


@pytest.fixture(autouse=True)
def _great_expectations(gx: None) -> None:
    """Every test here runs Great Expectations (the `gates` tier)."""


SUITE_SIZES = {
    "artists": 6,
    "events": 13,
    "lake_reconciliation": 10,
    "load_reconciliation": 8,
    "references": 5,
    "rejected_records": 5,
    "songplays": 9,
    "songs": 6,
    "time": 10,
    "users": 6,
}
# Gate 1 runs every suite but load_reconciliation; gate 2 all but events and lake_reconciliation.
LAKE_EXPECTATIONS = sum(SUITE_SIZES.values()) - SUITE_SIZES["load_reconciliation"]
WAREHOUSE_EXPECTATIONS = sum(SUITE_SIZES.values()) - SUITE_SIZES["events"] - SUITE_SIZES["lake_reconciliation"]


def one(table: str, where: str = "TRUE") -> str:
    """A predicate picking one row of staging.<table> (DuckDB rowid)."""
    return f"rowid = (SELECT MIN(rowid) FROM staging.{table} WHERE {where})"


def set_one(table: str, assignment: str, where: str = "TRUE") -> str:
    return f"UPDATE staging.{table} SET {assignment} WHERE {one(table, where)}"


def dup_one(table: str) -> str:
    return f"INSERT INTO staging.{table} SELECT * FROM staging.{table} WHERE {one(table)}"


def delete_one(table: str, where: str = "TRUE") -> str:
    return f"DELETE FROM staging.{table} WHERE {one(table, where)}"


def rejected(
    source_file: str | None = "'f.json'", line: int = 1, input_: str = "'events'", reason: str | None = "'not_json'"
) -> str:
    return (
        f"INSERT INTO staging.rejected_records (source_file, line_number, input, reason, detail, raw) "
        f"VALUES ({source_file or 'NULL'}, {line}, {input_}, {reason or 'NULL'}, NULL, 'x')"
    )


# suite:expectation:column -> the violation. Every expectation in expectations/ must appear here.
VIOLATIONS: dict[str, str] = {
    "artists:column_values_to_not_be_null:artist_id": set_one("artists", "artist_id = NULL"),
    "artists:column_values_to_be_unique:artist_id": dup_one("artists"),
    "artists:column_values_to_not_be_null:name": set_one("artists", "name = NULL"),
    "artists:column_values_to_be_between:latitude": set_one("artists", "latitude = 95.5"),
    "artists:column_values_to_be_between:longitude": set_one("artists", "longitude = -190.0"),
    "artists:column_value_lengths_to_be_between:location": set_one("artists", "location = ''"),
    "events:column_values_to_not_be_null:ts": set_one("events", "ts = NULL"),
    "events:column_values_to_not_be_null:start_time": set_one("events", "start_time = NULL"),
    "events:column_values_to_not_be_null:user_id": set_one("events", "user_id = NULL"),
    "events:column_values_to_not_be_null:session_id": set_one("events", "session_id = NULL"),
    "events:column_values_to_be_between:item_in_session": set_one("events", "item_in_session = -1"),
    "events:column_values_to_be_in_set:page": set_one("events", "page = 'Dance'"),
    "events:column_values_to_be_in_set:method": set_one("events", "method = 'POST'"),
    "events:column_values_to_be_in_set:level": set_one("events", "level = 'gold'"),
    "events:column_values_to_be_in_set:gender": set_one("events", "gender = 'X'", "gender IS NOT NULL"),
    "events:column_values_to_be_in_set:auth": set_one("events", "auth = 'Hacker'"),
    "events:column_values_to_be_in_set:status": set_one("events", "status = 500"),
    "events:column_values_to_not_be_null:song": set_one("events", "song = NULL", "page = 'NextSong'"),
    "events:column_values_to_be_between:length": set_one("events", "length = -1", "length IS NOT NULL"),
    "lake_reconciliation:column_pair_values_to_be_equal:events_read,events_accepted_or_rejected": delete_one(
        "events", "page <> 'NextSong'"
    ),
    "lake_reconciliation:column_pair_values_to_be_equal:events_rejected_counted,events_rejected": (
        "UPDATE staging.input_files SET rejected = rejected + 1 WHERE input = 'events' AND "
        "source_file = (SELECT MIN(source_file) FROM staging.input_files WHERE input = 'events')"
    ),
    "lake_reconciliation:column_pair_values_to_be_equal:nextsong_accepted,songplays": delete_one("songplays"),
    "lake_reconciliation:column_pair_values_to_be_equal:play_instants,time_rows": delete_one('"time"'),
    "lake_reconciliation:column_pair_values_to_be_equal:songs_read,songs_accepted_or_rejected": delete_one("songs"),
    "lake_reconciliation:column_values_to_be_between:events_accepted": "DELETE FROM staging.events",
    "lake_reconciliation:column_values_to_be_between:songplays": "DELETE FROM staging.songplays",
    "lake_reconciliation:column_values_to_be_between:users": "DELETE FROM staging.users",
    "lake_reconciliation:column_values_to_be_between:songs": "DELETE FROM staging.songs",
    "lake_reconciliation:column_values_to_be_between:artists": "DELETE FROM staging.artists",
    "load_reconciliation:column_pair_values_to_be_equal:lake_songplays,staged_songplays": delete_one("songplays"),
    "load_reconciliation:column_pair_values_to_be_equal:nextsong_accepted,staged_songplays": dup_one("songplays"),
    "load_reconciliation:column_pair_values_to_be_equal:lake_users,staged_users": delete_one("users"),
    "load_reconciliation:column_pair_values_to_be_equal:lake_songs,staged_songs": delete_one("songs"),
    "load_reconciliation:column_pair_values_to_be_equal:lake_artists,staged_artists": delete_one("artists"),
    "load_reconciliation:column_pair_values_to_be_equal:lake_time,staged_time": delete_one('"time"'),
    "load_reconciliation:column_pair_values_to_be_equal:lake_events,staged_events": delete_one("events"),
    "load_reconciliation:column_pair_values_to_be_equal:lake_rejected_records,staged_rejected_records": rejected(),
    "references:column_values_to_be_null:songplays_user_id": set_one("songplays", "user_id = 'nobody'"),
    "references:column_values_to_be_null:songplays_song_id": set_one("songplays", "song_id = 'SONOSUCHSONG'"),
    "references:column_values_to_be_null:songplays_artist_id": set_one("songplays", "artist_id = 'ARNOSUCHARTIST'"),
    "references:column_values_to_be_null:songplays_start_time": set_one(
        "songplays", "start_time = TIMESTAMP '2018-11-30 23:59:59.999'"
    ),
    "references:column_values_to_be_null:songs_artist_id": set_one("songs", "artist_id = 'ARNOSUCHARTIST'"),
    "rejected_records:column_values_to_not_be_null:source_file": rejected(source_file=None),
    "rejected_records:column_values_to_be_between:line_number": rejected(line=-1),
    "rejected_records:column_values_to_be_in_set:input": rejected(input_="'logs'"),
    "rejected_records:column_values_to_not_be_null:reason": rejected(reason=None),
    "rejected_records:column_values_to_be_in_set:reason": rejected(reason="'bad_vibes'"),
    "songplays:column_values_to_not_be_null:songplay_id": set_one("songplays", "songplay_id = NULL"),
    "songplays:column_values_to_be_unique:songplay_id": dup_one("songplays"),
    "songplays:column_values_to_not_be_null:start_time": set_one("songplays", "start_time = NULL"),
    "songplays:column_values_to_not_be_null:user_id": set_one("songplays", "user_id = NULL"),
    "songplays:column_value_lengths_to_be_between:user_id": set_one("songplays", "user_id = ''"),
    "songplays:column_values_to_not_be_null:session_id": set_one("songplays", "session_id = NULL"),
    "songplays:column_values_to_be_between:session_id": set_one("songplays", "session_id = -1"),
    "songplays:column_values_to_be_in_set:level": set_one("songplays", "level = 'gold'"),
    "songs:column_values_to_not_be_null:song_id": set_one("songs", "song_id = NULL"),
    "songs:column_values_to_be_unique:song_id": dup_one("songs"),
    "songs:column_values_to_not_be_null:title": set_one("songs", "title = NULL"),
    "songs:column_values_to_not_be_null:artist_id": set_one("songs", "artist_id = NULL"),
    "songs:column_values_to_be_between:duration": set_one("songs", "duration = 0"),
    "songs:column_values_to_be_between:year": set_one("songs", "year = 0"),  # unknown is NULL
    "time:column_values_to_not_be_null:start_time": set_one('"time"', "start_time = NULL"),
    "time:column_values_to_be_unique:start_time": dup_one('"time"'),
    "time:column_values_to_be_between:hour": set_one('"time"', "hour = 24"),
    "time:column_values_to_be_between:day": set_one('"time"', "day = 32"),
    "time:column_values_to_be_between:week": set_one('"time"', "week = 54"),
    "time:column_values_to_be_between:month": set_one('"time"', "month = 13"),
    "time:column_values_to_be_between:year": set_one('"time"', "year = 1999"),
    "time:column_values_to_be_between:weekday": set_one('"time"', "weekday = 0"),
    "time:column_values_to_not_be_null:iso_year": set_one('"time"', "iso_year = NULL"),
    "time:column_values_to_be_in_set:iso_year_offset": set_one('"time"', "iso_year = year + 2"),
    "users:column_values_to_not_be_null:user_id": set_one("users", "user_id = NULL"),
    "users:column_values_to_be_unique:user_id": dup_one("users"),
    "users:column_value_lengths_to_be_between:user_id": set_one("users", "user_id = ''"),
    "users:column_values_to_be_in_set:level": set_one("users", "level = 'gold'"),
    "users:column_values_to_be_in_set:gender": set_one("users", "gender = 'X'"),
    "users:column_values_to_not_be_null:level_ts": set_one("users", "level_ts = NULL"),
}
# Warnings never block; the real sample already violates this one (1 of 6,820 plays matches a song).
WARNINGS = {"songplays:column_values_to_not_be_null:song_id"}


def key_of(o: quality.Outcome) -> str:
    return f"{o.suite}:{o.expectation.removeprefix('expect_')}:{o.column}"


def declared_keys() -> dict[str, quality.Suite]:
    keys = {}
    for suite in quality.suites():
        for e in suite.expectations:
            kw = e["kwargs"]
            column = kw.get("column") or f"{kw['column_A']},{kw['column_B']}"
            keys[f"{suite.name}:{e['type'].removeprefix('expect_')}:{column}"] = suite
    return keys


# -- the suite files -------------------------------------------------------------------------------


def test_every_suite_loads_exactly_the_expectations_its_file_declares() -> None:
    found = quality.suites()
    assert {s.name: len(s.expectations) for s in found} == SUITE_SIZES
    for suite in found:
        declared = json.loads(suite.path.read_text())["expectations"]
        assert len(suite.gx().expectations) == len(declared) == SUITE_SIZES[suite.name]
    assert {s.name for s in quality.suites("warehouse")} == set(SUITE_SIZES) - {"events", "lake_reconciliation"}
    assert {s.name for s in quality.suites("lake")} == set(SUITE_SIZES) - {"load_reconciliation"}


def test_an_unknown_expectation_type_is_an_error_not_a_silent_skip(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(
        json.dumps(
            {
                "name": "users",
                "meta": {"gates": ["lake"]},
                "expectations": [
                    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "user_id"}},
                    {"type": "expect_column_values_to_be_nul", "kwargs": {"column": "user_id"}},
                ],
            }
        )
    )
    unknown = r"2 expectations declared, 1 loaded \(unknown types: expect_column_values_to_be_nul\)"
    with pytest.raises(ConfigError, match=unknown):
        quality.read_suite(path).gx()


@pytest.mark.parametrize(
    ("meta", "severity", "message"),
    [
        ({}, "critical", "meta.gates must list some of lake, warehouse"),
        ({"gates": ["lake", "prod"]}, "critical", "meta.gates must list some of lake, warehouse"),
        ({"gates": ["lake"]}, "fail", "severity 'fail' is not one of critical, warning, info"),
    ],
)
def test_a_suite_file_with_bad_gates_or_severity_is_an_error(
    meta: dict[str, Any], severity: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "users.json"
    path.write_text(
        json.dumps(
            {
                "name": "users",
                "meta": meta,
                "expectations": [
                    {
                        "type": "expect_column_values_to_not_be_null",
                        "kwargs": {"column": "user_id"},
                        "severity": severity,
                    }
                ],
            }
        )
    )
    with pytest.raises(ConfigError, match=message):
        quality.read_suite(path)


def test_every_expectation_has_a_violation_test() -> None:
    assert set(declared_keys()) == set(VIOLATIONS) | WARNINGS
    assert {k for k, s in declared_keys().items() for e in s.expectations if e.get("severity") == "warning"} >= WARNINGS


# -- the real sample -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, pipeline.RunSummary]:
    """The sample run end to end into a DuckDB warehouse: published, and its rows still staged."""
    tmp = tmp_path_factory.mktemp("quality")
    cfg = make_config(tmp, sample, f"duckdb:///{tmp / 'w.duckdb'}", quality_gates="lake,warehouse")
    return cfg, pipeline.run(cfg)


def test_the_real_sample_passes_every_critical_expectation(published: tuple[Config, pipeline.RunSummary]) -> None:
    cfg, summary = published
    lake_gate, audit = summary.quality
    assert (lake_gate.gate, audit.gate) == ("lake", "warehouse")
    assert len(lake_gate.outcomes) == LAKE_EXPECTATIONS
    assert len(audit.outcomes) == WAREHOUSE_EXPECTATIONS
    for gate in (lake_gate, audit):
        assert gate.blocking == []
        (warning,) = gate.warnings
        assert key_of(warning) in WARNINGS and (warning.unexpected_count, warning.element_count) == (6819, 6820)
    rows = {s.suite: s.rows for s in lake_gate.suites}
    assert rows == {
        "artists": 69,
        "events": 8056,
        "lake_reconciliation": 1,
        "references": 0,
        "rejected_records": 0,
        "songplays": 6820,
        "songs": 71,
        "time": 6813,
        "users": 97,
    }
    # The results are kept: one row per expectation and gate in quality_results, and Data Docs.
    history = query(
        wh.connect(cfg.warehouse),
        "SELECT gate, COUNT(*), COUNT(*) FILTER (WHERE NOT success), MIN(run_id), MAX(run_id) "
        "FROM quality_results GROUP BY gate ORDER BY gate",
    )
    assert history == [
        ("lake", LAKE_EXPECTATIONS, 1, summary.run_id, summary.run_id),
        ("warehouse", WAREHOUSE_EXPECTATIONS, 1, summary.run_id, summary.run_id),
    ]
    index = cfg.quality_docs_path / "index.html"
    assert lake_gate.docs == audit.docs == index
    html = index.read_text()
    # The GX project keeps one suite per file; each result is named by its run and gate.
    runs = re.findall(r"'run_name': '([^']*)'", html)
    assert sorted(runs) == [f"{summary.run_id} lake"] * 9 + [f"{summary.run_id} warehouse"] * 8
    assert all(
        f"validations/{s}/{summary.run_id}%20lake/" in html for s in ("songplays", "events", "lake_reconciliation")
    )
    assert f"validations/load_reconciliation/{summary.run_id}%20warehouse/" in html
    assert (cfg.quality_project_path / "gx" / "expectations" / "songplays.json").is_file()


# -- every expectation can fail ----------------------------------------------------------------------


def _snapshot(cfg: Config) -> dict[str, list[tuple[Any, ...]]]:
    adapter = wh.connect(cfg.warehouse)
    return {t: table_rows(adapter, t) for t in WAREHOUSE_TABLES}


def _mutate_lake(lake: Path, table: str, statement: str) -> None:
    """Apply `statement` to a lake table: load it as staging.<table>, change it, write it back flat."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.execute(
        f'CREATE TABLE staging."{table}" AS SELECT * FROM '
        f"read_parquet('{lake / table}/**/*.parquet', hive_partitioning = true)"
    )
    con.execute(statement)
    shutil.rmtree(lake / table)
    (lake / table).mkdir()
    con.execute(f"COPY staging.\"{table}\" TO '{lake / table / 'data.parquet'}' (FORMAT parquet)")
    con.close()


def _gate_then_publish(cfg: Config, lake: Path, gate: str, suite: str) -> None:
    """What the flow does from this gate on: stop if it blocks, else stage (after gate 1), audit, publish.

    Only the violated suite runs (GX costs ~0.3 s a suite); the full gates run in the sample test.
    """
    if gate == "lake":
        pipeline.enforce(quality.check_lake(lake, run_id="test", docs_dir=None, only={suite}))
        pipeline.stage(cfg, lake)
    audit = quality.audit_warehouse(wh.connect(cfg.warehouse), lake, run_id="test", docs_dir=None, only={suite})
    pipeline.enforce(audit)
    pipeline.load(cfg, wh.MergeCounts())


@pytest.mark.parametrize("key", sorted(VIOLATIONS))
def test_each_expectation_blocks_its_violation(
    key: str, published: tuple[Config, pipeline.RunSummary], tmp_path: Path
) -> None:
    base_cfg, summary = published
    assert summary.transform is not None
    suite = declared_keys()[key]
    statement = VIOLATIONS[key]
    target = statement.split("staging.", 1)[1].split()[0].strip('"')
    warehouse_file = tmp_path / "w.duckdb"
    shutil.copy(base_cfg.warehouse.path, warehouse_file)
    cfg = replace(base_cfg, warehouse=WarehouseURL.parse(f"duckdb:///{warehouse_file}"))
    lake = tmp_path / "lake"
    # The published lake: after a first run, exactly its batch (which the publish removed).
    shutil.copytree(base_cfg.lake_path, lake)
    before = _snapshot(cfg)
    if "warehouse" in suite.gates:
        gate = "warehouse"
        con = duckdb.connect(str(warehouse_file))
        con.execute(statement)
        con.close()
    else:
        gate = "lake"
        _mutate_lake(lake, target, statement)
    with pytest.raises(QualityGateError) as raised:
        _gate_then_publish(cfg, lake, gate, suite.name)
    message = str(raised.value)
    assert message.startswith(f"quality gate '{gate}' BLOCKED"), message
    _, expectation, column = key.split(":")
    label = f"  FAIL {suite.name}: expect_{expectation}({column}): "
    assert any(line.startswith(label) and "unexpected" in line for line in message.splitlines()), message
    assert _snapshot(cfg) == before, "a blocked gate must leave the published tables unchanged"


def test_a_warning_reports_without_blocking(published: tuple[Config, pipeline.RunSummary], tmp_path: Path) -> None:
    base_cfg, summary = published
    assert summary.transform is not None
    warehouse_file = tmp_path / "w.duckdb"
    shutil.copy(base_cfg.warehouse.path, warehouse_file)
    cfg = replace(base_cfg, warehouse=WarehouseURL.parse(f"duckdb:///{warehouse_file}"))
    # The one play matched to the catalogue loses its song: still only a warning, and it is published.
    con = duckdb.connect(str(warehouse_file))
    con.execute("UPDATE staging.songplays SET song_id = NULL, artist_id = NULL WHERE song_id IS NOT NULL")
    con.close()
    result = quality.audit_warehouse(wh.connect(cfg.warehouse), base_cfg.lake_path, run_id="w", docs_dir=None)
    assert result.blocking == [] and [key_of(w) for w in result.warnings] == sorted(WARNINGS)
    assert (result.warnings[0].unexpected_count, result.warnings[0].element_count) == (6820, 6820)
    pipeline.enforce(result)
    pipeline.load(cfg, wh.MergeCounts())
    assert query(wh.connect(cfg.warehouse), "SELECT COUNT(song_id) FROM songplays") == [(0,)]


def test_a_blocking_gate_on_postgresql_leaves_the_star_schema_unchanged(
    sample: Path, pg_url: str, tmp_path: Path
) -> None:
    cfg = make_config(tmp_path, sample, pg_url, quality_gates="lake,warehouse")
    summary = pipeline.run(cfg)
    assert [g.passed for g in summary.quality] == [True, True]
    assert summary.transform is not None
    adapter = wh.connect(cfg.warehouse)
    before = _snapshot(cfg)
    conn = psycopg2.connect(pg_url)
    with conn, conn.cursor() as cur:
        cur.execute("UPDATE staging.users SET level = 'gold' WHERE user_id IN ('8', '10')")
        cur.execute(
            "UPDATE staging.songplays SET user_id = 'nobody' WHERE songplay_id = "
            "(SELECT MIN(songplay_id) FROM staging.songplays)"
        )
    conn.close()
    result = pipeline.audit(cfg, cfg.lake_path, "pg-run")  # a first run's lake is its batch
    assert result is not None
    failed = {key_of(o): o for o in result.blocking}
    assert set(failed) == {
        "users:column_values_to_be_in_set:level",
        "references:column_values_to_be_null:songplays_user_id",
    }
    assert failed["users:column_values_to_be_in_set:level"].unexpected_count == 2
    assert failed["users:column_values_to_be_in_set:level"].sample == ("gold", "gold")
    assert failed["references:column_values_to_be_null:songplays_user_id"].sample == ("nobody",)
    with pytest.raises(QualityGateError, match="the staged rows were not published"):
        pipeline.enforce(result)
    assert _snapshot(cfg) == before
    # The failed audit is in the quality history, next to the passing run before it.
    rows = query(
        adapter,
        "SELECT run_id, COUNT(*), SUM(CASE WHEN success THEN 0 ELSE 1 END) FROM quality_results "
        "WHERE gate = 'warehouse' GROUP BY run_id ORDER BY run_id",
    )
    assert sorted(rows) == sorted([(summary.run_id, WAREHOUSE_EXPECTATIONS, 1), ("pg-run", WAREHOUSE_EXPECTATIONS, 3)])


def test_the_audit_runs_in_postgresql_stores_no_password_and_leaves_no_session(
    sample: Path, pg_url: str, tmp_path: Path
) -> None:
    """GX connects to the warehouse itself (its SQL engine: no rows fetched into pandas). Its data
    source is kept in the GX project with the password as a placeholder; its sessions end with the gate."""
    secret = "s3cr3t/Pw#?@x"  # every character a URL treats specially: percent-encoded for SQLAlchemy
    url = pg_url.replace("@", f":{quote(secret, safe='')}@", 1)
    cfg = make_config(tmp_path, sample, url, quality_gates="lake,warehouse")
    summary = pipeline.run(cfg)
    assert [g.passed for g in summary.quality] == [True, True]
    audit = summary.quality[1]
    assert {s.suite: s.rows for s in audit.suites}["songplays"] == 6820
    stored = "".join(p.read_text(errors="replace") for p in cfg.quality_project_path.rglob("*") if p.is_file())
    assert secret not in stored and quote(secret, safe="") not in stored
    config_file = cfg.quality_project_path / "gx" / "great_expectations.yml"
    assert "${MUSIC_ANALYTICS_SQLALCHEMY_PASSWORD}" in config_file.read_text()
    conn = psycopg2.connect(pg_url)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cur.fetchone() == (0,), "GX's engines are disposed of when the gate ends"
        cur.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'staging' AND tablename LIKE 'quality_rows_%'")
        assert cur.fetchone() == (0,), "the materialized suite rows are dropped"
    conn.close()


def test_a_suite_reading_more_than_one_table_is_computed_once_per_gate() -> None:
    """GX runs 10-20 metric queries per suite: over the suite's own query when it reads one table as
    it is, over its rows computed once (staging.quality_rows_<suite>) when it joins or aggregates."""
    from music_analytics import sql
    from music_analytics.quality.gates import _reads_one_table

    computed = {
        s.name
        for s in quality.suites()
        if not _reads_one_table(sql.render(s.query, **dict.fromkeys(sql.placeholders(sql.read(s.query)), 1))[0])
    }
    assert computed == {"lake_reconciliation", "load_reconciliation", "references"}
    assert not _reads_one_table("SELECT a FROM t UNION SELECT a FROM u")
    assert not _reads_one_table("SELECT user_id, COUNT(*) FROM staging.songplays GROUP BY user_id")
    assert _reads_one_table('SELECT start_time, iso_year - year AS offset FROM staging."time"')
