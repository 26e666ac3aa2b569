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
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import tables as catalogue
from .errors import LakeError, PipelineError
from .sql import literal


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
    """Write the run's tables into the yielded folder (lake/_incoming, emptied first). When the block
    ends they become the run's batch (lake/_batch), published only after the warehouse merge
    (`publish`); if it fails (a full disk, a crash of the writer) they are removed."""
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
    done = batch(lake)
    shutil.rmtree(done, ignore_errors=True)
    target.rename(done)


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


# -- publishing: the run's batch into the cumulative lake (write-audit-publish) ----------------------

BATCH = "_batch"
RUN_ID = "_run_id"  # in the batch: the run that wrote it (recovery checks the ledger for it)


def batch(lake: Path) -> Path:
    """The run's complete batch: what the gates check and staging loads, published after the merge."""
    return lake / BATCH


def batch_run_id(lake: Path) -> str | None:
    marker = batch(lake) / RUN_ID
    return marker.read_text().strip() if marker.is_file() else None


def mark_batch(lake: Path, run_id: str) -> None:
    (batch(lake) / RUN_ID).write_text(run_id)


def _folder_value(value: object) -> str:
    """A partition value as DuckDB's and Spark's writers name its folder."""
    if value is None:
        return HIVE_NULL
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def publish(lake: Path, songs_partition_by: str) -> int:
    """Merge the batch (lake/_batch) into the published lake, then remove it; returns partitions written.

    Facts (partitioned by file_day, the day in their source file's name) replace the rows of the
    files the run read, so a reloaded file's rows are replaced and every other file's stay. Dimensions
    follow the warehouse's merge rules from the catalogue: upsert by key (users: the newer level
    wins), time: new instants only. Only the partitions the batch touches are rewritten, each
    written aside (lake/_publishing) and then moved in; the batch stays until all are in, so a crash
    mid-way is finished by publishing the same batch again (idempotent).
    """
    import duckdb

    source = batch(lake)
    if not source.is_dir():
        return 0
    work = lake / "_publishing"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    con = duckdb.connect()
    written = 0
    try:
        _run_files(con, source)
        for table in tables(songs_partition_by):
            written += _publish_table(con, lake, source, work, table)
    finally:
        con.close()
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(source)
    return written


def conflicting_files(lake: Path) -> list[tuple[str, str]]:
    """Published files outside the batch that hold a song_id or an artist_id of the batch's songs,
    or an event of its events: (source_file, input). Read with the batch's files, they let the
    first record by (file, line) win as it does when all the files are loaded in one run."""
    import duckdb

    source = batch(lake)
    con = duckdb.connect()
    try:
        _run_files(con, source)
        parts = []
        for table, match, kind in (
            ("songs", "l.song_id = b.song_id OR l.artist_id = b.artist_id", "songs"),
            ("events", "l.event_id = b.event_id", "events"),
        ):
            if not (_files(lake / table) and _files(source / table)):
                continue
            published = f"read_parquet({literal(table_glob(lake, table))}, hive_partitioning = true)"
            if "source_file" not in _columns(con, published):  # a lake of an older layout
                continue
            parts.append(
                f"SELECT DISTINCT l.source_file, '{kind}' FROM {published} AS l "
                f"WHERE l.source_file NOT IN (SELECT source_file FROM run_files) AND EXISTS (SELECT 1 FROM "
                f"read_parquet({literal(table_glob(source, table))}, hive_partitioning = true) AS b WHERE {match})"
            )
        if not parts:
            return []
        return [(str(f), str(k)) for f, k in con.execute(" UNION ".join(parts) + " ORDER BY 1").fetchall()]
    finally:
        con.close()


def _run_files(con: Any, source: Path) -> None:
    """run_files: every file the batch's run read (its input_files)."""
    con.execute(
        "CREATE TEMP TABLE run_files AS SELECT DISTINCT source_file FROM read_parquet("
        f"{literal(table_glob(source, 'input_files'))}, hive_partitioning = true)"
    )


def _files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.rglob("*.parquet"))


