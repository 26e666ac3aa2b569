"""Staging on Redshift: the lake exported flat, uploaded to S3, loaded by one COPY per table.

Redshift has no COPY FROM STDIN: staging never streams rows through this process. The lake is
exported with exactly each table's catalogue columns, in order (COPY from Parquet maps columns by
position and needs their number to match; hive partition columns, which live only in folder
names, are put back), uploaded under a fresh prefix per run, and COPYed from there.
"""

from __future__ import annotations

from pathlib import Path

from ... import tables as catalogue
from ...config import RedshiftSettings
from ..render import ident, jsonpaths

# Where the JSONPaths files go, under s3_staging (generated from the catalogue).
JSONPATHS_FOLDER = "_jsonpaths"
# The lake's Parquet types as DuckDB writes the export (COPY takes INTEGER as int32, TIMESTAMP as us).
_DUCKDB_TYPE = {
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "double": "DOUBLE",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "boolean": "BOOLEAN",
}


def literal(value: str) -> str:
    """A SQL string literal ('' doubles a quote; settings are validated to hold none anyway)."""
    return "'" + value.replace("'", "''") + "'"


def export_for_copy(lake: Path, out: Path, copy_format: str = "parquet") -> dict[str, Path]:
    """Write each star table of the lake flat under out/<table>/, ready to upload for COPY; return the
    folders. JSON writes JSON lines for the JSONPaths files."""
    import duckdb

    from ...lake import table_glob

    folders: dict[str, Path] = {}
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        for table in catalogue.STAR:
            select = ", ".join(
                f"CAST({ident(c.name)} AS {_DUCKDB_TYPE.get(c.type, 'VARCHAR')}) AS {ident(c.name)}"
                for c in table.columns
            )
            folder = out / table.name
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"part-0.{'parquet' if copy_format == 'parquet' else 'json'}"
            source = f"read_parquet('{table_glob(lake, table.name)}', hive_partitioning = true)"
            options = "FORMAT parquet" if copy_format == "parquet" else "FORMAT json"
            con.execute(f"COPY (SELECT {select} FROM {source}) TO '{target}' ({options})")
            folders[table.name] = folder
    finally:
        con.close()
    return folders


def write_jsonpaths(folder: Path) -> None:
    """The JSONPaths file of every star table, as uploaded under s3_staging/_jsonpaths/."""
    target = folder / JSONPATHS_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    for table in catalogue.STAR:
        (target / f"{table.name}.json").write_text(jsonpaths(table), encoding="utf-8")


def jsonpaths_uri(settings: RedshiftSettings, table: str) -> str:
    return f"{str(settings.s3_staging).rstrip('/')}/{JSONPATHS_FOLDER}/{table}.json"


def region_clause(settings: RedshiftSettings) -> str:
    return f" REGION {literal(settings.region)}" if settings.region else ""
