"""The Redshift adapter without a cluster: its statements (generated from the catalogue, read from
sql/warehouse/ along its search path, composed in Python) parse as Redshift SQL, the
statements it composes itself (COPY, INSERT) are pinned as golden files (tests/golden/redshift/;
regenerate with MA_UPDATE_GOLDEN=1 and review the diff; the catalogue's DDL, merges and migrations
are pinned per dialect by test_catalogue.py), the delta + MERGE does what the shared UPDATE + INSERT
does (both run on DuckDB), the flat export for COPY restores partition columns, and no password leaks.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import duckdb
import psycopg2
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from music_analytics import derived, secrets
from music_analytics import tables as catalogue
from music_analytics import warehouse as wh
from music_analytics.config import RedshiftSettings, S3Settings, WarehouseURL, load_config
from music_analytics.errors import ConfigError, WarehouseError
from music_analytics.warehouse import render
from music_analytics.warehouse.redshift import RedshiftWarehouse
from music_analytics.warehouse.redshift.copy import JSONPATHS_FOLDER, export_for_copy, write_jsonpaths
from music_analytics.warehouse.redshift.lock import lock_statements
from tests.helpers import STAR, generated_statements, named_statements

GOLDEN = Path(__file__).parent / "golden" / "redshift"
SENTINEL = "Sentinel-Pa55word-7f3a"
ROLE = "arn:aws:iam::123456789012:role/music-analytics-copy"
SETTINGS = RedshiftSettings(iam_role=ROLE, s3_staging="s3://music-analytics-staging/lake", region="us-west-2")
URL = f"redshift://analyst:{SENTINEL}@example.abc123.us-west-2.redshift.amazonaws.com/dev"


def _warehouse(settings: RedshiftSettings = SETTINGS) -> RedshiftWarehouse:
    return RedshiftWarehouse(WarehouseURL.parse(URL), settings, S3Settings())


def composed_statements(warehouse: RedshiftWarehouse) -> dict[str, str]:
    """The statements the adapter composes in Python (pinned as goldens): COPY and INSERT, and the
    derived tables' rebuilds as filled in for a run (sql/derived/, shared by every dialect)."""
    out: dict[str, str] = {}
    for table in catalogue.DERIVED:
        named_statements(out, f"derive.{table.name}", derived.statements(table, derived.STAGED))
    for table in catalogue.STAR:
        for fmt in ("parquet", "json"):
            out[f"stage.copy_{fmt}.{table.name}"] = warehouse.copy_statement(table.name, table.names, fmt)
    for table in catalogue.OTHER:
        out[f"insert.{table.name}"] = warehouse.insert_statement(table.name, table.names)
    out["insert.staging.loaded_files"] = warehouse.insert_statement(
        "staging.loaded_files", catalogue.LOADED_FILES.names
    )
    return out


def all_statements(warehouse: RedshiftWarehouse) -> dict[str, str]:
    """The adapter's statements by name: the composed ones, the catalogue's, the files'. (A few fixed
    one-liners written inline, SELECT 1 or SET TIME ZONE 'UTC', are not listed.)"""
    out = {**composed_statements(warehouse), **generated_statements(warehouse.dialect)}
    for table in ("loaded_files", *STAR):
        named_statements(
            out, f"stage.recreate.{table}", warehouse.sql_statements("stage/recreate.sql", table=render.ident(table))
        )
    for table in STAR:
        named_statements(
            out, f"stage.analyze.{table}", warehouse.sql_statements("stage/analyze.sql", table=render.ident(table))
        )
    for name in (
        "stage/copy_count",
        "stage/load_errors",
        "merge/_begin",
        "ledger/loaded",
        "ledger/sources",
        "catalog/tables",
    ):
        named_statements(out, name.replace("/", "."), warehouse.sql_statements(f"{name}.sql"))
    named_statements(
        out, "ledger.forget_run", warehouse.sql_statements("ledger/forget_run.sql", run_id="'20240101T000000Z-0000'")
    )
    for table in catalogue.DERIVED:  # the first build of a derived table, from every event
        named_statements(out, f"derive.all.{table.name}", derived.statements(table, derived.ALL_EVENTS))
    for name, statements in lock_statements(warehouse).items():
        named_statements(out, f"lock.{name}", statements)
    return out


