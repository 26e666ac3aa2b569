"""The Great Expectations suites: they load completely, the real sample passes, violations are caught."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from music_analytics import pipeline, quality
from music_analytics.errors import ConfigError
from tests.conftest import make_config

TABLES = {"songplays", "users", "songs", "artists", "time", "rejected_records"}


def test_every_suite_loads_exactly_the_expectations_its_file_declares() -> None:
    files = quality.suite_files()
    assert set(files) == TABLES
    for path in files.values():
        declared = json.loads(path.read_text())["expectations"]
        assert len(quality.load_suite(path).expectations) == len(declared) > 0


def test_an_unknown_expectation_type_is_an_error_not_a_silent_skip(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"name": "users", "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "user_id"}},
        {"type": "expect_column_values_to_be_nul", "kwargs": {"column": "user_id"}},
    ]}))
    with pytest.raises(ConfigError, match="2 expectations declared, 1 loaded"):
        quality.load_suite(path)


@pytest.fixture(scope="module")
def sample_lake(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("quality")
    cfg = make_config(tmp, sample, f"duckdb:///{tmp / 'w.duckdb'}")
    return pipeline.transform(cfg, str(sample)).lake


def test_the_real_sample_passes_every_critical_expectation(sample_lake: Path) -> None:
    results = quality.validate_lake(sample_lake)
    assert {r.table for r in results} == TABLES
    assert [f for r in results for f in r.blocking] == []
    rows = {r.table: r.rows for r in results}
    assert rows == {"songplays": 6820, "users": 97, "songs": 71, "artists": 69, "time": 6813,
                    "rejected_records": 0}
    # The sample matches 1 of 6,820 plays to the catalogue: the song match rate is only a warning.
    warnings = [(f.table, f.expectation, f.column) for r in results for f in r.failures if f.severity == "warning"]
    assert warnings == [("songplays", "expect_column_values_to_not_be_null", "song_id")]


def test_a_violation_is_reported_with_count_and_sample_values(sample_lake: Path, tmp_path: Path) -> None:
    broken = tmp_path / "lake"
    (broken / "users").mkdir(parents=True)
    # Two users with an impossible level, one duplicated user_id.
    duckdb.connect().execute(
        f"COPY (SELECT user_id, first_name, last_name, gender, "
        f"CASE WHEN user_id IN ('8', '10') THEN 'gold' ELSE level END AS level, level_ts "
        f"FROM read_parquet('{sample_lake}/users/*.parquet') UNION ALL "
        f"SELECT * FROM read_parquet('{sample_lake}/users/*.parquet') WHERE user_id = '15') "
        f"TO '{broken}/users/data.parquet' (FORMAT parquet)")
    (result,) = quality.validate_lake(broken, ["users"])
    failed = {(f.expectation, f.column): f for f in result.blocking}
    assert set(failed) == {("expect_column_values_to_be_in_set", "level"),
                           ("expect_column_values_to_be_unique", "user_id")}
    level = failed[("expect_column_values_to_be_in_set", "level")]
    assert level.unexpected_count == 2 and set(level.sample) == {"gold"}
    assert failed[("expect_column_values_to_be_unique", "user_id")].unexpected_count == 2
