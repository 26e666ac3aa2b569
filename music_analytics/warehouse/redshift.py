"""Amazon Redshift warehouse: the PostgreSQL adapter over Redshift's SQL, staging by COPY from S3.

Redshift speaks the PostgreSQL protocol (psycopg2, sslmode=require) but not all of its SQL, so
the search path is ("redshift", "postgresql", "common") and sql/warehouse/redshift/ overrides
what Redshift lacks: DDL with DIST/SORT keys, staging tables (LIKE, BACKUP NO instead of UNLOGGED),
no SET LOCAL work_mem, MERGE through a delta table, a table lock instead of advisory locks.

Staging does not stream rows through this process: the lake is exported flat (`export_for_copy`:
exactly the staged columns, in order, partition columns restored), uploaded under
`<lake prefix>/<table>/`, and each staging table is loaded by one COPY from that prefix. The
lake prefix is `s3_staging` unless the pipeline calls `set_lake_prefix` after uploading (e.g.
to a per-run prefix); `load_staging` ignores the local lake glob it is given.

Every statement the adapter sends comes from a method here (`statements_for_golden` lists them)
so the tests can parse each one and pin it as a golden file; docs/redshift.md explains the choices.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import psycopg2
import psycopg2.extensions
import psycopg2.extras
import pyarrow as pa

from .. import secrets, sql
from ..config import WarehouseURL
from ..errors import ConfigError, TransientWarehouseError, WarehouseError, is_transient
from .base import (
    HISTORY_TABLES,
    LEDGER_FILES,
    MERGE_ORDER,
    MIGRATIONS,
    MIGRATIONS_TABLE,
    Warehouse,
    WarehouseLock,
    quote,
)
from .postgres import AdvisoryLock, PostgresWarehouse, _one_line

CopyFormat = Literal["parquet", "json"]
COPY_FORMATS: tuple[str, ...] = ("parquet", "json")
# Tables the merge upserts through a delta table and MERGE (time and loaded_files only insert).
MERGED_THROUGH_DELTA: tuple[str, ...] = ("artists", "songs", "users", "songplays", "events", "rejected_records")
# Raw Sparkify staging tables of the optional classic path (raw JSON -> COPY with JSONPaths).
RAW_TABLES: dict[str, str] = {"events_raw": "log_data", "songs_raw": "song_data"}
# Where JSONPaths files go, under s3_staging (uploaded from sql/warehouse/redshift/jsonpaths/).
JSONPATHS_FOLDER = "_jsonpaths"
JSONPATHS_DIR = sql.SQL_DIR / "warehouse" / "redshift" / "jsonpaths"
# How long try_acquire waits for the lock table before answering "held by another run".
LOCK_WAIT_MS = 2000
# Rows per multi-row INSERT (Redshift has no COPY FROM STDIN; statements are capped at 16 MB).
INSERT_PAGE_ROWS = 500
# SQLSTATEs meaning "the lock is taken": statement timeout, serialization conflict (error 1023).
_LOCK_BUSY = ("57014", "40001")

_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_S3 = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[\w!\-.*()=/]*)?$")
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_DDL_TYPES = {
    "VARCHAR": "VARCHAR",
    "CHAR": "VARCHAR",
    "TEXT": "VARCHAR",
    "BIGINT": "BIGINT",
    "INT": "INTEGER",
    "SMALLINT": "SMALLINT",
    "DOUBLE": "DOUBLE",
    "FLOAT": "DOUBLE",
    "TIMESTAMP": "TIMESTAMP",
    "DATE": "DATE",
    "BOOLEAN": "BOOLEAN",
}


def literal(value: str) -> str:
    """A SQL string literal ('' doubles a quote; settings are validated to hold none anyway)."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted column name: Redshift reserves some of ours (RAW is a column encoding)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class RedshiftSettings:
    """What Redshift needs beyond the URL: config keys [redshift] iam_role, s3_staging, region, copy_format.

    iam_role: the ARN of a role attached to the cluster that may read s3_staging (COPY IAM_ROLE).
    s3_staging: s3://bucket/prefix the lake export is uploaded under (<prefix>/<table>/...).
    region: the bucket's region, only for copy_format json (columnar COPY rejects REGION and
    needs the bucket in the cluster's region).
    copy_format: parquet (default) or json (JSON lines mapped by JSONPaths files).
    """

    iam_role: str
    s3_staging: str
    region: str | None = None
    copy_format: CopyFormat = "parquet"

    def __post_init__(self) -> None:
        if not self.iam_role:
            raise ConfigError(
                "[redshift] iam_role is required: the ARN of an IAM role the cluster may assume "
                "to read the S3 staging prefix (arn:aws:iam::<account>:role/<name>)"
            )
        if not _ROLE.match(self.iam_role):
            raise ConfigError(
                f"[redshift] iam_role: {self.iam_role!r} is not an IAM role ARN "
                "(arn:aws:iam::<12-digit account>:role/<name>)"
            )
        if not self.s3_staging:
            raise ConfigError(
                "[redshift] s3_staging is required: the s3://bucket/prefix the lake is uploaded to for COPY"
            )
        if not _S3.match(self.s3_staging):
            raise ConfigError(f"[redshift] s3_staging: {self.s3_staging!r} is not an s3://bucket/prefix URI")
        if self.region is not None and not _REGION.match(self.region):
            raise ConfigError(f"[redshift] region: {self.region!r} is not an AWS region (e.g. us-west-2)")
        if self.copy_format not in COPY_FORMATS:
            raise ConfigError(f"[redshift] copy_format: {self.copy_format!r} is not one of: {', '.join(COPY_FORMATS)}")