STATEMENTS = all_statements(_warehouse())
COMPOSED = composed_statements(_warehouse())

# Statements sqlglot only keeps as an opaque exp.Command: checked by a regex of their own instead.
COMMANDS = {"lock.acquire.2": re.compile(r"LOCK TABLE music_analytics_lock")}
_S3 = r"'s3://[a-z0-9.-]+/[\w/.-]*/'"
_COPY = re.compile(
    rf"COPY staging\.(\"\w+\" \((\"\w+\", )*\"\w+\"\)|\w+) FROM {_S3} IAM_ROLE '{re.escape(ROLE)}' "
    r"FORMAT AS (PARQUET|JSON 's3://[a-z0-9.-]+/[\w/.-]+\.json'( TIMEFORMAT 'auto')?( REGION 'us-west-2')?)"
)


def _golden(path: Path, text: str) -> None:
    if os.environ.get("MA_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.read_text() == text


def _parse(statement: str) -> Any:
    # execute_values' single %s stands for the VALUES list.
    return sqlglot.parse_one(
        statement.replace("VALUES %s", "VALUES (NULL)"), read="redshift", error_level=sqlglot.ErrorLevel.RAISE
    )


def test_statement_names_cover_every_table() -> None:
    for table in catalogue.ALL:
        assert f"create.{table.name}" in STATEMENTS
    for table in STAR:
        assert {f"stage.copy_parquet.{table}", f"stage.copy_json.{table}"} <= set(STATEMENTS)
        assert any(name.startswith(f"merge.{table}") for name in STATEMENTS)
    assert not [n for n in STATEMENTS if n.startswith("merge._begin")]  # no SET LOCAL work_mem


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_statement_parses_as_redshift(name: str) -> None:
    statement = STATEMENTS[name]
    tree = _parse(statement)
    if isinstance(tree, exp.Command):
        assert name in COMMANDS, f"{name} parses only as an opaque Command: {statement}"
        assert COMMANDS[name].fullmatch(statement)
        return
    assert name not in COMMANDS, f"{name} now parses fully: drop it from COMMANDS"
    # sqlglot accepts unknown COPY options and DISTSTYLE values: pin the clauses themselves.
    if isinstance(tree, exp.Copy):
        assert _COPY.fullmatch(statement), statement
    if isinstance(tree, exp.Create) and tree.args.get("properties"):
        props = tree.args["properties"].expressions
        styles = [p.this.name for p in props if isinstance(p, exp.DistStyleProperty)]
        assert set(styles) <= {"ALL", "EVEN", "KEY"}
        columns = {c.name for c in tree.find_all(exp.ColumnDef)}
        keys = [p.this.name for p in props if isinstance(p, exp.DistKeyProperty)]
        assert ("KEY" in styles) == bool(keys), statement
        assert set(keys) <= columns
        for prop in props:
            if isinstance(prop, exp.SortKeyProperty):
                assert {c.name for c in prop.this} <= columns
    if isinstance(tree, exp.Merge):
        whens = tree.find_all(exp.When)
        kinds = sorted((bool(w.args.get("matched")), type(w.args["then"]).__name__) for w in whens)
        assert kinds == [(False, "Insert"), (True, "Update")]
        assert isinstance(tree.args["using"], exp.Table)  # Redshift: the source must be a table


def test_only_expected_statements_are_commands() -> None:
    commands = {n for n, s in STATEMENTS.items() if isinstance(_parse(s), exp.Command)}
    assert commands == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMPOSED))
def test_composed_statement_matches_golden(name: str) -> None:
    _golden(GOLDEN / f"{name}.sql", COMPOSED[name] + "\n")


def test_no_stale_golden_files() -> None:
    if os.environ.get("MA_UPDATE_GOLDEN"):
        for path in GOLDEN.glob("*.sql"):
            if path.stem not in COMPOSED:
                path.unlink()
    assert {p.stem for p in GOLDEN.glob("*.sql")} == set(COMPOSED)


