"""The lake: the transform's output as Parquet, one folder per table, read by staging.

Partitioning follows the issue: songs by year/artist_id, time and songplays by year/month.
songplays carries year and month only as partition columns; staging reads the star columns.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LakeTable:
    name: str
    partition_by: tuple[str, ...] = ()
    # Extra columns computed only to partition by (dropped again when staging reads the table).
    partition_exprs: tuple[tuple[str, str], ...] = ()


TABLES: tuple[LakeTable, ...] = (
    LakeTable("songs", ("year", "artist_id")),
    LakeTable("artists"),
    LakeTable("users"),
    LakeTable("time", ("year", "month")),
    LakeTable(
        "songplays",
        ("year", "month"),
        (("year", "CAST(EXTRACT(YEAR FROM start_time) AS INTEGER)"),
         ("month", "CAST(EXTRACT(MONTH FROM start_time) AS INTEGER)")),
    ),
    LakeTable("rejected_records"),
    LakeTable("input_files"),
)
BY_NAME = {t.name: t for t in TABLES}


def table_glob(lake: Path, table: str) -> str:
    return str(lake / table / "**" / "*.parquet")


def incoming(lake: Path) -> Path:
    return lake / "_incoming"


def publish(lake: Path) -> None:
    """Swap the freshly written tables in lake/_incoming into place, table by table.

    Writing elsewhere first means a transform that fails half-way never leaves a lake mixing two runs.
    """
    new_root = incoming(lake)
    for table in TABLES:
        new, final, old = new_root / table.name, lake / table.name, lake / f"_old_{table.name}"
        if not new.exists():
            continue
        if old.exists():
            shutil.rmtree(old)
        if final.exists():
            final.rename(old)
        new.rename(final)
        if old.exists():
            shutil.rmtree(old)
    shutil.rmtree(new_root, ignore_errors=True)
