"""The validating SQL generated from the raw contract, pinned as golden files.

A change to the contract or a dialect template shows up as a diff of tests/golden/*.sql;
regenerate with MA_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from music_analytics.contract import EVENTS, REASONS, SONGS, Contract
from music_analytics.parse import validate_sql

GOLDEN = Path(__file__).parent / "golden"


def _golden(path: Path, text: str) -> None:
    if os.environ.get("MA_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.read_text() == text


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
@pytest.mark.parametrize("contract", [EVENTS, SONGS], ids=lambda c: c.name)
def test_generated_sql_matches_golden(contract: Contract, dialect: str) -> None:
    sql = validate_sql(contract, f"raw_{contract.name}", keep=("source_file", "record_position"), dialect=dialect)
    _golden(GOLDEN / f"validate_{contract.name}.{dialect}.sql", sql)


def test_every_reason_in_sql_is_documented() -> None:
    text = "".join(p.read_text() for p in GOLDEN.glob("*.sql"))
    text += "".join(p.read_text() for p in (Path(__file__).parents[1] / "sql" / "transform").glob("*.sql"))
    used = {r for r in REASONS if f"'{r}'" in text}
    # not_json/not_object come from the engine's parse step, the rest from the SQL.
    assert used | {"not_json", "not_object"} == set(REASONS)


def test_contract_matches_the_real_event_keys(sample: Path) -> None:
    import json

    first = next((sample / "log_data").rglob("*.json")).read_text().splitlines()[0]
    assert tuple(json.loads(first)) == EVENTS.keys
    song = json.loads(next((sample / "song_data").rglob("*.json")).read_text())
    assert tuple(song) == SONGS.keys


MODELS_DIR = Path(__file__).parents[1] / "sql" / "transform"


@pytest.mark.parametrize("model", sorted(p.name for p in MODELS_DIR.glob("*.sql")))
def test_transform_models_transpile_to_spark_strictly(model: str) -> None:
    """The models stay portable: sqlglot (strict) turns each into Spark SQL, the Spark engine's input."""
    import sqlglot
    from sqlglot.errors import ErrorLevel

    from music_analytics.engines.spark_engine import model_sql

    text = (MODELS_DIR / model).read_text()
    (spark_sql,) = sqlglot.transpile(
        text, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE, pretty=True
    )
    assert spark_sql == model_sql(model.removesuffix(".sql"))
    # The Spark SQL the engine runs, pinned: a sqlglot upgrade that changes it shows up as a diff.
    _golden(GOLDEN / "spark" / model, spark_sql + "\n")


def test_the_rejected_records_suite_knows_every_reason_code() -> None:
    """The suite's reason set is the contract's REASONS, no more and no less (a new code needs both)."""
    import json

    from music_analytics.contract import REASONS

    suite = json.loads((Path(__file__).parents[1] / "expectations" / "rejected_records.json").read_text())
    (value_set,) = (
        e["kwargs"]["value_set"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == "reason"
    )
    assert sorted(value_set) == sorted(REASONS)