def test_password_never_shows() -> None:
    warehouse = _warehouse()
    assert SENTINEL not in str(warehouse) and SENTINEL not in repr(warehouse)
    assert all(SENTINEL not in s for s in STATEMENTS.values())
    assert all(SENTINEL not in p.read_text() for p in GOLDEN.glob("*.sql"))
    assert warehouse.connect_kwargs()["sslmode"] == "require"
    assert warehouse.connect_kwargs()["password"] == SENTINEL  # revealed only to the driver


@pytest.mark.parametrize(
    ("ini", "message"),
    [
        ("s3_staging = s3://bucket/p\n", "iam_role is required"),
        ("iam_role = my-role\ns3_staging = s3://bucket/p\n", "not an IAM role ARN"),
        (f"iam_role = {ROLE}\n", "s3_staging is required"),
        (f"iam_role = {ROLE}\ns3_staging = /local/lake\n", "not an s3://"),
        (f"iam_role = {ROLE}\ns3_staging = s3://bucket/it's\n", "not an s3://"),
        (f"iam_role = {ROLE}\ns3_staging = s3://bucket/p\nregion = Oregon\n", "not an AWS region"),
        (f"iam_role = {ROLE}\ns3_staging = s3://bucket/p\ncopy_format = csv\n", "copy_format"),
    ],
)
def test_settings_are_validated(tmp_path: Path, ini: str, message: str) -> None:
    path = tmp_path / "ma.ini"
    path.write_text(f"[warehouse]\nurl = redshift://u@cluster.example.com/dev\n\n[redshift]\n{ini}")
    with pytest.raises(ConfigError, match=message):
        wh.for_config(load_config(path, environ={}))


def test_the_adapter_gets_its_sections_from_the_config(tmp_path: Path) -> None:
    path = tmp_path / "ma.ini"
    path.write_text(
        f"[warehouse]\nurl = redshift://u@cluster.example.com/dev\n\n[redshift]\niam_role = {ROLE}\n"
        "s3_staging = s3://bucket/prefix\ncopy_format = json\n\n[s3]\nregion = eu-west-1\n"
    )
    warehouse = wh.for_config(load_config(path, environ={}))
    assert isinstance(warehouse, RedshiftWarehouse)
    assert warehouse.url.port == 5439
    assert (warehouse.settings.copy_format, warehouse.s3.region) == ("json", "eu-west-1")


def test_jsonpaths_follow_the_catalogue(tmp_path: Path) -> None:
    write_jsonpaths(tmp_path)
    written = {p.stem: json.loads(p.read_text())["jsonpaths"] for p in (tmp_path / JSONPATHS_FOLDER).glob("*.json")}
    assert written == {t.name: [f"$.{c}" for c in t.names] for t in catalogue.STAR}


def test_lake_prefix_maps_every_table_to_its_own_folder() -> None:
    warehouse = _warehouse()
    assert warehouse.lake_prefix_for("songs") == "s3://music-analytics-staging/lake/songs/"
    warehouse.set_lake_prefix("s3://music-analytics-staging/runs/42/")
    songplays = catalogue.BY_NAME["songplays"]
    assert "FROM 's3://music-analytics-staging/runs/42/songplays/'" in warehouse.copy_statement(
        "songplays", songplays.names
    )


