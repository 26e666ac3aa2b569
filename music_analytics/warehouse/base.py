"""What every warehouse adapter shares: DDL and merge statements from sql/warehouse/, run in order.

An adapter only says how to connect, run a statement, count affected rows and bulk-load a lake
table into staging. SQL is looked up along `sql_path` (most specific dialect first), so a
dialect overrides a shared file by shipping its own copy: the differences are files, not `if`s.
"""

from __future__ import annotations

import abc
import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from .. import sql
from ..config import WarehouseURL

# Tables the pipeline owns, in the order they are created and merged (dimensions before facts).
MERGE_ORDER: tuple[str, ...] = ("artists", "songs", "users", "time", "songplays", "events", "rejected_records")
# Tables the pipeline writes outside the merge: one row per expectation evaluated per run and
# gate, and the run ledger (one row per run; loaded_files is written in the merge transaction).
HISTORY_TABLES: tuple[str, ...] = ("quality_results", "pipeline_runs", "loaded_files")
# Staged from the run's plan (not from the lake) and merged after MERGE_ORDER, in the same transaction.
LEDGER_FILES = "loaded_files"
# The migrations a warehouse has had (sql/warehouse/<dialect>/migrate/<id>.sql).
MIGRATIONS_TABLE = "schema_migrations"


@dataclass(frozen=True)
class Migration:
    """A change to a table of an existing warehouse; a table created after it already has its shape."""

    id: str  # the file sql/warehouse/<dialect>/migrate/<id>.sql
    table: str


# In the order they are applied. Never edit or reorder a released one: add a new one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration("001-time-iso-year", "time"),
    Migration("001-songs-year-unknown", "songs"),
    Migration("001-artists-location-unknown", "artists"),
)
# The published songs as the transform engines match plays against them (sources.SourceFiles.catalogue).
CATALOGUE = pa.schema(
    [
        ("song_id", pa.string()),
        ("title", pa.string()),
        ("artist_id", pa.string()),
        ("artist_name", pa.string()),
        ("duration", pa.float64()),
    ]
)
# Columns staged from each lake table (the lake may carry extra partition columns).
COLUMNS: dict[str, tuple[str, ...]] = {
    "artists": ("artist_id", "name", "location", "latitude", "longitude"),
    "songs": ("song_id", "title", "artist_id", "artist_name", "year", "duration"),
    "users": ("user_id", "first_name", "last_name", "gender", "level", "level_ts"),
    "time": ("start_time", "hour", "day", "week", "month", "year", "weekday", "iso_year"),
    "songplays": (
        "songplay_id",
        "start_time",
        "user_id",
        "level",
        "song_id",
        "artist_id",
        "session_id",
        "location",
        "user_agent",
    ),
    "events": (
        "event_id",
        "start_time",
        "ts",
        "user_id",
        "session_id",
        "item_in_session",
        "page",
        "auth",
        "level",
        "method",
        "status",
        "location",
        "user_agent",
        "registration_time",
        "song",
        "artist",
        "length",
    ),
    "rejected_records": ("source_file", "line_number", "input", "reason", "detail", "raw"),
}
# Sort keys used when comparing whole tables (tests, parity checks).
KEYS: dict[str, tuple[str, ...]] = {
    "artists": ("artist_id",),
    "songs": ("song_id",),
    "users": ("user_id",),
    "time": ("start_time",),
    "songplays": ("songplay_id",),
    "events": ("event_id",),
    "rejected_records": ("source_file", "line_number"),
}


class WarehouseLock(abc.ABC):
    """One pipeline run at a time per warehouse: the staging tables and the lake are shared."""

    @abc.abstractmethod
    def try_acquire(self) -> bool:
        """Take the lock if it is free; False if another run holds it."""

    @abc.abstractmethod
    def holder(self) -> str:
        """Who holds the lock, for the waiting run's message (best effort)."""

    def ensure(self) -> None:  # noqa: B027 - a file lock cannot be lost; only a session lock overrides this
        """Raise if the lock was lost (e.g. the database restarted) and cannot be taken back."""

    @abc.abstractmethod
    def release(self) -> None:
        """Give the lock up (idempotent)."""


def quote(table: str) -> str:
    """A quoted table name; "schema.table" becomes "schema"."table"."""
    return ".".join(f'"{part}"' for part in table.split("."))


