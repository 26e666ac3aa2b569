"""Amazon Redshift warehouse: the PostgreSQL adapter over Redshift's SQL, staging by COPY from S3.

Redshift speaks the PostgreSQL protocol (psycopg2, sslmode=require) but not all of its SQL: its
`Dialect` (render.REDSHIFT) generates DDL with DIST/SORT keys and merges through delta tables,
and sql/warehouse/redshift/ overrides what else it lacks (staging tables LIKE the target with
BACKUP NO, no SET LOCAL work_mem, a table lock instead of advisory locks). It is built with its
[redshift] and [s3] settings (the IAM role COPY assumes, where the lake export goes, and the S3
credentials that upload it). The tests parse its statements with sqlglot's redshift dialect and
pin the generated and composed ones as golden files; docs/redshift.md explains the choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extensions
import psycopg2.extras
import pyarrow as pa

from ... import secrets
from ...config import RedshiftSettings, S3Settings, WarehouseURL
from ...errors import ConfigError, TransientWarehouseError, WarehouseError, is_transient
from .. import render
from ..base import Progress, Warehouse, WarehouseLock, _quiet, quote
from ..postgres import PostgresWarehouse, _one_line
from .copy import export_for_copy, jsonpaths_uri, literal, region_clause, write_jsonpaths
from .lock import TableLock

# Rows per multi-row INSERT (Redshift has no COPY FROM STDIN; statements are capped at 16 MB).
INSERT_PAGE_ROWS = 500


class RedshiftWarehouse(PostgresWarehouse):
    dialect = render.REDSHIFT
    sql_path = ("redshift", "postgresql", "common")

    def __init__(
        self, url: WarehouseURL, redshift: RedshiftSettings | None = None, s3: S3Settings | None = None
    ) -> None:
        settings = redshift or RedshiftSettings()
        if not settings.iam_role:
            raise ConfigError(
                "[redshift] iam_role is required: the ARN of an IAM role the cluster may assume to read "
                "the S3 staging prefix (arn:aws:iam::<account>:role/<name>)"
            )
        if not settings.s3_staging:
            raise ConfigError(
                "[redshift] s3_staging is required: the s3://bucket/prefix the lake is uploaded to for COPY"
            )
        super().__init__(url)
        self.settings = settings
        self.s3 = s3 or S3Settings()
        self._lake_prefix: str = settings.s3_staging

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
        self._lake_prefix = s3_uri

    def prepare_lake(self, lake: Path, progress: Progress = _quiet) -> None:
        """Export the lake flat and upload it under a fresh prefix per run, s3_staging/<uuid>/<table>/,
        so no earlier run's object is ever COPYed."""
        import tempfile
        import uuid

        from ... import s3

        prefix = f"{str(self.settings.s3_staging).rstrip('/')}/{uuid.uuid4().hex}"
        with tempfile.TemporaryDirectory(prefix="redshift-export-") as tmp:
            folders = export_for_copy(lake, Path(tmp), self.settings.copy_format)
            progress(f"uploading the lake export for COPY to {prefix}/")
            for table, folder in folders.items():
                s3.upload_tree(self.s3, folder, f"{prefix}/{table}")
        if self.settings.copy_format == "json":
            with tempfile.TemporaryDirectory(prefix="redshift-jsonpaths-") as tmp:
                write_jsonpaths(Path(tmp))
                s3.upload_tree(self.s3, Path(tmp), str(self.settings.s3_staging).rstrip("/"))
        self.set_lake_prefix(prefix)

    def lake_prefix_for(self, table: str) -> str:
        """The S3 prefix COPY reads `table` from. Ends in '/': without it 'songs' would match 'songplays'."""
        return f"{self._lake_prefix.rstrip('/')}/{table}/"

    def copy_statement(self, table: str, columns: Sequence[str], copy_format: str | None = None) -> str:
        copy_format = copy_format or self.settings.copy_format
        values: dict[str, object] = {
            "table": quote(table),
            "columns": ", ".join(render.ident(c) for c in columns),
            "source": literal(self.lake_prefix_for(table)),
            "iam_role": literal(str(self.settings.iam_role)),
        }
        if copy_format == "json":
            values["jsonpaths"] = literal(jsonpaths_uri(self.settings, table))
            values["region"] = region_clause(self.settings)
        return self.sql_statements(f"stage/copy_{copy_format}.sql", **values)[0]

    def load_staging(
        self,
        tx: psycopg2.extensions.cursor,
        table: str,
        lake_glob: str,
        columns: Sequence[str],
        progress: Progress = _quiet,
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
        return f"INSERT INTO {quote(table)} ({', '.join(render.ident(c) for c in columns)}) VALUES %s"

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

    def lock(self, owner: str) -> WarehouseLock:
        return TableLock(self, owner)
