"""The two quality gates.

Gate 1 (`check_lake`) runs on the transform's Parquet output before anything is staged: an
in-memory DuckDB exposes each lake table as `staging.<table>`, and as the published tables the
song catalogue the transform matched plays against (the warehouse's songs when the run was
planned), so the suites' SQL reads the lake exactly as it reads a warehouse.

Gate 2 (`audit_warehouse`) is the audit of write-audit-publish: the run's rows are already
written to the warehouse's staging (audit) tables; the suites run there, against what is already
published for references; only a passing audit lets the one-transaction merge publish them.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import duckdb

from .. import sql, tables
from ..lake import TABLES as LAKE_TABLES
from ..lake import table_glob
from ..progress import Periodic, Say
from ..warehouse.base import Warehouse, quote
from . import datadocs
from .results import GateResult
from .suites import Suite, suites
from .validate import build_docs, validate

STAR = tuple(t.name for t in tables.STAR)


def _lake_connection(lake: Path, catalogue: Path | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE SCHEMA staging")
    for table in LAKE_TABLES:
        name = table.name
        # Columns computed only to partition by are not model columns; the staged subset (COLUMNS)
        # would hide model columns the suites check (events' gender, registration).
        cols = (
            f"* EXCLUDE ({', '.join(table.partition_by)})"
            if table.partition_exprs
            else ", ".join(tables.BY_NAME[name].names if name in tables.BY_NAME else ("*",))
        )
        # Read once: several suites join the same tables, and songs may be ~10k small files.
        con.execute(
            f"CREATE TABLE staging.{quote(name)} AS SELECT {cols} FROM "
            f"read_parquet('{table_glob(lake, name)}', hive_partitioning = true)"
        )
    published = set()
    if catalogue is not None:
        # A day's plays match songs loaded by earlier runs: those are published, not dangling. The
        # catalogue is what the transform matched against, so it is what the references must see.
        source = f"read_parquet({_literal(str(catalogue))})"
        con.execute(
            f"CREATE VIEW songs AS SELECT song_id, title, artist_id, artist_name, "
            f"CAST(NULL AS INTEGER) AS year, duration FROM {source}"
        )
        # A published song's artist is published (gate 2 checks songs.artist_id on every load).
        con.execute(
            f"CREATE VIEW artists AS SELECT DISTINCT artist_id, CAST(NULL AS VARCHAR) AS name, "
            f"CAST(NULL AS VARCHAR) AS location, CAST(NULL AS DOUBLE) AS latitude, "
            f"CAST(NULL AS DOUBLE) AS longitude FROM {source}"
        )
        published = {"songs", "artists"}
    for name in STAR:
        if name not in published:
            # What the run cannot know about the warehouse is empty: references resolve within the run.
            con.execute(f"CREATE VIEW {quote(name)} AS SELECT * FROM staging.{quote(name)} LIMIT 0")
    return con


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _run(
    gate: str,
    frames: list[tuple[Suite, Any]],
    run_id: str,
    docs_dir: Path | None,
    project_dir: Path | None,
    started: float,
    progress: Say,
) -> GateResult:
    result = GateResult(gate=gate, run_id=run_id)
    done = Periodic(progress, f"quality gate '{gate}'", len(frames), "suites")
    with datadocs.session(project_dir, docs_dir):
        for suite, frame in frames:
            result.suites.append(
                validate(suite, frame, gate=gate, run_id=run_id, docs_dir=docs_dir, project_dir=project_dir)
            )
            done.add(1)
        result.docs = build_docs(docs_dir, project_dir=project_dir)
    result.seconds = time.perf_counter() - started
    return result


def lake_counts(lake: Path) -> dict[str, int]:
    """Rows per lake table, and the accepted NextSong events of known users (what songplays must equal).

    Read straight from the Parquet files (row counts come from their metadata), not through
    _lake_connection, which would load every table into memory for a few numbers.
    """
    con = duckdb.connect()

    def count(table: str, where: str = "TRUE") -> int:
        scan = f"read_parquet('{table_glob(lake, table)}', hive_partitioning = true)"
        return int(con.execute(f"SELECT COUNT(*) FROM {scan} WHERE {where}").fetchall()[0][0])

    try:
        counts = {t: count(t) for t in STAR}
        counts["nextsong_accepted"] = count("events", "page = 'NextSong' AND user_id <> ''")
        return counts
    finally:
        con.close()


def _selected(gate: str, only: Collection[str] | None) -> list[Suite]:
    return [s for s in suites(gate) if only is None or s.name in only]


def check_lake(
    lake: Path,
    *,
    run_id: str,
    docs_dir: Path | None = None,
    catalogue: Path | None = None,
    only: Collection[str] | None = None,
    project_dir: Path | None = None,
    progress: Say = lambda _m: None,
) -> GateResult:
    """Gate 1: every `lake` suite (or those named in `only`) on the lake's tables.

    `catalogue` is the Parquet of published songs the transform matched plays against
    (sources.SourceFiles.catalogue); without it nothing counts as published. `project_dir` is the
    GX project that keeps suites and results across runs (None: an in-memory one, see datadocs).
    """
    started = time.perf_counter()
    con = _lake_connection(lake, catalogue)
    try:
        frames = [(s, con.execute(sql.render(s.query)[0]).df()) for s in _selected("lake", only)]
    finally:
        con.close()
    return _run("lake", frames, run_id, docs_dir, project_dir, started, progress)


def audit_warehouse(
    warehouse: Warehouse,
    lake: Path,
    *,
    run_id: str,
    docs_dir: Path | None = None,
    only: Collection[str] | None = None,
    project_dir: Path | None = None,
    progress: Say = lambda _m: None,
) -> GateResult:
    """Gate 2: every `warehouse` suite (or those named in `only`) on the staged, unpublished rows.

    `project_dir`: as for check_lake.
    """
    started = time.perf_counter()
    values = {f"lake_{k}" if k in STAR else k: v for k, v in lake_counts(lake).items()}
    with warehouse.transaction() as tx:
        frames = [(s, warehouse.frame(tx, sql.render(s.query, **values)[0])) for s in _selected("warehouse", only)]
    return _run("warehouse", frames, run_id, docs_dir, project_dir, started, progress)
