"""SQL generated from the table catalogue (music_analytics/tables.py) for each warehouse dialect.

What the dialects differ in is data (`Dialect`), not `if`s in the statements' callers: whether
the DDL declares primary keys, how a merge is written (UPDATE + INSERT, or a delta table and
MERGE), how a null-safe comparison is spelled, what ALTER TABLE can do. Every generated statement
is pinned as a golden file per dialect (tests/golden/generated/) and parsed by sqlglot.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass

from ..tables import AddColumn, Column, DropNotNull, Migration, Table, Update

WIDTH = 110  # comment lines


@dataclass(frozen=True)
class Dialect:
    name: str
    # DuckDB leaves primary keys out: maintaining its ART index made the merge 4x slower, and the
    # merge never inserts a key twice (NOT EXISTS). PostgreSQL enforces them; Redshift only plans with them.
    primary_keys: bool
    # Redshift's MERGE takes no condition on WHEN MATCHED and its source must be a table: the rows to
    # write go to a temporary delta table first. The others UPDATE the changed rows, then INSERT new keys.
    merge_through_delta: bool
    # IS DISTINCT FROM is not documented for Redshift: there the null-safe comparison is spelled out.
    is_distinct_from: bool
    # ALTER COLUMN ... SET / DROP NOT NULL on a filled table: DuckDB cannot set it in the transaction that
    # filled the column, Redshift cannot change nullability at all (it replaces the column instead).
    set_not_null: bool
    drop_not_null: bool
    distribution_keys: bool  # DISTSTYLE / DISTKEY / SORTKEY
    why: str = ""  # added to every generated DDL comment


DUCKDB = Dialect(
    "duckdb",
    primary_keys=False,
    merge_through_delta=False,
    is_distinct_from=True,
    set_not_null=False,
    drop_not_null=True,
    distribution_keys=False,
    why="No PRIMARY KEY on DuckDB: its index maintenance made merges 4x slower; the merge never inserts "
    "a key twice (NOT EXISTS).",
)
POSTGRESQL = Dialect(
    "postgresql",
    primary_keys=True,
    merge_through_delta=False,
    is_distinct_from=True,
    set_not_null=True,
    drop_not_null=True,
    distribution_keys=False,
)
REDSHIFT = Dialect(
    "redshift",
    primary_keys=True,
    merge_through_delta=True,
    is_distinct_from=False,
    set_not_null=False,
    drop_not_null=False,
    distribution_keys=True,
    why="PRIMARY KEY is informational on Redshift (not enforced); the merge never inserts a key twice.",
)
DIALECTS: dict[str, Dialect] = {d.name: d for d in (DUCKDB, POSTGRESQL, REDSHIFT)}


def ident(name: str) -> str:
    """A quoted identifier; "schema.table" becomes "schema"."table" (Redshift reserves RAW, TIME...)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def _comment(text: str) -> list[str]:
    return [f"-- {line}" for line in textwrap.wrap(text, WIDTH - 3)]


def _type(column: Column) -> str:
    return {"double": "DOUBLE PRECISION"}.get(column.type, column.type.upper())


# -- DDL ---------------------------------------------------------------------------------------------


def create_table(table: Table, dialect: Dialect) -> str:
    """CREATE TABLE IF NOT EXISTS in the table's current shape (a missing table; never altered here)."""
    lines = [*_comment(table.purpose)]
    if dialect.distribution_keys:
        lines += _comment(f"DISTSTYLE {table.redshift.diststyle}: {table.redshift.why}")
    if table.key and dialect.why:
        lines += _comment(dialect.why)
    defs = [f"    {ident(c.name)} {_type(c)}{'' if c.nullable else ' NOT NULL'}" for c in table.columns]
    if table.key and dialect.primary_keys and table.role == "star":
        defs.append(f"    PRIMARY KEY ({', '.join(ident(k) for k in table.key)})")
    lines += [f"CREATE TABLE IF NOT EXISTS {ident(table.name)} (", ",\n".join(defs), ")"]
    if dialect.distribution_keys:
        r = table.redshift
        lines.append(f"DISTSTYLE {r.diststyle}")
        if r.distkey:
            lines.append(f"DISTKEY ({ident(r.distkey)})")
        if r.sortkey:
            lines.append(f"{'COMPOUND ' if r.compound else ''}SORTKEY ({', '.join(ident(k) for k in r.sortkey)})")
    return "\n".join(lines)


# -- merges ------------------------------------------------------------------------------------------


def _staged(column: Column) -> str:
    return column.staged or f"s.{ident(column.name)}"


def _differs(column: Column, dialect: Dialect, target: str = "t", source: str | None = None) -> str:
    left, right = f"{target}.{ident(column.name)}", source or _staged(column)
    if dialect.is_distinct_from:
        return f"{left} IS DISTINCT FROM {right}"
    if not column.nullable and column.staged is None:
        return f"{left} <> {right}"
    return (
        f"({left} <> {right} OR ({left} IS NULL AND {right} IS NOT NULL) OR ({left} IS NOT NULL AND {right} IS NULL))"
    )


