"""The validating SQL generated from the raw contract, pinned as golden files.

A change to the contract or a dialect template shows up as a diff of tests/golden/*.sql;
regenerate with MA_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from music_analytics.contract import EVENTS, REASONS, SONGS, Contract, Domain
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


# -- the contract's domains, checked record by record -------------------------------------------------


def verdict(contract: Contract, **values: object) -> tuple[str | None, str | None]:
    """(reason, detail) the contract gives one record: `values` by JSON key, as the engine hands them
    in (text fields as text, numbers as their JSON text); keys left out are absent."""
    import json

    import duckdb

    columns = ", ".join(
        f'{"NULL" if k not in values else repr(v if isinstance(v, str) else json.dumps(v))}::VARCHAR AS "{k}"'
        for k, v in ((k, values.get(k)) for k in contract.keys)
    )
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE raw AS SELECT 'f.json' AS source_file, 1 AS record_position, {columns}")
        (row,) = con.execute(
            f"SELECT reject_reason, reject_detail FROM ({validate_sql(contract, 'raw', keep=('source_file',))})"
        ).fetchall()
    finally:
        con.close()
    return row


SONG = {"song_id": "SO01", "title": "T", "artist_id": "AR01", "artist_name": "A", "duration": 218.9, "year": 1999}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"artist_latitude": 45.5, "artist_longitude": -73.6}, (None, None), id="valid"),
        pytest.param({"duration": 0.0}, ("invalid_value", "duration"), id="duration_0"),
        pytest.param({"duration": -1.5}, ("invalid_value", "duration"), id="duration_negative"),
        pytest.param({"duration": 0.001}, (None, None), id="duration_positive"),
        pytest.param({"artist_latitude": 90.0, "artist_longitude": 180.0, "year": 1000}, (None, None), id="upper"),
        pytest.param({"artist_latitude": -90.0, "artist_longitude": -180.0, "year": 2100}, (None, None), id="lower"),
        pytest.param({"artist_latitude": 90.01}, ("invalid_value", "artist_latitude"), id="latitude_above_90"),
        pytest.param({"artist_latitude": -90.01}, ("invalid_value", "artist_latitude"), id="latitude_below_minus_90"),
        pytest.param({"artist_longitude": 180.5}, ("invalid_value", "artist_longitude"), id="longitude_above_180"),
        pytest.param(
            {"artist_longitude": -181.0}, ("invalid_value", "artist_longitude"), id="longitude_below_minus_180"
        ),
        pytest.param({"year": 0}, (None, None), id="year_0_unknown"),
        pytest.param({"year": None}, (None, None), id="year_null"),
        pytest.param({"year": 999}, ("invalid_value", "year"), id="year_999"),
        pytest.param({"year": 2101}, ("invalid_value", "year"), id="year_2101"),
        # Several fields out of their domains: the first in the contract's (the raw JSON's) key order.
        pytest.param(
            {"duration": 0.0, "artist_latitude": 100.0, "year": 5}, ("invalid_value", "artist_latitude"), id="first"
        ),
        pytest.param({"title": None, "duration": 0.0}, ("missing_field", "title"), id="a_contract_rule_comes_first"),
    ],
)
def test_song_domains(changes: dict[str, object], expected: tuple[str | None, str | None]) -> None:
    record = {k: v for k, v in {**SONG, **changes}.items() if v is not None}
    assert verdict(SONGS, **record) == expected


EVENT = {
    "auth": "Logged In",
    "gender": "F",
    "itemInSession": 0,
    "length": 246.3,
    "level": "free",
    "method": "PUT",
    "page": "NextSong",
    "sessionId": 0,
    "song": "S",
    "artist": "A",
    "status": 200,
    "ts": 1541105830796,
    "userId": "39",
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, (None, None), id="valid_with_zero_session_and_item"),
        pytest.param({"level": "gold"}, ("invalid_value", "level"), id="level"),
        pytest.param({"level": "Free"}, ("invalid_value", "level"), id="level_case_matters"),
        pytest.param({"auth": "Admin"}, ("invalid_value", "auth"), id="auth"),
        pytest.param({"gender": "X"}, ("invalid_value", "gender"), id="gender"),
        pytest.param({"gender": ""}, ("invalid_value", "gender"), id="gender_empty"),
        pytest.param({"gender": None}, (None, None), id="gender_absent"),
        pytest.param({"method": "POST"}, ("invalid_value", "method"), id="method"),
        pytest.param({"page": "Home", "song": None, "artist": None, "length": None}, (None, None), id="page_home"),
        pytest.param({"page": "Teleport"}, ("invalid_value", "page"), id="page"),
        pytest.param({"status": 500}, ("invalid_value", "status"), id="status"),
        pytest.param({"sessionId": -1}, ("invalid_value", "sessionId"), id="session_negative"),
        pytest.param({"itemInSession": -1}, ("invalid_value", "itemInSession"), id="item_negative"),
        pytest.param({"page": "Home", "length": 0}, ("invalid_value", "length"), id="length_0_off_a_play"),
        pytest.param({"length": 0}, ("incomplete_play", "length"), id="length_0_of_a_play"),
        pytest.param({"level": "gold", "ts": 5}, ("invalid_ts", "ts"), id="a_contract_rule_comes_first"),
    ],
)
def test_event_domains(changes: dict[str, object], expected: tuple[str | None, str | None]) -> None:
    record = {k: v for k, v in {**EVENT, **changes}.items() if v is not None}
    assert verdict(EVENTS, **record) == expected


def _implies(domain: Domain | None, expectation: dict[str, object]) -> bool:
    """Whether every value `domain` accepts passes the range or set `expectation` (its kwargs)."""
    if domain is None:
        return False
    if "value_set" in expectation:
        return bool(domain.values) and set(domain.values) <= set(expectation["value_set"])  # type: ignore[call-overload]
    low, high = expectation.get("min_value"), expectation.get("max_value")
    if low is not None:
        if domain.min_value is None or domain.min_value < low:  # type: ignore[operator]
            return False
        if expectation.get("strict_min") and domain.min_value == low and not domain.strict_min:
            return False
    return high is None or (domain.max_value is not None and domain.max_value <= high)  # type: ignore[operator]


def test_no_value_the_contract_accepts_blocks_a_quality_gate() -> None:
    """Each critical set or range expectation on a column the raw data fills directly is implied by
    that field's contract domain: a bad value is a rejected record, never a blocked run (the gates
    then check the transform). A domain's `unknown` sentinel becomes NULL in the table."""
    import json

    expectations = Path(__file__).parents[1] / "expectations"
    fields = {target: f for c in (EVENTS, SONGS) for f in c.fields for target in f.stored_as}
    checked = []
    for path in sorted(expectations.glob("*.json")):
        suite = json.loads(path.read_text())
        for e in suite["expectations"]:
            kwargs = e["kwargs"]
            if e["severity"] != "critical" or "row_condition" in kwargs:
                continue
            if e["type"] not in ("expect_column_values_to_be_in_set", "expect_column_values_to_be_between"):
                continue
            target = f"{suite['name']}.{kwargs['column']}"
            if target in fields:
                assert _implies(fields[target].domain, kwargs), f"{target}: {kwargs} is not implied by the contract"
                checked.append(target)
    assert len(checked) >= 12, checked  # the test looks where the expectations are
