"""PostgreSQL warehouse: staging via COPY (CSV streamed from the lake's Parquet in Arrow batches)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pandas as pd
import psycopg2
import psycopg2.extensions
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import secrets
from ..errors import TransientWarehouseError, WarehouseError, is_transient
from .base import Warehouse, quote

BATCH_ROWS = 200_000


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return secrets.redact(text[0] if text else type(exc).__name__)


class PostgresWarehouse(Warehouse):
    dialect = "postgresql"
    sql_path = ("postgresql", "common")

    def connect_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "host": self.url.host,
            "port": self.url.port,
            "dbname": self.url.database,
            "connect_timeout": 10,
            "application_name": "music-analytics",
        }
        if self.url.user:
            kwargs["user"] = self.url.user
        if self.url.password:
            kwargs["password"] = self.url.password
        return kwargs

    def _error(self, exc: BaseException) -> WarehouseError:
        message = f"warehouse {self}: {_one_line(exc)}"
        return TransientWarehouseError(message) if is_transient(exc) else WarehouseError(message)

    @contextmanager
    def transaction(self) -> Iterator[psycopg2.extensions.cursor]:
        try:
            conn = psycopg2.connect(**self.connect_kwargs())
        except psycopg2.Error as exc:
            raise self._error(exc) from None
        try:
            with conn.cursor() as cur:
                cur.execute("SET TIME ZONE 'UTC'")
                yield cur
            conn.commit()
        except BaseException:
            # When the connection is gone the server has rolled back on its own.
            with contextlib.suppress(psycopg2.Error):
                conn.rollback()
            raise
        finally:
            conn.close()

    def execute(self, tx: psycopg2.extensions.cursor, statement: str, params: Sequence[Any] = ()) -> int:
        try:
            tx.execute(statement, tuple(params) or None)
        except psycopg2.Error as exc:
            raise self._error(exc) from None
        return int(tx.rowcount)

    def fetch(
        self, tx: psycopg2.extensions.cursor, statement: str, params: Sequence[Any] = ()
    ) -> list[tuple[Any, ...]]:
        try:
            tx.execute(statement, tuple(params) or None)
            return list(tx.fetchall())
        except psycopg2.Error as exc:
            raise self._error(exc) from None

    def load_staging(
        self, tx: psycopg2.extensions.cursor, table: str, lake_glob: str, columns: Sequence[str]
    ) -> int:
        cols = ", ".join(columns)
        reader = duckdb.connect()
        try:
            reader.execute("SET TimeZone = 'UTC'")
            batches = reader.sql(
                f"SELECT {cols} FROM read_parquet('{lake_glob}', hive_partitioning = true)"
            ).to_arrow_reader(BATCH_ROWS)
            return self._copy(tx, f"staging.{quote(table)}", columns, batches)
        finally:
            reader.close()

    def insert_arrow(self, tx: psycopg2.extensions.cursor, table: str, rows: pa.Table) -> int:
        return self._copy(tx, quote(table), rows.column_names, rows.to_batches())

    def _copy(self, tx: psycopg2.extensions.cursor, target: str, columns: Sequence[str],
              batches: Iterable[pa.RecordBatch]) -> int:
        """COPY Arrow batches into `target` as CSV, one COPY per batch."""
        copy = f"COPY {target} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
        options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
        total = 0
        for batch in batches:
            if batch.num_rows == 0:
                continue
            buf = io.BytesIO()
            pacsv.write_csv(pa.Table.from_batches([batch]), buf, options)
            buf.seek(0)
            try:
                tx.copy_expert(copy, buf)
            except psycopg2.Error as exc:
                raise self._error(exc) from None
            total += batch.num_rows
        return total

    def frame(self, tx: psycopg2.extensions.cursor, statement: str) -> pd.DataFrame:
        try:
            tx.execute(statement)
            rows = tx.fetchall()
        except psycopg2.Error as exc:
            raise self._error(exc) from None
        return pd.DataFrame.from_records(rows, columns=[d[0] for d in tx.description])
