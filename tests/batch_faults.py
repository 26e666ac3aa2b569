"""A transform bug on demand: rows of the run's lake batch changed after the engine wrote them.

The contract rejects every raw value a quality gate would block on (a level "gold" is an
invalid_value record, not a blocked run), so the tests of a blocking gate corrupt the batch instead,
between the engine and the gates: what the gates exist to catch. Plain duckdb, no pytest: the
command-line tests load it in their subprocess through tests/faulty_batch/sitecustomize.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from music_analytics import lake as lake_mod

# One play at a level eventsim never writes, in the three tables that carry it.
GOLD = {"events": "level = 'gold'", "songplays": "level = 'gold'", "users": "level = 'gold'"}


def corrupt_batch(lake: Path, changes: dict[str, str]) -> None:
    """Apply each table's SET clause to one row of that table in the batch (in its first file with rows)."""
    for table, assignment in changes.items():
        for path in sorted((lake_mod.batch(lake) / table).rglob("*.parquet")):
            con = duckdb.connect()
            try:
                con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{path}', hive_partitioning = false)")
                if con.execute("SELECT COUNT(*) FROM t").fetchone() == (0,):
                    continue
                con.execute(f"UPDATE t SET {assignment} WHERE rowid = (SELECT MIN(rowid) FROM t)")
                con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
            finally:
                con.close()
            break
        else:
            raise AssertionError(f"the batch has no {table} rows to corrupt")


def install(changes: dict[str, str], when: Callable[[Path], bool] = lambda lake: True) -> Callable[[], None]:
    """Corrupt every run's batch from now on (when `when(lake)`); returns the function that stops it."""
    original = lake_mod.mark_batch

    def mark_batch(lake: Path, run_id: str) -> None:
        if when(lake):
            corrupt_batch(lake, changes)
        original(lake, run_id)

    lake_mod.mark_batch = mark_batch  # type: ignore[assignment]

    def uninstall() -> None:
        lake_mod.mark_batch = original  # type: ignore[assignment]

    return uninstall
