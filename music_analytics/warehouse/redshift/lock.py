"""The pipeline lock on Redshift, which has no advisory locks: a table lock held by a transaction."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import psycopg2

from ...errors import WarehouseError
from ..postgres import AdvisoryLock

if TYPE_CHECKING:
    from . import RedshiftWarehouse

# How long try_acquire waits for the lock table before answering "held by another run".
LOCK_WAIT_MS = 2000
# SQLSTATEs meaning "the lock is taken": statement timeout, serialization conflict (error 1023).
_LOCK_BUSY = ("57014", "40001")


def lock_statements(warehouse: RedshiftWarehouse) -> dict[str, list[str]]:
    return {
        "create": warehouse.sql_statements("lock/create.sql"),
        "acquire": warehouse.sql_statements("lock/acquire.sql", timeout_ms=LOCK_WAIT_MS),
        "holder": warehouse.sql_statements("lock/holder.sql"),
        "heartbeat": warehouse.sql_statements("lock/heartbeat.sql"),
    }


class TableLock(AdvisoryLock):
    """An ACCESS EXCLUSIVE lock on music_analytics_lock, held by a transaction left open on the lock's own
    connection for the whole run (Redshift has no advisory locks).

    Like PostgreSQL's session lock, the server drops it with the session, so a crashed run never
    leaves it behind; `ensure` takes it back after a lost connection, or stops the run when another
    run got it meanwhile. LOCK cannot NOWAIT: a short statement_timeout makes the attempt fail fast.
    """

    warehouse: RedshiftWarehouse  # set by AdvisoryLock.__init__, which also gives _connect and _drop

    def _alive_statement(self) -> str:
        return lock_statements(self.warehouse)["heartbeat"][0]

    def try_acquire(self) -> bool:
        if self._conn is not None:
            return True
        statements = lock_statements(self.warehouse)
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
                rows = self.warehouse.fetch(tx, lock_statements(self.warehouse)["holder"][0])
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
