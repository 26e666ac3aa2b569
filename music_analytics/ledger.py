"""The run ledger: which runs ran (pipeline_runs) and which input files they loaded (loaded_files).

Before a run reads anything, `plan` compares each candidate file's SHA-256 with the checksum the
ledger recorded when the file was last loaded: unchanged files are skipped, new and changed ones
are read. The file rows are written in the merge transaction (see Warehouse.merge), so "in the
ledger" always means "its rows are published"; a failed run leaves no trace there and its files
are simply picked up again by the next run.

A daily run can look back: event files of the `lookback_days` before its first day are read
again only if they were loaded before and their content changed since (a late event appended to
an earlier day's file). Earlier files that were never loaded are left to a backfill, so a daily
run never quietly turns into one; older files that changed since loaded are reported (by size,
and for folders by modification time and checksum), not read.

A warehouse holds one dataset: files are identified by their source and their path in it, with
their content (SHA-256). A run whose source is not the one the warehouse was loaded from stops
(`SourceMismatch`) instead of merging another dataset's files over same-named ones; when the data
only moved, `source_moved` rebinds the warehouse to the new place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from . import tables as catalogue
from .errors import ConfigError, SourceError
from .sources import SourceFiles, canonical, file_day

if TYPE_CHECKING:
    from .warehouse import Warehouse

RUNS = catalogue.PIPELINE_RUNS.name
STATUSES = ("running", "succeeded", "failed", "skipped")
_RUN_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_CHUNK = 1 << 20

FILE_SCHEMA = catalogue.LOADED_FILES.arrow_schema()
RUN_SCHEMA = catalogue.PIPELINE_RUNS.arrow_schema()


def utcnow() -> dt.datetime:
    """Naive UTC: the warehouses' TIMESTAMP columns hold UTC without a zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def check_run_id(run_id: str) -> str:
    """Run ids end up in SQL text ({{run_id}}): allow only what Prefect ids and uuid hex use."""
    if not _RUN_ID.match(run_id):
        raise ConfigError(f"run id {run_id!r}: expected 1-64 letters, digits, '-', '_', '.' or ':'")
    return run_id


# The checksum the ledger records for a file that could not be read.
UNREADABLE = "unreadable"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise SourceError(f"{path}: unreadable ({exc.strerror or exc})") from exc
    return digest.hexdigest()


@dataclass(frozen=True)
class Loaded:
    """A file as the ledger recorded it when it was last loaded."""

    checksum: str
    size_bytes: int
    loaded_at: dt.datetime  # naive UTC


@dataclass(frozen=True)
class FileState:
    source_file: str  # relative to the source root, as in rejected_records and input_files
    input: str  # events | songs
    size_bytes: int
    checksum: str


@dataclass
class Plan:
    """The files a run reads, and why the others are not read."""

    files: SourceFiles  # what the engine reads
    states: dict[str, FileState] = field(default_factory=dict)  # of the files read
    new: int = 0  # never loaded before
    changed: int = 0  # loaded before with different content (lookback files included)
    unchanged: int = 0  # loaded before with this content: skipped
    lookback_changed: int = 0  # of `changed`: event files before the first day (late data)
    lookback_never_loaded: int = 0  # event files before the first day never loaded: left to a backfill
    # Loaded event files older than the lookback window that changed since: not read (relative paths).
    stale: tuple[str, ...] = ()
    reload: bool = False  # the ledger was ignored (--reload)

    @property
    def nothing_to_do(self) -> bool:
        return not self.files.event_files and not self.files.song_files

    @property
    def files_read(self) -> int:
        return len(self.files.event_files) + len(self.files.song_files)

    def describe(self) -> str:
        if self.reload:
            return f"{self.files_read:,} files to read (--reload: the ledger is not consulted)"
        text = f"{self.files_read:,} files to read ({self.new:,} new, {self.changed:,} changed"
        if self.lookback_changed:
            text += f", {self.lookback_changed:,} of them earlier days' files that changed since loaded"
        text += f"); {self.unchanged:,} unchanged since loaded, skipped"
        if self.lookback_never_loaded:
            text += (
                f"; {self.lookback_never_loaded:,} earlier files in the lookback window were never loaded"
                " (left to a backfill)"
            )
        return text

    def warnings(self) -> list[str]:
        """What the user should act on: files under log_data/ a dated run cannot place, and loaded
        files that changed but this run does not read."""
        out = [
            f"{path}: not read: {why} (a run with a date range reads dated files only)"
            for path, why in self.files.unnamed
        ]
        if not self.stale:
            return out
        days = sorted(d for p in self.stale if (d := file_day(p.rsplit("/", 1)[-1])) is not None)
        span = f"--start {days[0]} --end {days[-1]}" if days else "their days"
        return [
            *out,
            f"{len(self.stale):,} loaded event file(s) older than the lookback window changed since they were "
            f"loaded and were not read (e.g. {self.stale[0]}): load them with {span}, or raise --lookback-days",
        ]