def schema_columns(table: str) -> dict[str, str]:
    """Column name -> DuckDB type of a pipeline table, read from its Redshift DDL (the single source)."""
    import sqlglot
    from sqlglot import exp

    ddl = sql.statements(f"warehouse/redshift/schema/{table}.sql")[0]
    tree = sqlglot.parse_one(ddl, read="redshift")
    columns: dict[str, str] = {}
    for column in tree.find_all(exp.ColumnDef):
        kind = column.args["kind"].this.name.upper()
        columns[column.name] = next(v for k, v in _DDL_TYPES.items() if kind.startswith(k))
    return columns


def export_for_copy(lake: Path, out: Path, copy_format: CopyFormat = "parquet") -> dict[str, Path]:
    """Write each staged lake table flat under out/<table>/, ready to upload for COPY; return the folders.

    COPY from Parquet maps file columns to the column list by position and needs their number to
    match, and hive partition columns live only in folder names: songs' year and artist_id and
    time's year and month are real columns missing from the files. So every table is rewritten
    as one file of exactly base.COLUMNS[table], in order, cast to the DDL's types (INTEGER as
    int32, BIGINT as int64, TIMESTAMP as microseconds). JSON writes JSON lines for the JSONPaths.
    """
    import duckdb

    from ..lake import table_glob
    from .base import COLUMNS

    folders: dict[str, Path] = {}
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        for table in MERGE_ORDER:
            types = schema_columns(table)
            select = ", ".join(f'CAST("{c}" AS {types[c]}) AS "{c}"' for c in COLUMNS[table])
            folder = out / table
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"part-0.{'parquet' if copy_format == 'parquet' else 'json'}"
            source = f"read_parquet('{table_glob(lake, table)}', hive_partitioning = true)"
            options = "FORMAT parquet" if copy_format == "parquet" else "FORMAT json"
            con.execute(f"COPY (SELECT {select} FROM {source}) TO '{target}' ({options})")
            folders[table] = folder
    finally:
        con.close()
    return folders


def jsonpaths_files() -> dict[str, Path]:
    """JSONPaths files to upload: key under s3_staging -> local file (sql/warehouse/redshift/jsonpaths/)."""
    return {f"{JSONPATHS_FOLDER}/{p.name}": p for p in sorted(JSONPATHS_DIR.glob("*.json"))}