def _publish_table(con: Any, lake: Path, source: Path, work: Path, table: LakeTable) -> int:
    new_dir, old_dir, out = source / table.name, lake / table.name, work / table.name
    parts = table.partition_by
    batch_has_rows = _files(new_dir) and bool(
        con.execute(f"SELECT COUNT(*) FROM read_parquet({literal(table_glob(source, table.name))})").fetchone()[0]
    )
    if batch_has_rows:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW batch_rows AS SELECT * FROM read_parquet("
            f"{literal(table_glob(source, table.name))}, hive_partitioning = true)"
        )
    if _files(old_dir):
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW old_rows AS SELECT * FROM read_parquet("
            f"{literal(table_glob(lake, table.name))}, hive_partitioning = true)"
        )
    if (
        not _files(old_dir)
        or not con.execute("SELECT COUNT(*) FROM old_rows").fetchone()[0]
        or (batch_has_rows and _columns(con, "old_rows") != _columns(con, "batch_rows"))
    ):
        # The table's first publish, an empty table (one file without partitions), or a lake of an
        # older layout (which held only its last run's batch, so nothing durable is lost): the
        # batch is the table.
        if new_dir.is_dir():
            shutil.rmtree(old_dir, ignore_errors=True)
            shutil.copytree(new_dir, old_dir)
        return 1
    if not batch_has_rows:  # an empty batch table is one file without its partition columns
        con.execute("CREATE OR REPLACE TEMP VIEW batch_rows AS SELECT * FROM old_rows WHERE false")
    if not batch_has_rows and table.name not in _BY_FILE:
        return 0
    if not parts:
        old_keep, batch_keep, _ = _rules(table, "old_rows")
        out.mkdir(parents=True)
        target = literal(str(out / "data.parquet"))
        con.execute(f"COPY ({old_keep} UNION ALL BY NAME {batch_keep}) TO {target} (FORMAT parquet)")
        _swap(old_dir, out)
        return 1
    cols = ", ".join(parts)
    _, _, replaced = _rules(table, "old_rows")
    touched = con.execute(
        f"SELECT DISTINCT {cols} FROM batch_rows UNION SELECT DISTINCT {cols} FROM old_rows o WHERE {replaced}"
    ).fetchall()
    if not touched:
        return 0
    # Only the touched partitions are read back: a constant filter on the partition columns lets
    # DuckDB skip every other partition's files.
    where = " OR ".join(
        "(" + " AND ".join(_equals(c, v) for c, v in zip(parts, values, strict=True)) + ")" for values in touched
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW old_touched AS SELECT * FROM old_rows WHERE {where}")
    old_keep, batch_keep, _ = _rules(table, "old_touched")
    merged = f"{old_keep} UNION ALL BY NAME {batch_keep}"
    if con.execute(f"SELECT COUNT(*) FROM ({merged})").fetchone()[0]:
        con.execute(f"COPY ({merged}) TO {literal(str(out))} (FORMAT parquet, PARTITION_BY ({cols}))")
    for values in touched:
        relative = Path(*(f"{c}={_folder_value(v)}" for c, v in zip(parts, values, strict=True)))
        _swap(old_dir / relative, out / relative)
    return len(touched)


def _equals(column: str, value: object) -> str:
    return f"{column} IS NULL" if value is None else f"{column} = {literal(_folder_value(value))}"


def _columns(con: Any, relation: str) -> set[str]:
    return {str(row[0]) for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}


# Facts keyed by their source file: a run replaces the rows of the files it read.
_BY_FILE = ("events", "songplays", "rejected_records", "input_files")


def _rules(table: LakeTable, old: str) -> tuple[str, str, str]:
    """(old rows kept, batch rows kept, old rows the batch replaces) as SQL: the kept old rows from
    `old` (old_rows or the touched part of it), the batch's from batch_rows, checked against every
    old row (old_rows)."""
    if table.name in _BY_FILE:
        gone = "o.source_file IN (SELECT source_file FROM run_files)"
        return f"SELECT * FROM {old} AS o WHERE NOT ({gone})", "SELECT * FROM batch_rows", gone
    t = catalogue.BY_NAME[table.name]
    match = " AND ".join(f"b.{k} = o.{k}" for k in t.key)
    in_batch = f"EXISTS (SELECT 1 FROM batch_rows AS b WHERE {match})"
    if t.merge == "insert_new":  # stored rows never change
        return (
            f"SELECT * FROM {old}",
            f"SELECT * FROM batch_rows AS b WHERE NOT EXISTS (SELECT 1 FROM old_rows AS o WHERE {match})",
            "false",
        )
    if t.newer_by:  # upsert from a batch row at least as recent as the stored one
        n = t.newer_by
        replaced = f"EXISTS (SELECT 1 FROM batch_rows AS b WHERE {match} AND b.{n} >= o.{n})"
        return (
            f"SELECT * FROM {old} AS o WHERE NOT {replaced}",
            f"SELECT * FROM batch_rows AS b "
            f"WHERE NOT EXISTS (SELECT 1 FROM old_rows AS o WHERE {match} AND o.{n} > b.{n})",
            replaced,
        )
    return f"SELECT * FROM {old} AS o WHERE NOT {in_batch}", "SELECT * FROM batch_rows", in_batch


def _swap(final: Path, new: Path) -> None:
    """Put `new` (a table or partition folder, maybe absent: the partition is now empty) at `final`."""
    old = final.with_name(f"_old_{final.name}")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    if new.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        new.rename(final)
    shutil.rmtree(old, ignore_errors=True)
