"""The lake: the transform's output as Parquet, one folder per table, read by staging.

Each table's layout (partitioning, columns left out) is the catalogue's (music_analytics/tables.py):
songs by year (or year/artist_id), time, songplays and events by year/month; songplays and events carry year
and month only as partition columns, staging reads the star columns.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import tables as catalogue
from .errors import LakeError, PipelineError


@dataclass(frozen=True)
class LakeTable:
    name: str
    partition_by: tuple[str, ...] = ()
    partition_exprs: tuple[tuple[str, str], ...] = ()  # catalogue.Lake: computed only to partition by
    many_partitions: bool = False
    exclude: tuple[str, ...] = ()

    @classmethod
    def of(cls, name: str, layout: catalogue.Lake) -> LakeTable:
        return cls(name, layout.partition_by, layout.partition_exprs, layout.many_partitions, layout.exclude)


TABLES: tuple[LakeTable, ...] = (
    *(LakeTable.of(t.name, t.lake) for t in catalogue.STAR if t.lake is not None),
    *(LakeTable.of(name, layout) for name, layout in catalogue.LAKE_ONLY),
)
SONGS_PARTITIONINGS = {"year,artist_id": ("year", "artist_id"), "year": ("year",)}


def tables(songs_partition_by: str) -> tuple[LakeTable, ...]:
    """The lake tables, with the configured songs partitioning.

    `year` (the default) keeps songs in a few files. year/artist_id (the Sparkify convention) makes
    one folder per artist: 15k songs made 11,680 files of ~8 KB, which cost seconds to write, read
    (the lake gate: 4.5 s of a 12 s gate at 1M events) and delete, for no pruning a reader needs:
    Parquet's row-group statistics already let a reader skip by artist_id.
    """
    songs = LakeTable(
        "songs", SONGS_PARTITIONINGS[songs_partition_by], many_partitions=songs_partition_by == "year,artist_id"
    )
    return tuple(songs if t.name == "songs" else t for t in TABLES)


def table_glob(lake: Path, table: str) -> str:
    return str(lake / table / "**" / "*.parquet")


def incoming(lake: Path) -> Path:
    return lake / "_incoming"


@contextlib.contextmanager
def writing(lake: Path) -> Iterator[Path]:
    """Write the run's tables into the yielded folder (lake/_incoming, emptied first); they are
    swapped into the lake when the block ends, and removed if it fails (a full disk, a crash of
    the writer): the published lake is never half-replaced."""
    target = incoming(lake)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    try:
        yield target
    except BaseException as exc:
        shutil.rmtree(target, ignore_errors=True)
        if isinstance(exc, PipelineError) or not isinstance(exc, Exception):
            raise
        raise LakeError(
            f"writing the lake {lake} failed: {_why(exc)}; nothing was published (lake and warehouse as they were)"
        ) from exc
    publish(lake)


def _why(exc: Exception) -> str:
    """The cause in one line: an OSError's file and reason, DuckDB's message without its JSON wrapping."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    text = str(exc)
    found = re.search(r'"exception_message":"((?:[^"\\]|\\.)*)"', text)
    if found:
        return found.group(1).replace('\\"', '"')
    return (text.strip().splitlines() or [type(exc).__name__])[0]


# The folder name of a NULL partition value that Spark, DuckDB and pyarrow all read back as NULL.
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def write_slices(
    table: pa.Table,
    keys: list[tuple[object, ...]],
    counts: list[int],
    out: Path,
    partition_by: tuple[str, ...],
    threads: int = 2,
) -> int:
    """Write `table` (sorted by the partition columns, which it no longer holds) as hive partitions:
    the i-th run of counts[i] rows goes to out/<col>=<keys[i]>/.../data.parquet. Returns files written."""
    offsets = [0]
    for n in counts:
        offsets.append(offsets[-1] + n)

    def write(i: int) -> None:
        folder = out.joinpath(
            *(
                f"{col}={HIVE_NULL if value is None else value}"
                for col, value in zip(partition_by, keys[i], strict=True)
            )
        )
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table.slice(offsets[i], counts[i]), folder / "data.parquet")

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(write, range(len(counts))))
    return len(counts)


FINGERPRINT = "_fingerprint"


def unchanged(lake: Path, table: str, fingerprint: str) -> bool:
    """True when the published table was written from content with this fingerprint.

    Used for the tables with thousands of partitions (songs): rewriting and deleting ~10k small
    files costs seconds per run, while the catalogue rarely changes between runs.
    """
    marker = lake / table / FINGERPRINT
    return marker.is_file() and marker.read_text() == fingerprint


def keep(lake: Path, table: str) -> None:
    """Mark a table in lake/_incoming as unchanged: publish keeps the published copy."""
    folder = incoming(lake) / table
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_keep").touch()


def publish(lake: Path) -> None:
    """Swap the freshly written tables in lake/_incoming into place, table by table.

    Writing elsewhere first means a transform that fails half-way never leaves a lake mixing two runs.
    """
    new_root = incoming(lake)
    for table in TABLES:
        new, final, old = new_root / table.name, lake / table.name, lake / f"_old_{table.name}"
        if not new.exists() or ((new / "_keep").exists() and final.exists()):
            continue
        if old.exists():
            shutil.rmtree(old)
        if final.exists():
            final.rename(old)
        new.rename(final)
        if old.exists():
            shutil.rmtree(old)
    shutil.rmtree(new_root, ignore_errors=True)