class RedshiftWarehouse(PostgresWarehouse):
    dialect = "redshift"
    sql_path = ("redshift", "postgresql", "common")

    def __init__(self, url: WarehouseURL, settings: RedshiftSettings | None = None) -> None:
        if url.scheme != "redshift":
            raise ConfigError(f"warehouse {url}: RedshiftWarehouse needs a redshift:// URL")
        if settings is None:
            raise ConfigError(
                f"warehouse {url}: Redshift needs [redshift] iam_role and s3_staging "
                "(or MUSIC_ANALYTICS_REDSHIFT_IAM_ROLE / MUSIC_ANALYTICS_REDSHIFT_S3_STAGING)"
            )
        super().__init__(url)
        self.settings = settings
        self._lake_prefix = settings.s3_staging

    # Redshift has no COPY ... TO STDOUT (its bulk export is UNLOAD to S3): results come back as rows.
    arrow = Warehouse.arrow

    def __repr__(self) -> str:
        return (
            f"RedshiftWarehouse({self.url}, s3_staging={self.settings.s3_staging!r}, "
            f"copy_format={self.settings.copy_format!r})"
        )

    def connect_kwargs(self) -> dict[str, Any]:
        kwargs = super().connect_kwargs()
        kwargs["sslmode"] = "require"
        return kwargs

    # -- staging: COPY from S3 ---------------------------------------------------------------

    def set_lake_prefix(self, s3_uri: str) -> None:
        """Where the pipeline uploaded this run's lake export (default: s3_staging)."""
        if not _S3.match(s3_uri):
            raise ConfigError(f"lake prefix {s3_uri!r} is not an s3://bucket/prefix URI")
        self._lake_prefix = s3_uri

    def prepare_lake(
        self, lake: Path, upload: Callable[[Path, str], list[str]], progress: Callable[[str], None] = lambda _m: None
    ) -> None:
        """Export the lake flat (COPY's column order, partition columns back in) and upload it under a
        fresh prefix per run, s3_staging/<uuid>/<table>/, so no earlier run's object is ever COPYed."""
        import tempfile
        import uuid

        prefix = f"{self.settings.s3_staging.rstrip('/')}/{uuid.uuid4().hex}"
        with tempfile.TemporaryDirectory(prefix="redshift-export-") as tmp:
            folders = export_for_copy(lake, Path(tmp), self.settings.copy_format)
            progress(f"uploading the lake export for COPY to {prefix}/")
            for table, folder in folders.items():
                upload(folder, f"{prefix}/{table}")
        if self.settings.copy_format == "json":
            with tempfile.TemporaryDirectory(prefix="redshift-jsonpaths-") as tmp:
                for key, path in jsonpaths_files().items():
                    target = Path(tmp) / key
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(path.read_bytes())
                upload(Path(tmp), self.settings.s3_staging.rstrip("/"))
        self.set_lake_prefix(prefix)

    def lake_prefix_for(self, table: str) -> str:
        """The S3 prefix COPY reads `table` from. Ends in '/': without it 'songs' would match 'songplays'."""
        return f"{self._lake_prefix.rstrip('/')}/{table}/"

    def copy_statement(self, table: str, columns: Sequence[str], copy_format: CopyFormat | None = None) -> str:
        copy_format = copy_format or self.settings.copy_format
        values: dict[str, object] = {
            "table": quote(table),
            "columns": ", ".join(ident(c) for c in columns),
            "source": literal(self.lake_prefix_for(table)),
            "iam_role": literal(self.settings.iam_role),
        }
        if copy_format == "json":
            values["jsonpaths"] = literal(self._jsonpaths_uri(table))
            values["region"] = self._region_clause()
        return self.sql_statements(f"stage/copy_{copy_format}.sql", **values)[0]

    def _jsonpaths_uri(self, name: str) -> str:
        return f"{self.settings.s3_staging.rstrip('/')}/{JSONPATHS_FOLDER}/{name}.json"

    def _region_clause(self) -> str:
        return f" REGION {literal(self.settings.region)}" if self.settings.region else ""

    def load_staging(
        self,
        tx: psycopg2.extensions.cursor,
        table: str,
        lake_glob: str,
        columns: Sequence[str],
        progress: Callable[[str], None] = lambda _m: None,
    ) -> int:
        statement = self.copy_statement(table, columns)
        try:
            tx.execute(statement)
        except psycopg2.Error as exc:
            raise self.load_error(tx, table, exc) from None
        return int(self.fetch(tx, self.sql_statements("stage/copy_count.sql")[0])[0][0])

    def load_error(self, tx: Any, table: str, exc: psycopg2.Error) -> WarehouseError:
        """The COPY's error, naming the first rejected rows from stl_load_errors.

        Read in the same session after ROLLBACK: the failed COPY aborted the transaction (no query
        runs until it ends) and pg_last_copy_id() / pg_backend_pid() only mean something in the
        session that ran the COPY; a new connection could not find it.
        """
        message = (
            f"warehouse {self}: COPY into staging.{table} from {self.lake_prefix_for(table)} failed: {_one_line(exc)}"
        )
        try:
            tx.connection.rollback()
            tx.execute(self.sql_statements("stage/load_errors.sql")[0])
            rows = list(tx.fetchall())
        except psycopg2.Error as second:
            message += f" (stl_load_errors not read: {_one_line(second)})"
        else:
            if rows:
                message += "; stl_load_errors: " + "; ".join(
                    f"{file} line {line} column {column or '?'}: {reason} (raw: {str(raw or '')[:80]!r})"
                    for file, line, column, reason, raw in rows
                )
            else:
                message += "; stl_load_errors has no rows for it (columnar COPY reports most errors only here)"
        message = secrets.redact(message)
        return TransientWarehouseError(message) if is_transient(exc) else WarehouseError(message)

    def insert_statement(self, table: str, columns: Sequence[str]) -> str:
        """Multi-row INSERT for psycopg2.extras.execute_values (one %s: the VALUES list)."""
        return f"INSERT INTO {quote(table)} ({', '.join(ident(c) for c in columns)}) VALUES %s"

    def insert_arrow(self, tx: psycopg2.extensions.cursor, table: str, rows: pa.Table) -> int:
        # Redshift has no COPY FROM STDIN; the rows inserted this way are small (ledger, quality history).
        if rows.num_rows == 0:
            return 0
        statement = self.insert_statement(table, rows.column_names)
        values = [tuple(row.values()) for row in rows.to_pylist()]
        try:
            psycopg2.extras.execute_values(tx, statement, values, page_size=INSERT_PAGE_ROWS)
        except psycopg2.Error as exc:
            raise self._error(exc) from None
        return int(rows.num_rows)

    # -- merge ---------------------------------------------------------------------------------

    def merge_split(self, tx: psycopg2.extensions.cursor, table: str, affected: int) -> tuple[int, int]:
        """(inserted, updated) of the MERGE just run on `table`, read from its delta table."""
        new, changed = self.fetch(tx, self.sql_statements("merge/_counts.sql", table=table)[0])[0]
        return int(new), int(changed)

    # -- the optional classic path: raw JSON straight into staging --------------------------------

    def raw_copy_statements(self, source: str) -> dict[str, list[str]]:
        """DDL and COPY of the raw Sparkify staging tables from an s3:// source (log_data/, song_data/)."""
        if not _S3.match(source):
            raise ConfigError(f"raw source {source!r} is not an s3://bucket/prefix URI")
        out: dict[str, list[str]] = {}
        for table, folder in RAW_TABLES.items():
            out[table] = [
                *self.sql_statements(f"raw/{table}.sql"),
                *self.sql_statements(
                    "raw/copy.sql",
                    table=table,
                    source=literal(f"{source.rstrip('/')}/{folder}/"),
                    iam_role=literal(self.settings.iam_role),
                    jsonpaths=literal(self._jsonpaths_uri(table)),
                    region=self._region_clause(),
                ),
            ]
        return out

    # -- the lock --------------------------------------------------------------------------------

    def lock_statements(self) -> dict[str, list[str]]:
        return {
            "create": self.sql_statements("lock/create.sql"),
            "acquire": self.sql_statements("lock/acquire.sql", timeout_ms=LOCK_WAIT_MS),
            "holder": self.sql_statements("lock/holder.sql"),
            "heartbeat": self.sql_statements("lock/heartbeat.sql"),
        }

    def lock(self, owner: str) -> WarehouseLock:
        return TableLock(self, owner)

    # -- every statement, for the golden files -------------------------------------------------

    def statements_for_golden(self) -> dict[str, str]:
        """Every statement this adapter can send, by name (multi-statement files get .1, .2, ...)."""
        from .base import COLUMNS

        out: dict[str, str] = {}

        def add(name: str, statements: Sequence[str]) -> None:
            if len(statements) == 1:
                out[name] = statements[0]
            else:
                out.update({f"{name}.{i}": s for i, s in enumerate(statements, 1)})

        for table in (*MERGE_ORDER, *HISTORY_TABLES):
            add(f"schema.{table}", self.sql_statements(f"schema/{table}.sql"))
        for table in (LEDGER_FILES, *MERGE_ORDER):
            add(f"stage.recreate.{table}", self.sql_statements("stage/recreate.sql", table=quote(table)))
        for table in MERGE_ORDER:
            for fmt in ("parquet", "json"):
                add(f"stage.copy_{fmt}.{table}", [self.copy_statement(table, COLUMNS[table], fmt)])
            add(f"stage.analyze.{table}", self.sql_statements("stage/analyze.sql", table=quote(table)))
        add("stage.copy_count", self.sql_statements("stage/copy_count.sql"))
        add("stage.load_errors", self.sql_statements("stage/load_errors.sql"))
        add("merge._begin", self.sql_statements("merge/_begin.sql"))
        for table in (*MERGE_ORDER, LEDGER_FILES):
            add(f"merge.{table}", self.sql_statements(f"merge/{table}.sql"))
        for table in MERGED_THROUGH_DELTA:
            add(f"merge._counts.{table}", self.sql_statements("merge/_counts.sql", table=table))
        for table in HISTORY_TABLES:
            add(f"insert.{table}", [self.insert_statement(table, list(schema_columns(table)))])
        add(
            f"insert.staging.{LEDGER_FILES}",
            [self.insert_statement(f"staging.{LEDGER_FILES}", list(schema_columns(LEDGER_FILES)))],
        )
        for name, statements in self.lock_statements().items():
            add(f"lock.{name}", statements)
        for table, statements in self.raw_copy_statements("s3://example-source/sparkify").items():
            add(f"raw.{table}", statements)
        add("ledger.loaded", self.sql_statements("ledger/loaded.sql"))
        add("ledger.sources", self.sql_statements("ledger/sources.sql"))
        add("catalog.tables", self.sql_statements("catalog/tables.sql"))
        add(f"schema.{MIGRATIONS_TABLE}", self.sql_statements(f"schema/{MIGRATIONS_TABLE}.sql"))
        add(f"insert.{MIGRATIONS_TABLE}", [self.insert_statement(MIGRATIONS_TABLE, ["id", "applied_at"])])
        for migration in MIGRATIONS:
            add(f"migrate.{migration.id}", self.sql_statements(f"migrate/{migration.id}.sql"))
        add("ledger.running", self.sql_statements("ledger/running.sql"))
        add("ledger.forget_run", self.sql_statements("ledger/forget_run.sql", run_id="'20240101T000000Z-0000'"))
        return out