def _key_match(table: Table, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{ident(k)} = {right}.{ident(k)}" for k in table.key)


def merge(table: Table, dialect: Dialect) -> list[str]:
    """The statements that merge staging.<table> into <table> (run in the one merge transaction)."""
    name, staging = ident(table.name), ident(f"staging.{table.name}")
    cols = ", ".join(ident(c) for c in table.names)
    if table.merge in ("none", "derive"):  # derive: sql/derived/ (music_analytics.derived)
        return []
    if table.merge == "append":
        return [
            f"INSERT INTO {name} ({cols})\nSELECT {', '.join(f's.{ident(c)}' for c in table.names)}\n"
            f"FROM {staging} AS s"
        ]
    insert = (
        f"INSERT INTO {name} ({cols})\nSELECT {', '.join(_staged(c) for c in table.columns)}\n"
        f"FROM {staging} AS s\nWHERE NOT EXISTS (SELECT 1 FROM {name} AS t WHERE {_key_match(table, 't', 's')})"
    )
    if table.merge == "insert_new":
        return [insert]
    values = [c for c in table.columns if c.name not in table.key]
    newer = f"s.{ident(table.newer_by)} >= t.{ident(table.newer_by)}" if table.newer_by else None
    out = (
        _merge_through_delta(table, dialect, values, newer)
        if dialect.merge_through_delta
        else _update_insert(table, dialect, values, newer, insert)
    )
    if table.prune_reloaded_by:
        by = ident(table.prune_reloaded_by)
        out.append(
            f"DELETE FROM {name}\nWHERE {by} IN (SELECT {by} FROM {ident('staging.loaded_files')})\n"
            f"  AND NOT EXISTS (SELECT 1 FROM {staging} AS s WHERE {_key_match(table, 's', table.name)})"
        )
    return out


def _update_insert(table: Table, dialect: Dialect, values: list[Column], newer: str | None, insert: str) -> list[str]:
    name, staging = ident(table.name), ident(f"staging.{table.name}")
    changed = "\n       OR ".join(_differs(c, dialect) for c in values)
    update = (
        f"UPDATE {name} AS t\nSET {', '.join(f'{ident(c.name)} = {_staged(c)}' for c in values)}\n"
        f"FROM {staging} AS s\nWHERE {_key_match(table, 't', 's')}\n"
        + (f"  AND {newer}\n" if newer else "")
        + f"  AND ({changed})"
    )
    return [update, insert]


def _merge_through_delta(table: Table, dialect: Dialect, values: list[Column], newer: str | None) -> list[str]:
    name, delta = ident(table.name), ident(f"delta_{table.name}")
    first_key = ident(table.key[0])
    staging = ident(f"staging.{table.name}")
    # The delta's columns are already in the warehouse's form (staged expressions applied inside).
    if any(c.staged for c in table.columns):
        inner = ", ".join(f"{_staged(c)} AS {ident(c.name)}" for c in table.columns)
        source = f"(SELECT {inner} FROM {staging} AS s) AS s"
    else:
        source = f"{staging} AS s"
    changed = "\n       OR ".join(_differs(c, dialect, source=f"s.{ident(c.name)}") for c in values)
    condition = f"({newer}\n       AND ({changed}))" if newer else f"({changed})"
    create = (
        f"CREATE TEMP TABLE {delta} AS\nSELECT s.*, t.{first_key} IS NULL AS is_new\n"
        f"FROM {source}\n"
        f"LEFT JOIN {name} AS t ON {_key_match(table, 't', 's')}\n"
        f"WHERE t.{first_key} IS NULL\n   OR {condition}"
    )
    target = table.name
    merge_statement = (
        f"MERGE INTO {name} USING {delta} AS s ON {_key_match(table, ident(target), 's')}\n"
        f"WHEN MATCHED THEN UPDATE SET {', '.join(f'{ident(c.name)} = s.{ident(c.name)}' for c in values)}\n"
        f"WHEN NOT MATCHED THEN INSERT ({', '.join(ident(c) for c in table.names)})\n"
        f"    VALUES ({', '.join(f's.{ident(c)}' for c in table.names)})"
    )
    return [create, merge_statement]


def delta_counts(table: Table) -> str:
    """(inserted, updated) of the last merge through a delta: is_new marks the inserted rows."""
    return (
        "SELECT COALESCE(SUM(CASE WHEN is_new THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN is_new THEN 0 ELSE 1 END), 0)\nFROM {ident(f'delta_{table.name}')}"
    )


# -- migrations --------------------------------------------------------------------------------------


def migration(step_of: Migration, table: Table, dialect: Dialect) -> list[str]:
    """The statements of one migration in a dialect (the column types come from the catalogue)."""
    name = ident(table.name)
    out: list[str] = []
    for step in step_of.steps:
        if isinstance(step, AddColumn):
            column = table.column(step.column)
            out += [
                f"ALTER TABLE {name} ADD COLUMN {ident(column.name)} {_type(column)}",
                f"UPDATE {name} SET {ident(column.name)} = {step.fill}",
            ]
            if not column.nullable and dialect.set_not_null:
                out.append(f"ALTER TABLE {name} ALTER COLUMN {ident(column.name)} SET NOT NULL")
        elif isinstance(step, DropNotNull):
            column = table.column(step.column)
            if dialect.drop_not_null:
                out.append(f"ALTER TABLE {name} ALTER COLUMN {ident(column.name)} DROP NOT NULL")
            else:
                # The column is replaced by a nullable copy (it moves to the end: every statement names columns).
                copy = ident(f"{column.name}_nullable")
                out += [
                    f"ALTER TABLE {name} ADD COLUMN {copy} {_type(column)}",
                    f"UPDATE {name} SET {copy} = {ident(column.name)}",
                    f"ALTER TABLE {name} DROP COLUMN {ident(column.name)}",
                    f"ALTER TABLE {name} RENAME COLUMN {copy} TO {ident(column.name)}",
                ]
        elif isinstance(step, Update):
            out.append(f"UPDATE {name} SET {step.set} WHERE {step.where}")
    return out


# -- Redshift COPY -----------------------------------------------------------------------------------


def jsonpaths(table: Table) -> str:
    """The JSONPaths file mapping a JSON-lines export of the table to its columns, in COPY's order."""
    return json.dumps({"jsonpaths": [f"$.{c}" for c in table.names]}, indent=2) + "\n"