def _fake_lake(root: Path) -> None:
    """A tiny lake laid out like lake.py writes it: partition columns only in folder names."""

    def write(table: str, rows: list[dict[str, Any]], partition_by: tuple[str, ...] = ()) -> None:
        data = pa.Table.from_pylist(rows)
        # A column the rows leave out (one added to the catalogue since) is written NULL, typed.
        for column in catalogue.BY_NAME[table].columns:
            if column.name not in data.column_names and column.name not in partition_by:
                data = data.append_column(column.name, pa.nulls(data.num_rows, column.arrow))
        pq.write_to_dataset(data, root / table, partition_cols=list(partition_by) or None)

    ts = pa.scalar(1541106106796000, pa.timestamp("us")).as_py()
    write(
        "songs",
        [{"song_id": "SOA", "title": "T", "artist_id": "ARX", "artist_name": "N", "year": 2001, "duration": 1.5}],
        ("year", "artist_id"),
    )
    write("artists", [{"artist_id": "ARX", "name": "N", "location": None, "latitude": None, "longitude": 2.0}])
    write(
        "users", [{"user_id": "7", "first_name": "A", "last_name": "B", "gender": "F", "level": "free", "level_ts": ts}]
    )
    write(
        "time",
        [
            {
                "start_time": ts,
                "hour": 21,
                "day": 1,
                "week": 44,
                "month": 11,
                "year": 2018,
                "weekday": 4,
                "iso_year": 2018,
            }
        ],
        ("year", "month"),
    )
    write(
        "songplays",
        [
            {
                "songplay_id": 1,
                "start_time": ts,
                "user_id": "7",
                "level": "free",
                "song_id": None,
                "artist_id": None,
                "session_id": 3,
                "location": "X",
                "user_agent": "UA",
                "year": 2018,
                "month": 11,
            }
        ],
        ("year", "month"),
    )
    write(
        "events",
        [
            {
                "event_id": 1,
                "start_time": ts,
                "ts": 1541106106796,
                "user_id": "",
                "session_id": 3,
                "item_in_session": 0,
                "page": "Home",
                "auth": "Logged Out",
                "level": "free",
                "method": "GET",
                "status": 200,
                "first_name": None,
                "last_name": None,
                "gender": None,
                "location": None,
                "user_agent": None,
                "registration": None,
                "registration_time": None,
                "song": None,
                "artist": None,
                "length": None,
                "source_file": "log_data/a.json",
                "year": 2018,
                "month": 11,
            }
        ],
        ("year", "month"),
    )
    write(
        "rejected_records",
        [
            {
                "source_file": "log_data/a.json",
                "line_number": 2,
                "input": "events",
                "reason": "not_json",
                "detail": None,
                "raw": "{",
            }
        ],
    )


@pytest.mark.parametrize("copy_format", ["parquet", "json"])
def test_export_for_copy_writes_exactly_the_staged_columns(tmp_path: Path, copy_format: Any) -> None:
    _fake_lake(tmp_path / "lake")
    folders = export_for_copy(tmp_path / "lake", tmp_path / "out", copy_format)
    assert set(folders) == set(STAR)
    for name, folder in folders.items():
        table = catalogue.BY_NAME[name]
        files = list(folder.iterdir())
        assert len(files) == 1
        if copy_format == "parquet":
            schema = pq.read_schema(files[0])
            assert schema.names == list(table.names)  # COPY maps Parquet columns by position
            for column in table.columns:
                assert schema.field(column.name).type == column.arrow, (name, column.name)
        else:
            row = json.loads(files[0].read_text().splitlines()[0])
            assert list(row) == list(table.names)
    songs = pq.read_table(folders["songs"]).to_pylist() if copy_format == "parquet" else None
    if songs is not None:
        assert songs == [
            {"song_id": "SOA", "title": "T", "artist_id": "ARX", "artist_name": "N", "year": 2001, "duration": 1.5}
        ]


# -- Redshift's delta + MERGE against the shared UPDATE + INSERT, both on DuckDB ---------------------------