class TableLock(AdvisoryLock):
    """An ACCESS EXCLUSIVE lock on music_analytics_lock, held by a transaction left open on the lock's own
    connection for the whole run (Redshift has no advisory locks).

    Like PostgreSQL's session lock, the server drops it with the session, so a crashed run never
    leaves it behind; `ensure` takes it back after a lost connection, or stops the run when another
    run got it meanwhile. LOCK cannot NOWAIT: a short statement_timeout makes the attempt fail fast.
    """

    warehouse: RedshiftWarehouse  # set by AdvisoryLock.__init__, which also gives _connect and _drop

    def _alive_statement(self) -> str:
        return self.warehouse.lock_statements()["heartbeat"][0]

    def try_acquire(self) -> bool:
        if self._conn is not None:
            return True
        statements = self.warehouse.lock_statements()
        conn = self._connect()  # autocommit: the lock table is created outside the lock's transaction
        try:
            with conn.cursor() as cur:
                for statement in statements["create"]:
                    cur.execute(statement)
            conn.autocommit = False
            with conn.cursor() as cur:
                for statement in statements["acquire"]:
                    cur.execute(statement)
        except psycopg2.Error as exc:
            with contextlib.suppress(psycopg2.Error):
                conn.close()
            if exc.pgcode in _LOCK_BUSY:
                return False
            raise self.warehouse._error(exc) from None
        self._conn = conn
        return True

    def holder(self) -> str:
        try:
            with self.warehouse.transaction() as tx:
                rows = self.warehouse.fetch(tx, self.warehouse.lock_statements()["holder"][0])
        except WarehouseError:
            return "another session"
        if not rows:
            return "another session"
        pid, user, since = rows[0]
        return f"session {pid} of user {user} (since {since:%Y-%m-%d %H:%M:%S} UTC)"

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg2.Error):
                self._conn.rollback()  # ends the transaction: the lock goes with it
        self._drop()
