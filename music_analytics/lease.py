"""A stepwise run's turn on the warehouse, held from its first task to its last (pipeline_lease).

The pipeline lock (Warehouse.lock) belongs to a process and goes with it. A run carried out as one
process per stage (the Airflow DAG: music_analytics.stepwise) has stretches between its tasks when
no process of it is alive, and the staging tables and the lake batch are its own all the same: the
lease row says so. Every run, once it has the lock, waits while another run's lease is fresh
(pipeline.locked); a stepwise task renews its own, and stops if it lost it. A lease not renewed for
[pipeline] lease_timeout seconds belongs to a run whose task died: the next run may take it.

The row is read and written only under the pipeline lock, so reading then writing it is safe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from . import tables as catalogue
from .errors import WarehouseError
from .ledger import check_run_id, utcnow

if TYPE_CHECKING:
    from .warehouse import Warehouse

TABLE = catalogue.PIPELINE_LEASE
_NAME = f'"{TABLE.name}"'


@dataclass(frozen=True)
class Lease:
    run_id: str
    owner: str
    taken_at: dt.datetime
    renewed_at: dt.datetime

    def describe(self, now: dt.datetime | None = None) -> str:
        age = ((now or utcnow()) - self.renewed_at).total_seconds()
        return f"{self.owner} (run {self.run_id}, its last task {age:.0f} s ago)"


class LeaseLost(WarehouseError):
    """A stepwise run's lease was taken over (it had lapsed): its staging tables may be another run's."""


def current(warehouse: Warehouse) -> Lease | None:
    """The lease row, if any (None also when the warehouse has no lease table yet)."""
    with warehouse.transaction() as tx:  # one connection: every run's start asks this
        if TABLE.name not in warehouse.tables(tx):
            return None
        rows = warehouse.fetch(tx, f"SELECT run_id, owner, taken_at, renewed_at FROM {_NAME}")
    if not rows:
        return None
    run_id, owner, taken, renewed = max(rows, key=lambda r: r[3])
    return Lease(str(run_id), str(owner), taken, renewed)


def held_by_other(warehouse: Warehouse, run_id: str | None, timeout: int) -> Lease | None:
    """Another run's lease that is still fresh: the warehouse is that run's turn. A lapsed one is
    removed (under the caller's pipeline lock): its run has lost its turn, and its next task stops."""
    lease = current(warehouse)
    if lease is None or lease.run_id == run_id:
        return None
    if _lapsed(lease, timeout):
        release(warehouse, lease.run_id)
        return None
    return lease


def take(warehouse: Warehouse, run_id: str, owner: str, timeout: int) -> None:
    """Start a stepwise run's turn (under the pipeline lock, after pipeline.locked saw it free)."""
    other = held_by_other(warehouse, run_id, timeout)
    if other is not None:
        raise WarehouseError(f"the warehouse is another run's turn: {other.describe()}")
    now = utcnow()
    _write(warehouse, Lease(check_run_id(run_id), owner[:256], now, now))


def renew(warehouse: Warehouse, run_id: str) -> None:
    """A later task of the run: its lease must still be there (a lapsed one nobody took still is)."""
    lease = current(warehouse)
    if lease is None or lease.run_id != run_id:
        taken = f"; it is now {lease.describe()}" if lease else ""
        raise LeaseLost(
            f"run {run_id} lost its turn on the warehouse (its tasks were apart longer than [pipeline] "
            f"lease_timeout, and another run went ahead{taken}): nothing more of it is published; run the day again"
        )
    _write(warehouse, Lease(lease.run_id, lease.owner, lease.taken_at, utcnow()))


def release(warehouse: Warehouse, run_id: str) -> None:
    """End the run's turn (idempotent; another run's lease is left alone)."""
    with warehouse.transaction() as tx:
        if TABLE.name in warehouse.tables(tx):
            warehouse.execute(tx, f"DELETE FROM {_NAME} WHERE run_id = '{check_run_id(run_id)}'")


def _lapsed(lease: Lease, timeout: int) -> bool:
    return (utcnow() - lease.renewed_at).total_seconds() > timeout


def _write(warehouse: Warehouse, lease: Lease) -> None:
    row = pa.Table.from_pylist(
        [{"run_id": lease.run_id, "owner": lease.owner, "taken_at": lease.taken_at, "renewed_at": lease.renewed_at}],
        schema=TABLE.arrow_schema(),
    )
    with warehouse.transaction() as tx:
        warehouse.execute(tx, f"DELETE FROM {_NAME}")
        warehouse.insert_arrow(tx, TABLE.name, row)
