"""PostgreSQL warehouse: staging via COPY (CSV streamed from the lake's Parquet in Arrow batches)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import psycopg2
import psycopg2.extensions
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import secrets
from ..errors import TransientWarehouseError, WarehouseError, is_transient
from ..progress import Periodic
from . import render
from .base import SECRET_ENV, SqlAlchemySource, Warehouse, WarehouseLock, quote

BATCH_ROWS = 200_000


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return secrets.redact(text[0] if text else type(exc).__name__)


class PostgresWarehouse(Warehouse):
    dialect = render.POSTGRESQL
    sql_path: tuple[str, ...] = ("postgresql", "common")

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
            kwargs["password"] = self.url.password.reveal()
        return kwargs

    def sqlalchemy_source(self) -> SqlAlchemySource:
        kwargs = self.connect_kwargs()
        user = urllib.parse.quote(str(kwargs.pop("user", "")), safe="")
        secret = kwargs.pop("password", None)
        # Percent-encoded, as a URL's password must be: SQLAlchemy decodes it after GX substitutes it.
        login = f"{user}:${{{SECRET_ENV}}}@" if secret else (f"{user}@" if user else "")
        host, port, database = kwargs.pop("host"), kwargs.pop("port"), kwargs.pop("dbname")
        url = f"postgresql+psycopg2://{login}{host}:{port}/{urllib.parse.quote(str(database), safe='')}"
        kwargs["options"] = "-c timezone=UTC"
        return SqlAlchemySource(
            url=url,
            engine_kwargs={"connect_args": kwargs},
            secrets={SECRET_ENV: urllib.parse.quote(secret, safe="")} if secret else {},
        )

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
        self,
        tx: psycopg2.extensions.cursor,
        table: str,
        lake_glob: str,
        columns: Sequence[str],
        progress: Callable[[str], None] = lambda _m: None,
    ) -> int:
        cols = ", ".join(columns)
        reader = duckdb.connect()
        try:
            reader.execute("SET TimeZone = 'UTC'")
            scan = f"read_parquet('{lake_glob}', hive_partitioning = true)"
            total = int(reader.execute(f"SELECT COUNT(*) FROM {scan}").fetchall()[0][0])  # Parquet metadata
            batches = reader.sql(f"SELECT {cols} FROM {scan}").to_arrow_reader(BATCH_ROWS)
            return self._copy(
                tx, f"staging.{quote(table)}", columns, batches, Periodic(progress, f"staging {table}", total)
            )
        finally:
            reader.close()

    def insert_arrow(self, tx: psycopg2.extensions.cursor, table: str, rows: pa.Table) -> int:
        return self._copy(tx, quote(table), rows.column_names, rows.to_batches())

    def _copy(
        self,
        tx: psycopg2.extensions.cursor,
        target: str,
        columns: Sequence[str],
        batches: Iterable[pa.RecordBatch],
        counter: Periodic | None = None,
    ) -> int:
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
            if counter is not None:
                counter.add(batch.num_rows)
        return total

    def lock(self, owner: str) -> WarehouseLock:
        return AdvisoryLock(self, owner)

    def arrow(self, tx: psycopg2.extensions.cursor, statement: str, schema: pa.Schema) -> pa.Table:
        """COPY (query) TO STDOUT as CSV, parsed by Arrow with the given types: no Python row per result row."""
        buf = io.BytesIO()
        try:
            tx.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)", buf)
        except psycopg2.Error as exc:
            raise self._error(exc) from None
        if not buf.tell():  # no rows: Arrow refuses an empty CSV
            return schema.empty_table()
        buf.seek(0)
        return pacsv.read_csv(
            buf,
            read_options=pacsv.ReadOptions(column_names=schema.names),
            # COPY writes NULL unquoted and an empty string quoted: keep them apart.
            convert_options=pacsv.ConvertOptions(
                column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False
            ),
        )


# One key per database: every Music Analytics run against this database takes the same lock.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"music-analytics pipeline").digest()[:8], "big", signed=True)


class AdvisoryLock(WarehouseLock):
    """A session-level pg_advisory_lock on its own connection, held for the whole run.

    The server drops it with the session, so a crashed run never leaves it behind. If the database
    restarts mid-run the lock goes with it: `ensure` takes it back before the run writes again,
    or stops the run when another run got it in the meantime.
    """

    def __init__(self, warehouse: PostgresWarehouse, owner: str) -> None:
        self.warehouse = warehouse
        self.owner = owner
        self._conn: psycopg2.extensions.connection | None = None

    def _connect(self) -> psycopg2.extensions.connection:
        kwargs = self.warehouse.connect_kwargs()
        # What other sessions see in pg_stat_activity: the holder, for a waiting run's message.
        kwargs["application_name"] = f"music-analytics lock: {self.owner}"[:63]
        try:
            conn = psycopg2.connect(**kwargs)
        except psycopg2.Error as exc:
            raise self.warehouse._error(exc) from None
        conn.autocommit = True
        return conn

    def try_acquire(self) -> bool:
        if self._conn is None:
            self._conn = self._connect()
        try:
            with self._conn.cursor() as cur:
                cur.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
                got = bool(cur.fetchone()[0])
        except psycopg2.Error as exc:
            self._drop()
            raise self.warehouse._error(exc) from None
        if not got:
            self._drop()
        return got

    def holder(self) -> str:
        try:
            with self.warehouse.transaction() as tx:
                rows = self.warehouse.fetch(
                    tx,
                    (
                        "SELECT a.application_name, a.pid, a.backend_start FROM pg_locks AS l "
                        "JOIN pg_stat_activity AS a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                        # pg_locks lists every database's locks; the key is only unique within one.
                        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                        "AND l.classid = %s AND l.objid = %s"
                    ),
                    ((LOCK_KEY >> 32) & 0xFFFFFFFF, LOCK_KEY & 0xFFFFFFFF),
                )
        except WarehouseError:
            return "another session"
        if not rows:
            return "another session"
        name, pid, since = rows[0]
        owner = str(name).removeprefix("music-analytics lock: ")
        return f"{owner} (server pid {pid}, since {since:%Y-%m-%d %H:%M:%S} UTC)"

    def _alive_statement(self) -> str:
        """A statement that succeeds only while the lock's session is alive."""
        return "SELECT 1"

    def ensure(self) -> None:
        if self._conn is not None:
            try:
                with self._conn.cursor() as cur:
                    cur.execute(self._alive_statement())
                return
            except psycopg2.Error:
                self._drop()
        if not self.try_acquire():
            raise WarehouseError(
                f"warehouse {self.warehouse}: the pipeline lock was lost while the database was unreachable "
                f"and {self.holder()} holds it now; this run stops without publishing (rerun it)"
            )

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg2.Error):
                self._conn.close()
            self._conn = None

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg2.Error), self._conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
        self._drop()