def plan(
    files: SourceFiles,
    loaded: Mapping[str, Loaded],
    first_day: dt.date | None,
    reload: bool = False,
    progress: Callable[[str], None] = lambda _m: None,
) -> Plan:
    """Choose the files to read among `files` (listed with the lookback window) given the ledger's
    record of loaded files (`loaded`: relative path -> Loaded)."""
    candidates = [(p, "events") for p in files.event_files] + [(p, "songs") for p in files.song_files]
    progress(f"checksumming {len(candidates):,} input files")
    out = Plan(files=files, reload=reload)
    keep: set[Path] = set()
    for path, kind in candidates:
        rel = files.relative(path)
        day = file_day(path.name) if kind == "events" else None
        before = first_day is not None and day is not None and day < first_day
        record = loaded.get(rel)
        previous = record.checksum if record is not None else None
        if before and previous is None:
            out.lookback_never_loaded += 1
            continue
        # An unreadable file is quarantined by the transform; retried once it reads differently.
        state = state_of(files, path, kind)
        if previous is not None and previous == state.checksum and not reload:
            out.unchanged += 1
            continue
        if previous is None:
            out.new += 1
        else:
            out.changed += 1
            out.lookback_changed += before
        keep.add(path)
        out.states[rel] = state
    if not reload:
        out.stale = _changed_earlier(files, loaded)
    out.files = replace(
        files,
        event_files=tuple(p for p in files.event_files if p in keep),
        song_files=tuple(p for p in files.song_files if p in keep),
        skipped_song_files=files.skipped_song_files + sum(1 for p in files.song_files if p not in keep),
    )
    return out


def state_of(files: SourceFiles, path: Path, kind: str) -> FileState:
    """A file's ledger state as it is now (size and SHA-256; `unreadable` when it cannot be read)."""
    rel = files.relative(path)
    try:
        return FileState(rel, kind, path.stat().st_size, sha256(path))
    except (OSError, SourceError):
        return FileState(rel, kind, 0, UNREADABLE)


def _changed_earlier(files: SourceFiles, loaded: Mapping[str, Loaded]) -> tuple[str, ...]:
    """Loaded files dated before the window whose content moved since: a size change is certain; a
    local file modified after its load is checksummed (only those, so the window stays cheap)."""
    changed = []
    for rel, size in files.earlier:
        record = loaded.get(rel)
        if record is None:
            continue
        if size != record.size_bytes:
            changed.append(rel)
            continue
        path = files.root / rel
        try:
            modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(tzinfo=None)
        except OSError:
            continue  # not mirrored (an S3 source): its size is all there is to compare
        if modified > record.loaded_at and sha256(path) != record.checksum:
            changed.append(rel)
    return tuple(changed)


def loaded_files(warehouse: Warehouse) -> dict[str, Loaded]:
    with warehouse.transaction() as tx:
        rows = warehouse.fetch(tx, warehouse.sql_statements("ledger/loaded.sql")[0])
    return {str(path): Loaded(str(checksum), int(size), loaded_at) for path, checksum, size, loaded_at in rows}


