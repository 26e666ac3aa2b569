"""The table catalogue (music_analytics/tables.py) and the SQL generated from it.

Every statement render.py generates for each dialect is pinned as a golden file
(tests/golden/generated/<dialect>/<name>.sql; regenerate with MA_UPDATE_GOLDEN=1 and review the
diff) and parses in its dialect; the catalogue is consistent with itself and with the lake the
engines write; and the warehouse layer names no star-schema column outside the catalogue, so adding
a column is an edit of the catalogue (and of the model computing it), not a hunt.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from music_analytics import pipeline
from music_analytics import tables as catalogue
from music_analytics.lake import table_glob
from music_analytics.warehouse import render
from tests.helpers import REPO, generated_statements, make_config, write_source

GOLDEN = Path(__file__).parent / "golden" / "generated"
SQLGLOT_DIALECT = {"duckdb": "duckdb", "postgresql": "postgres", "redshift": "redshift"}


STATEMENTS = {(d, name): s for d in render.DIALECTS.values() for name, s in generated_statements(d).items()}


def _golden_path(dialect: str, name: str) -> Path:
    return GOLDEN / dialect / f"{name}.sql"


@pytest.mark.parametrize(("dialect", "name"), sorted((d.name, n) for d, n in STATEMENTS))
def test_generated_statement_matches_golden(dialect: str, name: str) -> None:
    text = STATEMENTS[(render.DIALECTS[dialect], name)] + "\n"
    path = _golden_path(dialect, name)
    if os.environ.get("MA_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.read_text() == text


def test_no_stale_generated_goldens() -> None:
    expected = {_golden_path(d.name, n) for d, n in STATEMENTS}
    if os.environ.get("MA_UPDATE_GOLDEN"):
        for path in GOLDEN.rglob("*.sql"):
            if path not in expected:
                path.unlink()
    assert set(GOLDEN.rglob("*.sql")) == expected


@pytest.mark.parametrize(("dialect", "name"), sorted((d.name, n) for d, n in STATEMENTS))
def test_generated_statement_parses(dialect: str, name: str) -> None:
    statement = STATEMENTS[(render.DIALECTS[dialect], name)]
    tree = sqlglot.parse_one(statement, read=SQLGLOT_DIALECT[dialect], error_level=sqlglot.ErrorLevel.RAISE)
    assert not isinstance(tree, exp.Command), f"only parsed as an opaque command: {statement}"
    if isinstance(tree, exp.Create) and name.startswith("create."):
        table = catalogue.BY_NAME[name.removeprefix("create.")]
        assert [c.name for c in tree.find_all(exp.ColumnDef)] == list(table.names)


def test_dialects_differ_only_as_declared() -> None:
    users = catalogue.BY_NAME["users"]
    duck, pg, red = (render.create_table(users, d) for d in (render.DUCKDB, render.POSTGRESQL, render.REDSHIFT))
    assert "PRIMARY KEY (" not in duck and "PRIMARY KEY (" in pg and "PRIMARY KEY (" in red
    assert "DISTSTYLE" in red and "DISTSTYLE" not in pg
    assert [s.split(None, 1)[0] for s in render.merge(users, render.POSTGRESQL)] == ["UPDATE", "INSERT"]
    assert [s.split(None, 1)[0] for s in render.merge(users, render.REDSHIFT)] == ["CREATE", "MERGE"]
    assert "IS DISTINCT FROM" not in "".join(render.merge(users, render.REDSHIFT))


def test_the_catalogue_is_consistent() -> None:
    assert len(catalogue.BY_NAME) == len(catalogue.ALL)
    for table in catalogue.ALL:
        names = set(table.names)
        assert len(names) == len(table.columns), table.name
        referenced = {*table.key, *table.redshift.sortkey}
        referenced |= {c for c in (table.newer_by, table.prune_reloaded_by, table.redshift.distkey) if c}
        assert referenced <= names, table.name
        assert all(not table.column(k).nullable for k in table.key), table.name
        assert (table.merge in ("upsert", "insert_new")) == bool(table.key) or table.role != "star", table.name
        assert (table.redshift.diststyle == "KEY") == (table.redshift.distkey is not None), table.name
        if table.role == "star":
            assert table.lake is not None and table.merge != "none", table.name
            computed = {name for name, _ in table.lake.partition_exprs}
            assert set(table.lake.partition_by) <= names | computed, table.name
    # Dimensions are merged before the facts that refer to them.
    order = [t.name for t in catalogue.STAR]
    assert order.index("songs") < order.index("songplays") and order.index("users") < order.index("songplays")
    for migration in catalogue.MIGRATIONS:
        table = catalogue.BY_NAME[migration.table]
        for step in migration.steps:
            if isinstance(step, catalogue.AddColumn | catalogue.DropNotNull):
                assert step.column in table.names, migration.id
    assert len({m.id for m in catalogue.MIGRATIONS}) == len(catalogue.MIGRATIONS)


def test_a_column_type_outside_the_catalogue_types_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown type 'text'"):
        catalogue.Column("x", "text")


def test_the_lake_the_engine_writes_has_the_catalogue_columns(tmp_path: Path) -> None:
    """The models (sql/transform/) compute what the catalogue declares: the lake holds every column
    staging reads (the lake's events keep a few more raw fields), partition columns only in folder names."""
    write_source(tmp_path / "raw")
    cfg = make_config(tmp_path, tmp_path / "raw", f"duckdb:///{tmp_path / 'w.duckdb'}")
    pipeline.run(cfg)
    for table in catalogue.STAR:
        assert table.lake is not None
        files = sorted(Path(cfg.lake_path / table.name).rglob("*.parquet"))
        assert files, f"no lake files for {table.name} ({table_glob(cfg.lake_path, table.name)})"
        written = set(pq.read_schema(files[0]).names)
        assert written >= set(table.names) - set(table.lake.partition_by), table.name
        assert not written & set(table.lake.partition_by), table.name
        assert not written & set(table.lake.exclude), table.name


# -- the warehouse layer names no star-schema column ---------------------------------------------------

# Columns of the star schema that no ledger or history table shares (a ledger query may name its own
# source_file).
STAR_ONLY = {c for t in catalogue.STAR for c in t.names} - {c for t in catalogue.OTHER for c in t.names}
STAR_TABLES = {t.name for t in catalogue.STAR}


def test_warehouse_sql_files_name_no_star_column() -> None:
    offenders = []
    for path in sorted((REPO / "sql" / "warehouse").rglob("*.sql")):
        body = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("--"))
        body = re.sub(r"\{\{\s*\w+\s*\}\}", "placeholder", body)
        for statement in filter(str.strip, body.split(";\n")):
            try:
                tree = sqlglot.parse_one(statement, read="postgres")
            except sqlglot.errors.ParseError:
                tree = sqlglot.parse_one(statement, read="redshift")
            # A query of a system table (stl_load_errors.line_number) is not about the star schema.
            if not {t.name for t in tree.find_all(exp.Table)} & (STAR_TABLES | {"placeholder"}):
                continue
            offenders += [
                f"{path.relative_to(REPO)}: {c.name}" for c in tree.find_all(exp.Column) if c.name in STAR_ONLY
            ]
    assert offenders == []


def test_warehouse_modules_name_no_star_column() -> None:
    offenders = []
    for path in sorted((REPO / "music_analytics" / "warehouse").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            # A column as a string of its own, or as SQL in a string: quoted, or qualified by an alias.
            hits = {c for c in STAR_ONLY if node.value == c or re.search(rf'(\w\.|"){re.escape(c)}\b', node.value)}
            offenders += [f"{path.relative_to(REPO)}:{node.lineno}: {c}" for c in sorted(hits)]
    assert offenders == []


def test_the_scan_finds_a_column_when_one_is_written() -> None:
    """The two checks above would see a hand-written column (they are not vacuous)."""
    tree = sqlglot.parse_one("SELECT s.level_ts FROM staging.users AS s", read="postgres")
    assert [c.name for c in tree.find_all(exp.Column) if c.name in STAR_ONLY] == ["level_ts"]
    assert re.search(r'(\w\.|")level_ts\b', 'UPDATE users SET "level_ts" = 1')
