"""DuckDB file warehouse: the embedded default. Staging reads the lake's Parquet directly."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import duckdb
import pyarrow as pa

from ..config import DuckDBSettings, WarehouseURL
from ..errors import WarehouseError
from ..progress import duckdb_share, watching
from . import render
from .base import SqlAlchemySource, Warehouse, WarehouseLock, quote


class DuckDBWarehouse(Warehouse):
    dialect = render.DUCKDB
    sql_path = ("duckdb", "common")

    def __init__(self, url: WarehouseURL, duckdb: DuckDBSettings | None = None) -> None:
        super().__init__(url)
        # Bounded in a run (the config's default) so a large merge spills to disk rather than fail.
        self.memory_limit = duckdb.memory_limit if duckdb is not None else None

    @property
    def path(self) -> Path:
        return Path(self.url.path)

    def sqlalchemy_source(self) -> SqlAlchemySource:
        config = {"memory_limit": self.memory_limit} if self.memory_limit else {}
        return SqlAlchemySource(
            url=f"duckdb:///{self.path.resolve()}", engine_kwargs={"connect_args": {"config": config}}
        )

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            config: dict[str, str | bool | int | float | list[str]] = (
                {"memory_limit": self.memory_limit} if self.memory_limit else {}
            )
            con = duckdb.connect(str(self.path), config=config)
        except (duckdb.Error, OSError) as exc:
            raise WarehouseError(f"warehouse {self}: cannot open ({str(exc).splitlines()[0]})") from exc
        try:
            con.execute("SET TimeZone = 'UTC'")
            # query_progress() (periodic progress lines) needs it; nothing is printed by DuckDB itself.
            con.execute("SET enable_progress_bar = true")
            con.execute("SET enable_progress_bar_print = false")
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    def execute(self, tx: duckdb.DuckDBPyConnection, statement: str, params: Sequence[Any] = ()) -> int:
        try:
            result = tx.execute(statement, list(params)).fetchall()
        except duckdb.Error as exc:
            raise WarehouseError(f"warehouse {self}: {str(exc).splitlines()[0]}") from exc
        # DuckDB answers INSERT/UPDATE/DELETE with one row holding the affected count.
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE") and result and len(result[0]) == 1:
            return int(result[0][0])
        return -1

    def fetch(self, tx: duckdb.DuckDBPyConnection, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return tx.execute(statement, list(params)).fetchall()
        except duckdb.Error as exc:
            raise WarehouseError(f"warehouse {self}: {str(exc).splitlines()[0]}") from exc

    def load_staging(
        self,
        tx: duckdb.DuckDBPyConnection,
        table: str,
        lake_glob: str,
        columns: Sequence[str],
        progress: Callable[[str], None] = lambda _m: None,
    ) -> int:
        cols = ", ".join(columns)
        source = f"read_parquet('{lake_glob}', hive_partitioning = true)"
        with watching(progress, f"staging {table}", duckdb_share(tx)):
            return self.execute(tx, f"INSERT INTO staging.{quote(table)} ({cols}) SELECT {cols} FROM {source}")

    def insert_arrow(self, tx: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> int:
        cols = ", ".join(rows.column_names)
        tx.register("_rows_in", rows)
        try:
            return self.execute(tx, f"INSERT INTO {quote(table)} ({cols}) SELECT {cols} FROM _rows_in")
        finally:
            tx.unregister("_rows_in")

    def lock(self, owner: str) -> WarehouseLock:
        return FileLock(self.path, owner)

    def arrow(self, tx: duckdb.DuckDBPyConnection, statement: str, schema: pa.Schema) -> pa.Table:
        try:
            # The relation API hands DuckDB's columns to Arrow without the DB-API result's extra copy.
            relation = tx.sql(statement)
            if relation is None:
                raise WarehouseError(f"warehouse {self}: not a query: {statement[:60]}")
            table = relation.to_arrow_table()
        except duckdb.Error as exc:
            raise WarehouseError(f"warehouse {self}: {str(exc).splitlines()[0]}") from exc
        return table.rename_columns(schema.names).cast(schema)


class FileLock(WarehouseLock):
    """An exclusive flock on <warehouse file>.lock, released by the OS if the process dies.

    The file holds the owner's description for the message of a run that has to wait.
    """

    def __init__(self, database: Path, owner: str) -> None:
        self.path = database.with_name(database.name + ".lock")
        self.owner = owner
        self._fh: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self._fh is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return False
        fh.seek(0)
        fh.truncate()
        fh.write(
            f"{self.owner} (pid {os.getpid()} on {socket.gethostname()}, since "
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC)\n"
        )
        fh.flush()
        self._fh = fh
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "another process"
        except OSError:
            return "another process"

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