class SourceMismatch(ConfigError):
    """The run's source is not the one the warehouse was loaded from."""


def check_source(warehouse: Warehouse, source: str, moved: bool = False) -> None:
    """Stop a run that would merge another dataset into the warehouse (see the module docstring).

    Sources recorded by older versions may be relative paths: they are resolved from here, which is
    where those runs ran when the warehouse path is relative too.
    """
    if moved or not warehouse.has_table(RUNS):
        return
    with warehouse.transaction() as tx:
        rows = warehouse.fetch(tx, warehouse.sql_statements("ledger/sources.sql")[0])
    if not rows:
        return
    bound, last, files = rows[0]
    if canonical(str(bound)) == canonical(source):
        return
    raise SourceMismatch(
        f"warehouse {warehouse} holds the data of source {bound} ({int(files):,} file loads, the last run at "
        f"{last:%Y-%m-%d %H:%M} UTC), not of {source}: a warehouse holds one dataset. Load {source} into a "
        "warehouse of its own (--warehouse), or, if it is the same data in a new place, rerun with --source-moved"
    )


def file_rows(lake: Path, states: Mapping[str, FileState], run_id: str, loaded_at: dt.datetime) -> pa.Table:
    """loaded_files rows for the run: checksums from the plan, record counts from the lake's input_files."""
    import duckdb

    from .lake import table_glob

    counts: dict[str, tuple[int, int, int]] = {}
    if states:
        con = duckdb.connect()
        try:
            rows = con.execute(
                "SELECT source_file, records, accepted, rejected FROM read_parquet(?, hive_partitioning = true)",
                [table_glob(lake, "input_files")],
            ).fetchall()
        finally:
            con.close()
        counts = {str(f): (int(r), int(a), int(j)) for f, r, a, j in rows}
    names = sorted(states)
    missing = [n for n in names if n not in counts]
    if missing:
        raise SourceError(f"the lake's input_files lacks {len(missing)} file(s) the run read, e.g. {missing[0]}")
    return pa.table(
        {
            "run_id": [run_id] * len(names),
            "source_file": names,
            "input": [states[n].input for n in names],
            "checksum": [states[n].checksum for n in names],
            "size_bytes": [states[n].size_bytes for n in names],
            "records": [counts[n][0] for n in names],
            "accepted": [counts[n][1] for n in names],
            "rejected": [counts[n][2] for n in names],
            "loaded_at": [loaded_at] * len(names),
        },
        schema=FILE_SCHEMA,
    )


def write_run(warehouse: Warehouse, row: Mapping[str, Any]) -> None:
    """Insert or replace the run's ledger row (delete + bulk insert in one transaction)."""
    run_id = check_run_id(str(row["run_id"]))
    if row["status"] not in STATUSES:
        raise ValueError(f"run status {row['status']!r} is not one of {STATUSES}")
    data = dict(row)
    if isinstance(data.get("stage_seconds"), dict):
        data["stage_seconds"] = json.dumps({k: round(v, 3) for k, v in data["stage_seconds"].items()})
    table = pa.Table.from_pylist([{name: data.get(name) for name in RUN_SCHEMA.names}], schema=RUN_SCHEMA)
    with warehouse.transaction() as tx:
        for statement in warehouse.sql_statements("ledger/forget_run.sql", run_id=f"'{run_id}'"):
            warehouse.execute(tx, statement)
        warehouse.insert_arrow(tx, RUNS, table)


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def committed(warehouse: Warehouse, run_id: str) -> bool:
    """Whether the run's merge committed (its loaded_files rows exist)."""
    (statement,) = warehouse.sql_statements("ledger/committed.sql", run_id=f"'{check_run_id(run_id)}'")
    with warehouse.transaction() as tx:
        return bool(warehouse.fetch(tx, statement)[0][0])
