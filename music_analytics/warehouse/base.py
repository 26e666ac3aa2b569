"""What every warehouse adapter shares: the schema, staging and merge, generated from the table
catalogue (music_analytics/tables.py) in the adapter's dialect (render.py).

An adapter only says how to connect, run a statement, bulk-load a lake table into staging and
bulk-insert Arrow rows, and which `Dialect` it speaks. The few statements that are not about a
table's shape are SQL files looked up along `sql_path` (most specific dialect first), so a
dialect overrides one by shipping its own copy: the differences are files and data, not `if`s.
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

import pyarrow as pa

from .. import derived, sql, timezones
from .. import tables as catalogue
from ..config import WarehouseURL
from . import render

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


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
    return render.ident(table)


@dataclass
class MergeCounts:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    staged: dict[str, int] = field(default_factory=dict)
    # Derived tables: the rows rebuilt for the run's users and sessions (not new rows: a rerun rebuilds them too).
    rebuilt: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SqlAlchemySource:
    """A SQLAlchemy URL that may be stored: the password is `${SECRET_ENV}`, its value in `secrets`."""

    url: str
    engine_kwargs: dict[str, Any] = field(default_factory=dict)  # create_engine(**kwargs), JSON values
    secrets: dict[str, str] = field(default_factory=dict, repr=False)


SECRET_ENV = "MUSIC_ANALYTICS_SQLALCHEMY_PASSWORD"


class Warehouse(abc.ABC):
    """A database the star schema is published to."""

    dialect: render.Dialect
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
        self, tx: Any, table: str, lake_glob: str, columns: Sequence[str], progress: Progress = _quiet
    ) -> int:
        """Bulk-load the lake table's Parquet files into staging.<table>; return rows loaded.

        `progress` hears how a long load is going (progress.Periodic lines)."""

    @abc.abstractmethod
    def insert_arrow(self, tx: Any, table: str, rows: pa.Table) -> int:
        """Bulk-insert an Arrow table's rows into `table` (columns by name); return rows inserted."""

    @abc.abstractmethod
    def lock(self, owner: str) -> WarehouseLock:
        """The warehouse-wide pipeline lock (not yet acquired); `owner` names the run in messages."""

    @abc.abstractmethod
    def sqlalchemy_source(self) -> SqlAlchemySource:
        """How a tool with its own SQLAlchemy engine (GX's SQL engine) connects to this warehouse."""

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

    def check(self) -> None:
        """Connect and run a trivial query: fails fast with a one-line WarehouseError when unreachable."""
        with self.transaction() as tx:
            self.fetch(tx, "SELECT 1")

    def tables(self, tx: Any) -> set[str]:
        """The tables of the schema the warehouse's statements use."""
        return {str(row[0]) for row in self.fetch(tx, self.sql_statements("catalog/tables.sql")[0])}

    def has_table(self, table: str) -> bool:
        with self.transaction() as tx:
            return table in self.tables(tx)

    def create_schema(self) -> None:
        """Create missing tables and the staging schema, and migrate older tables, in one transaction.

        Tables are created in their current shape; a table that existed before gets the migrations
        it has not had yet (recorded in schema_migrations). Never drops user data.
        """
        with self.transaction() as tx:
            existed = self.tables(tx)
            for table in catalogue.ALL:
                self.execute(tx, render.create_table(table, self.dialect))
            self.execute(tx, "CREATE SCHEMA IF NOT EXISTS staging")
            applied = {str(r[0]) for r in self.fetch(tx, f"SELECT id FROM {quote(catalogue.SCHEMA_MIGRATIONS.name)}")}
            pending = [m for m in catalogue.MIGRATIONS if m.id not in applied]
            for migration in pending:
                if migration.table in existed:
                    table = catalogue.BY_NAME[migration.table]
                    for statement in render.migration(migration, table, self.dialect):
                        self.execute(tx, statement)
            self._write_time_zones(tx)
            # Derived tables new to a warehouse that has events are built from all of them once.
            if catalogue.EVENTS.name in existed:
                for table in catalogue.DERIVED:
                    if table.name not in existed:
                        self.derive(tx, table, derived.ALL_EVENTS)
            if pending:
                now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                self.insert_arrow(
                    tx,
                    catalogue.SCHEMA_MIGRATIONS.name,
                    pa.table(
                        {"id": [m.id for m in pending], "applied_at": [now] * len(pending)},
                        schema=catalogue.SCHEMA_MIGRATIONS.arrow_schema(),
                    ),
                )

    def _write_time_zones(self, tx: Any) -> None:
        """The state -> time zone mapping (music_analytics.timezones), replaced when it changed."""
        table = catalogue.STATE_TIME_ZONES
        wanted = sorted(timezones.STATE_TIME_ZONES.items())
        name = quote(table.name)
        if sorted((str(a), str(b)) for a, b in self.fetch(tx, f"SELECT state, time_zone FROM {name}")) == wanted:
            return
        self.execute(tx, f"DELETE FROM {name}")
        self.insert_arrow(
            tx,
            table.name,
            pa.table(
                {"state": [k for k, _ in wanted], "time_zone": [v for _, v in wanted]}, schema=table.arrow_schema()
            ),
        )

    def stage(self, lake: Path, progress: Progress = _quiet, files: pa.Table | None = None) -> MergeCounts:
        """Replace the staging tables with the lake's current contents (scratch tables, own transaction).

        `files` are the run's loaded_files ledger rows, staged to be merged with the data.
        """
        from ..lake import table_glob

        counts = MergeCounts()
        with self.transaction() as tx:
            ledger = catalogue.LOADED_FILES.name
            for statement in self.sql_statements("stage/recreate.sql", table=quote(ledger)):
                self.execute(tx, statement)
            if files is not None and files.num_rows:
                self.insert_arrow(tx, f"staging.{ledger}", files)
            for table in catalogue.STAR:
                t0 = time.perf_counter()
                for statement in self.sql_statements("stage/recreate.sql", table=quote(table.name)):
                    self.execute(tx, statement)
                counts.staged[table.name] = self.load_staging(
                    tx, table.name, table_glob(lake, table.name), table.names, progress
                )
                for statement in self.sql_statements("stage/analyze.sql", table=quote(table.name)):
                    self.execute(tx, statement)
                counts.seconds[f"stage {table.name}"] = time.perf_counter() - t0
                progress(f"staged {counts.staged[table.name]:,} rows into staging.{table.name}")
        return counts

    def merge(self, counts: MergeCounts | None = None, progress: Progress = _quiet) -> MergeCounts:
        """Merge every staging table into the star schema in ONE transaction: all or nothing."""
        counts = counts or MergeCounts()
        with self.transaction() as tx:
            for statement in self.sql_statements("merge/_begin.sql"):
                self.execute(tx, statement)
            for table in catalogue.STAR:
                t0 = time.perf_counter()
                inserted = updated = 0
                for statement in render.merge(table, self.dialect):
                    affected = max(self.execute(tx, statement), 0)
                    verb = statement.split(None, 1)[0].upper()
                    if verb == "UPDATE":
                        updated += affected
                    elif verb == "INSERT":
                        inserted += affected
                    elif verb == "MERGE":
                        new, changed = self.fetch(tx, render.delta_counts(table))[0]
                        inserted += int(new)
                        updated += int(changed)
                counts.inserted[table.name], counts.updated[table.name] = inserted, updated
                counts.seconds[f"merge {table.name}"] = time.perf_counter() - t0
                progress(f"merged {table.name}: {inserted:,} inserted, {updated:,} updated")
            for table in catalogue.DERIVED:
                t0 = time.perf_counter()
                counts.rebuilt[table.name] = self.derive(tx, table, derived.STAGED)
                counts.seconds[f"derive {table.name}"] = time.perf_counter() - t0
                progress(f"rebuilt {table.name} for the run's users and sessions: {counts.rebuilt[table.name]:,} rows")
            # The run's file rows, in the same transaction: "in the ledger" always means "published".
            for statement in render.merge(catalogue.LOADED_FILES, self.dialect):
                self.execute(tx, statement)
        return counts

    def derive(self, tx: Any, table: catalogue.Table, touched: str) -> int:
        """Rebuild a derived table for the keys in `touched`; return the rows it wrote."""
        written = 0
        for statement in derived.statements(table, touched):
            affected = max(self.execute(tx, statement), 0)
            if statement.split(None, 1)[0].upper() == "INSERT":
                written += affected
        return written

    def prepare_lake(self, lake: Path, progress: Progress = _quiet) -> None:  # noqa: B027 - optional hook
        """Make the lake readable by the warehouse before staging. Nothing to do for warehouses that
        read the lake's files directly; Redshift uploads an export to S3 for COPY."""

    def export_catalogue(self, path: Path) -> int:
        """Write the published songs as the engines' song catalogue (Parquet at `path`); return rows."""
        import pyarrow.parquet as pq

        schema = catalogue.SONG_CATALOGUE
        with self.transaction() as tx:
            table = self.arrow(tx, f"SELECT {', '.join(quote(c) for c in schema.names)} FROM songs", schema)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        pq.write_table(table, partial)
        partial.replace(path)
        return int(table.num_rows)

    def append_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
        """Append rows to `table` in one bulk insert and its own transaction (history tables)."""
        if not rows:
            return 0
        schema = catalogue.BY_NAME[table].arrow_schema(tuple(columns))
        data = pa.Table.from_pylist([dict(zip(columns, row, strict=True)) for row in rows], schema=schema)
        with self.transaction() as tx:
            return self.insert_arrow(tx, table, data)

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