_TARGET = {
    "artists": [("AR1", "Old", None, 1.0, None), ("AR2", "Same", "L", None, None)],
    "songs": [("SO1", "T", "AR1", "Old", 2000, 1.0), ("SO2", "T2", "AR2", "Same", 2001, 2.0)],
    "users": [
        ("u1", "A", "B", "F", "free", "2018-11-02 00:00:00"),
        ("u2", "C", None, "M", "free", "2018-11-01 00:00:00"),
        ("u3", "E", "F", None, "paid", "2018-11-01 00:00:00"),
    ],
    "songplays": [
        (1, "2018-11-01 00:00:00", "u1", "free", None, None, 1, "X", "UA"),
        (2, "2018-11-01 00:00:01", "u2", "free", "SO2", "AR2", 2, "Y", "UA"),
    ],
    "events": [
        (
            1,
            "2018-11-01 00:00:00",
            1541030400000,
            "u1",
            1,
            0,
            "NextSong",
            "Logged In",
            "free",
            "PUT",
            200,
            "X",
            "UA",
            "2018-10-01 00:00:00",
            "S",
            "A",
            200.0,
        ),
        (
            2,
            "2018-11-01 00:00:01",
            1541030401000,
            None,
            2,
            0,
            "Home",
            "Logged Out",
            "free",
            "GET",
            200,
            None,
            None,
            None,
            None,
            None,
            None,
        ),
    ],
    "rejected_records": [
        ("f1", 1, "events", "not_json", None, "{"),
        ("f1", 2, "events", "not_json", None, "["),
        ("f2", 1, "songs", "bad", "d", "x"),
    ],
}
_STAGED = {
    # AR1 changed (NULL -> value), AR2 unchanged, AR3 new.
    "artists": [("AR1", "Old", "Here", 1.0, None), ("AR2", "Same", "L", None, None), ("AR3", "New", None, None, 3.0)],
    "songs": [
        ("SO1", "T", "AR1", "New", 2000, 1.0),
        ("SO2", "T2", "AR2", "Same", 2001, 2.0),
        ("SO3", "T3", "AR3", "New", 2002, 3.0),
    ],
    # u1: older event -> kept; u2: newer, level changed -> updated; u3: same -> untouched; u4 new.
    "users": [
        ("u1", "A", "B", "F", "paid", "2018-11-01 00:00:00"),
        ("u2", "C", "D", "M", "paid", "2018-11-03 00:00:00"),
        ("u3", "E", "F", None, "paid", "2018-11-01 00:00:00"),
        ("u4", "G", "H", "F", "free", "2018-11-03 00:00:00"),
    ],
    "songplays": [
        (1, "2018-11-01 00:00:00", "u1", "free", "SO1", "AR1", 1, "X", "UA"),
        (2, "2018-11-01 00:00:01", "u2", "free", "SO2", "AR2", 2, "Y", "UA"),
        (3, "2018-11-02 00:00:00", "u4", "free", None, None, 3, None, None),
    ],
    # 1 unchanged; 2 (logged out, "" in the lake) unchanged as NULL; 3 new and logged out; 4 new.
    "events": [
        (
            1,
            "2018-11-01 00:00:00",
            1541030400000,
            "u1",
            1,
            0,
            "NextSong",
            "Logged In",
            "free",
            "PUT",
            200,
            "X",
            "UA",
            "2018-10-01 00:00:00",
            "S",
            "A",
            200.0,
        ),
        (
            2,
            "2018-11-01 00:00:01",
            1541030401000,
            "",
            2,
            0,
            "Home",
            "Logged Out",
            "free",
            "GET",
            200,
            None,
            None,
            None,
            None,
            None,
            None,
        ),
        (
            3,
            "2018-11-01 00:00:02",
            1541030402000,
            "",
            2,
            1,
            "Login",
            "Logged Out",
            "free",
            "PUT",
            307,
            None,
            None,
            None,
            None,
            None,
            None,
        ),
        (
            4,
            "2018-11-01 00:00:03",
            1541030403000,
            "u4",
            3,
            0,
            "Home",
            "Logged In",
            "paid",
            "GET",
            200,
            "Y",
            "UA2",
            "2018-10-02 00:00:00",
            None,
            None,
            None,
        ),
    ],
    # f1 reloaded: line 1 now a different verdict, line 2 fixed at the source (its verdict goes).
    "rejected_records": [("f1", 1, "events", "not_object", "d", "1"), ("f3", 5, "events", "not_json", None, "{")],
}