@dataclass
class MergeCounts:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    staged: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class Warehouse(abc.ABC):
    """A database the star schema is published to."""

    dialect: str = ""
    sql_path: tuple[str, ...] = ("common",)

    def __init__(self, url: WarehouseURL) -> None:
        self.url = url

    def __str__(self) -> str:
        return str(self.url)

    # -- what an adapter provides ----------------------------------------------------------

    @abc.abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A connection/cursor inside one transaction: committed on success, rolled back on error."""

    @abc.abstractmethod
    def execute(self, tx: Any, statement: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the number of rows it affected (-1 when not applicable)."""

    @abc.abstractmethod
    def fetch(self, tx: Any, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a query and return all rows."""

    @abc.abstractmethod
    def load_staging(
        self,
        tx: Any,
        table: str,
        lake_glob: str,
        columns: Sequence[str],
        progress: Callable[[str], None] = lambda _m: None,
    ) -> int:
        """Bulk-load the lake table's Parquet files into staging.<table>; return rows loaded.

        `progress` hears how a long load is going (progress.Periodic lines)."""

    @abc.abstractmethod
    def insert_arrow(self, tx: Any, table: str, rows: pa.Table) -> int:
        """Bulk-insert an Arrow table's rows into `table` (columns by name); return rows inserted."""

    @abc.abstractmethod
    def frame(self, tx: Any, statement: str) -> pd.DataFrame:
        """Run a query and return its result as a pandas DataFrame (for the quality gates)."""

    # -- shared behaviour ------------------------------------------------------------------

    def sql_file(self, relative: str) -> str:
        for dialect in self.sql_path:
            try:
                return sql.read(f"warehouse/{dialect}/{relative}")
            except FileNotFoundError:
                continue
        raise FileNotFoundError(f"sql/warehouse/{{{','.join(self.sql_path)}}}/{relative}")

    def sql_statements(self, relative: str, **values: object) -> list[str]:
        """The statements of the first file found along sql_path, {{placeholders}} filled from values."""
        text = self.sql_file(relative)
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
        statements = [s.strip().rstrip(";") for s in body.split(";\n") if s.strip().rstrip(";").strip()]
        return [sql.fill(s, relative, values) for s in statements]

    def tables(self, tx: Any) -> set[str]:
        """The tables of the schema the warehouse's statements use."""
        return {str(row[0]) for row in self.fetch(tx, self.sql_statements("catalog/tables.sql")[0])}

    def has_table(self, table: str) -> bool:
        with self.transaction() as tx:
            return table in self.tables(tx)

    def check(self) -> None:
        """Connect and run a trivial query: fails fast with a one-line WarehouseError when unreachable."""
        with self.transaction() as tx:
            self.fetch(tx, "SELECT 1")

    def create_schema(self) -> None:
        """Create missing tables and the staging schema, and migrate older tables, in one transaction.

        Tables are created in their current shape; a table that existed before gets the migrations
        it has not had yet (recorded in schema_migrations). Never drops user data.
        """
        with self.transaction() as tx:
            existed = self.tables(tx)
            for table in (*MERGE_ORDER, *HISTORY_TABLES, MIGRATIONS_TABLE):
                for statement in self.sql_statements(f"schema/{table}.sql"):
                    self.execute(tx, statement)
            self.execute(tx, "CREATE SCHEMA IF NOT EXISTS staging")
            applied = {str(r[0]) for r in self.fetch(tx, f"SELECT id FROM {MIGRATIONS_TABLE}")}
            pending = [m for m in MIGRATIONS if m.id not in applied]
            for migration in pending:
                if migration.table in existed:
                    for statement in self.sql_statements(f"migrate/{migration.id}.sql"):
                        self.execute(tx, statement)
            if pending:
                self.insert_arrow(
                    tx,
                    MIGRATIONS_TABLE,
                    pa.table(
                        {
                            "id": pa.array([m.id for m in pending], pa.string()),
                            "applied_at": pa.array(
                                [dt.datetime.now(dt.UTC).replace(tzinfo=None)] * len(pending), pa.timestamp("us")
                            ),
                        }
                    ),
                )

    def stage(
        self, lake: Path, progress: Callable[[str], None] = lambda _m: None, files: pa.Table | None = None
    ) -> MergeCounts:
        """Replace the staging tables with the lake's current contents (scratch tables, own transaction).

        `files` are the run's loaded_files ledger rows, staged to be merged with the data.
        """
        from ..lake import table_glob

        counts = MergeCounts()
        with self.transaction() as tx:
            for statement in self.sql_statements("stage/recreate.sql", table=quote(LEDGER_FILES)):
                self.execute(tx, statement)
            if files is not None and files.num_rows:
                self.insert_arrow(tx, f"staging.{LEDGER_FILES}", files)
            for table in MERGE_ORDER:
                t0 = time.perf_counter()
                for statement in self.sql_statements("stage/recreate.sql", table=quote(table)):
                    self.execute(tx, statement)
                counts.staged[table] = self.load_staging(tx, table, table_glob(lake, table), COLUMNS[table], progress)
                for statement in self.sql_statements("stage/analyze.sql", table=quote(table)):
                    self.execute(tx, statement)
                counts.seconds[f"stage {table}"] = time.perf_counter() - t0
                progress(f"staged {counts.staged[table]:,} rows into staging.{table}")
        return counts

    def merge(
        self, counts: MergeCounts | None = None, progress: Callable[[str], None] = lambda _m: None
    ) -> MergeCounts:
        """Merge every staging table into the star schema in ONE transaction: all or nothing."""
        counts = counts or MergeCounts()
        with self.transaction() as tx:
            for statement in self.sql_statements("merge/_begin.sql"):
                self.execute(tx, statement)
            for table in MERGE_ORDER:
                t0 = time.perf_counter()
                inserted = updated = 0
                for statement in self.sql_statements(f"merge/{table}.sql"):
                    affected = max(self.execute(tx, statement), 0)
                    verb = statement.split(None, 1)[0].upper()
                    if verb == "UPDATE":
                        updated += affected
                    elif verb == "INSERT":
                        inserted += affected
                    elif verb == "MERGE":
                        new, changed = self.merge_split(tx, table, affected)
                        inserted += new
                        updated += changed
                counts.inserted[table], counts.updated[table] = inserted, updated
                counts.seconds[f"merge {table}"] = time.perf_counter() - t0
                progress(f"merged {table}: {counts.inserted[table]:,} inserted, {counts.updated[table]:,} updated")
            for statement in self.sql_statements(f"merge/{LEDGER_FILES}.sql"):
                self.execute(tx, statement)
        return counts

    def merge_split(self, tx: Any, table: str, affected: int) -> tuple[int, int]:
        """(inserted, updated) of a MERGE on `table`; dialects whose merge files use MERGE override this."""
        raise NotImplementedError(
            f"{self.dialect}: merge/{table}.sql uses MERGE but the adapter cannot split its count"
        )

    def prepare_lake(  # noqa: B027 - optional hook
        self,
        lake: Path,
        upload: Callable[[Path, str], list[str]],
        progress: Callable[[str], None] = lambda _m: None,
    ) -> None:
        """Make the lake readable by the warehouse before staging; `upload(folder, s3_uri)` copies a
        folder to S3. Nothing to do for warehouses that read the lake's files directly."""

    def export_catalogue(self, path: Path) -> int:
        """Write the published songs as the engines' song catalogue (Parquet at `path`); return rows."""
        import pyarrow.parquet as pq

        with self.transaction() as tx:
            table = self.arrow(tx, f"SELECT {', '.join(CATALOGUE.names)} FROM songs", CATALOGUE)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        pq.write_table(table, partial)
        partial.replace(path)
        return int(table.num_rows)

    @abc.abstractmethod
    def lock(self, owner: str) -> WarehouseLock:
        """The warehouse-wide pipeline lock (not yet acquired); `owner` names the run in messages."""

    def append_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
        """Append rows to `table` in one bulk insert and its own transaction (history tables)."""
        if not rows:
            return 0
        data = pa.Table.from_pylist([dict(zip(columns, row, strict=True)) for row in rows])
        with self.transaction() as tx:
            return self.insert_arrow(tx, table, data)

    def table_rows(self, table: str) -> list[tuple[Any, ...]]:
        """All rows of a pipeline table in key order (for comparisons in tests and parity checks)."""
        cols = ", ".join(f'"{c}"' for c in COLUMNS[table])  # "raw" is reserved on Redshift
        order = ", ".join(KEYS[table])
        with self.transaction() as tx:
            return self.fetch(tx, f"SELECT {cols} FROM {quote(table)} ORDER BY {order}")

    def arrow(self, tx: Any, statement: str, schema: pa.Schema) -> pa.Table:
        """A query's result as an Arrow table of `schema` (columns by position). Adapters override
        this with their bulk path; the default goes through Python rows."""
        _columns, rows = self.fetch_with_columns(tx, statement)
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
        # NUMERIC arrives as Decimal, which Arrow will not narrow to a double by itself.
        return pa.table(
            [
                pa.array(
                    [None if v is None else float(v) for v in values] if pa.types.is_floating(f.type) else values,
                    type=f.type,
                )
                for f, values in zip(schema, columns, strict=True)
            ],
            schema=schema,
        )

    def fetch_with_columns(self, tx: Any, statement: str) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        """Run a query; return its column names and rows (both adapters' tx objects are DB-API cursors)."""
        rows = self.fetch(tx, statement)
        return tuple(d[0] for d in tx.description), rows

    def query(self, statement: str) -> list[tuple[Any, ...]]:
        """Run one read-only query in its own transaction (tests, checks)."""
        with self.transaction() as tx:
            return self.fetch(tx, statement)

    def count(self, table: str) -> int:
        with self.transaction() as tx:
            return int(self.fetch(tx, f"SELECT COUNT(*) FROM {quote(table)}")[0][0])
