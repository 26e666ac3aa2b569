"""A thin SQLAlchemy dialect that lets Great Expectations' SQL engine compute metrics on DuckDB.

GX 1.24 fetches each metric query's rows after leaving `with engine.connect()`
(SqlAlchemyExecutionEngine.execute_query). Leaving it makes SQLAlchemy roll back the connection's
transaction, and duckdb-engine's ROLLBACK discards the result not yet read: every metric came back
empty and every expectation failed with "list index out of range" (see ../shared/docs/stack-notes.md).
PostgreSQL's driver buffers results client-side, so only DuckDB is affected.

This dialect is duckdb-engine with SQLAlchemy's BEGIN/COMMIT/ROLLBACK as no-ops: DuckDB then
commits each statement on its own (its auto-commit mode), which is all a validation needs — GX
only reads, and the gates write their tables before GX connects. URL: `duckdb+music_analytics:///<path>`.

GX keeps its engines, and their pooled connections, after a validation; DuckDB refuses another
connection to a file open in the same process with a different configuration: the gates dispose
of GX's engines when they end (validate.engines_disposed).
"""

from __future__ import annotations

from typing import Any

from duckdb_engine import Dialect as DuckDBEngineDialect
from sqlalchemy.dialects import registry

DRIVER = "duckdb+music_analytics"


class Dialect(DuckDBEngineDialect):
    driver = "music_analytics"
    supports_statement_cache = True  # nothing here changes how statements compile

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        connection = super().connect(*cargs, **cparams)
        # As every connection of ours: timestamps read in UTC (TimeZone cannot be a connect setting).
        connection.execute("SET TimeZone = 'UTC'")
        return connection

    def do_begin(self, dbapi_connection: Any) -> None:
        pass

    def do_commit(self, dbapi_connection: Any) -> None:
        pass

    def do_rollback(self, dbapi_connection: Any) -> None:
        pass


def url(path: str) -> str:
    return f"{DRIVER}:///{path}"


# SQLAlchemy finds a dialect by its URL's name: registered on import, before GX builds an engine.
registry.register(DRIVER.replace("+", "."), __name__, "Dialect")