def _merge_db(path: Path, dialect: render.Dialect) -> tuple[duckdb.DuckDBPyConnection, dict[str, tuple[int, int]]]:
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA staging")
    tables = [catalogue.BY_NAME[name] for name in _TARGET]
    for table in (*tables, catalogue.LOADED_FILES):
        con.execute(render.create_table(table, render.DUCKDB))
        con.execute(f"CREATE TABLE staging.{table.name} AS SELECT * FROM {table.name} WHERE 1 = 0")
    for table in tables:
        for target, rows in ((table.name, _TARGET[table.name]), (f"staging.{table.name}", _STAGED[table.name])):
            # The rows give the first columns; a column added to the catalogue since is NULL here.
            width = len(rows[0])
            marks = ", ".join("?" for _ in range(width))
            con.executemany(f"INSERT INTO {target} ({', '.join(table.names[:width])}) VALUES ({marks})", rows)
    con.execute(
        "INSERT INTO staging.loaded_files VALUES ('r', 'f1', 'events', 'c', 1, 1, 1, 0, TIMESTAMP '2018-11-03')"
    )
    counts: dict[str, tuple[int, int]] = {}
    for table in tables:
        inserted = updated = 0
        for statement in render.merge(table, dialect):
            result = con.execute(statement).fetchall()
            verb = statement.split(None, 1)[0].upper()
            if verb == "UPDATE":
                updated += result[0][0]
            elif verb == "INSERT":
                inserted += result[0][0]
            elif verb == "MERGE":
                [(new, changed)] = con.execute(render.delta_counts(table)).fetchall()
                assert new + changed == result[0][0]
                inserted, updated = inserted + new, updated + changed
        counts[table.name] = (inserted, updated)
    return con, counts


def test_merge_through_delta_matches_the_shared_upserts(tmp_path: Path) -> None:
    assert render.REDSHIFT.merge_through_delta and not render.DUCKDB.merge_through_delta
    common, common_counts = _merge_db(tmp_path / "common.duckdb", render.DUCKDB)
    redshift, redshift_counts = _merge_db(tmp_path / "redshift.duckdb", render.REDSHIFT)
    assert redshift_counts == common_counts
    assert common_counts["users"] == (1, 1)  # u4 new; u2 updated; u1's older event ignored
    assert common_counts["events"] == (2, 0)
    assert common_counts["rejected_records"] == (1, 1)  # f3 new, f1 line 1 changed (line 2 pruned)
    assert common.execute("SELECT event_id FROM events WHERE user_id IS NULL ORDER BY 1").fetchall() == [(2,), (3,)]
    for name in _TARGET:
        order = ", ".join(catalogue.BY_NAME[name].names[:2])
        assert (
            redshift.execute(f"SELECT * FROM {name} ORDER BY {order}").fetchall()
            == common.execute(f"SELECT * FROM {name} ORDER BY {order}").fetchall()
        ), name


# -- COPY failures name the rejected rows ----------------------------------------------------------


def test_copy_failure_names_the_rows_from_stl_load_errors(pg_url: str) -> None:
    """The failure path on a real PostgreSQL session: the COPY (Redshift-only syntax) fails and aborts
    the transaction, like a rejected load does on Redshift; the adapter must roll back in the same
    session and read the rows. Redshift's stl_load_errors and pg_last_copy_id() are stood in for by
    a table and a function of the same shape: the statements and their order are the real ones."""
    secrets.register(SENTINEL)
    conn = psycopg2.connect(pg_url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE stl_load_errors (query INT, session INT, starttime TIMESTAMP, filename CHAR(256), "
                "line_number BIGINT, colname CHAR(127), err_reason CHAR(100), raw_line CHAR(1024))"
            )
            cur.execute("CREATE FUNCTION pg_last_copy_id() RETURNS INT LANGUAGE SQL AS 'SELECT 42'")
            cur.execute(
                "INSERT INTO stl_load_errors VALUES (42, 0, now(), "
                "'s3://music-analytics-staging/lake/songs/part-0.parquet', -1, 'title', "
                "'String length exceeds DDL length', repeat('x', 200))"
            )
            cur.execute("CREATE SCHEMA staging")
        conn.commit()
        with conn.cursor() as cur, pytest.raises(WarehouseError) as info:
            _warehouse().load_staging(cur, "songs", "/lake/songs/**/*.parquet", catalogue.BY_NAME["songs"].names)
        message = str(info.value)
        assert "COPY into staging.songs from s3://music-analytics-staging/lake/songs/ failed" in message
        assert (
            "stl_load_errors: s3://music-analytics-staging/lake/songs/part-0.parquet line -1 column title: "
            "String length exceeds DDL length"
        ) in message
        assert SENTINEL not in message
        with conn.cursor() as cur:  # the session is usable again: the adapter rolled back
            cur.execute("SELECT 1")
            assert cur.fetchall() == [(1,)]
    finally:
        conn.close()
