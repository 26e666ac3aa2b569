"""The two quality gates, validated by Great Expectations' SQL engine where the rows are.

Gate 1 (`check_lake`) runs on the transform's Parquet output before anything is staged: a
scratch DuckDB file holds each lake table as a view `staging.<table>`, and as the published tables the
song catalogue the transform matched plays against (the warehouse's songs when the run was
planned), so the suites' SQL reads the lake exactly as it reads a warehouse. The file is on disk
and its connections are memory-limited (GATE_MEMORY_LIMIT): DuckDB spills rather than grows, so
the gate's memory does not follow the size of the lake. It is deleted when the gate ends.

Gate 2 (`audit_warehouse`) is the audit of write-audit-publish: the run's rows are already
written to the warehouse's staging (audit) tables; GX connects to the warehouse itself (the
adapter's sqlalchemy_source: its password never stored) and runs the suites there, against what
is already published for references; only a passing audit lets the one-transaction merge
publish them.

Either way each suite is its `sql/quality/<suite>.sql` query, which GX wraps for every metric it
computes; no row of it is fetched into Python except GX's samples of unexpected values.
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
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
from .suites import EXPECTATIONS_DIR, Suite, suites
from .validate import Rows, build_docs, engines_disposed, validate

STAR = tuple(t.name for t in tables.STAR)
# The lake gate's DuckDB: enough to aggregate 10M rows in memory; beyond, it spills to its file.
GATE_MEMORY_LIMIT = "1GB"
LAKE_SOURCE, WAREHOUSE_SOURCE = "lake", "warehouse"  # the GX data sources


def _build_lake_database(path: Path, lake: Path, catalogue: Path | None) -> None:
    """Write the lake gate's scratch DuckDB file: the lake tables, the published ones beside them."""
    _remove_database(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config=_lake_config())
    try:
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
            # Views, not copies: a suite's query reads only its columns (copying the lake cost more than
            # the reads it saved); what one suite would read many times is computed once (_materialize).
            con.execute(
                f"CREATE VIEW staging.{quote(name)} AS SELECT {cols} FROM "
                f"read_parquet('{table_glob(lake, name)}', hive_partitioning = true)"
            )
        published = set()
        if catalogue is not None:
            # A day's plays match songs loaded by earlier runs: those are published, not dangling. The
            # catalogue is what the transform matched against, so it is what the references must see.
            source = f"read_parquet({sql.literal(str(catalogue))})"
            con.execute(
                f"CREATE TABLE songs AS SELECT song_id, title, artist_id, artist_name, "
                f"CAST(NULL AS INTEGER) AS year, duration FROM {source}"
            )
            # A published song's artist is published (gate 2 checks songs.artist_id on every load).
            con.execute(
                f"CREATE TABLE artists AS SELECT DISTINCT artist_id, CAST(NULL AS VARCHAR) AS name, "
                f"CAST(NULL AS VARCHAR) AS location, CAST(NULL AS DOUBLE) AS latitude, "
                f"CAST(NULL AS DOUBLE) AS longitude FROM {source}"
            )
            published = {"songs", "artists"}
        for name in STAR:
            if name not in published:
                # What the run cannot know about the warehouse is empty: references resolve within the run.
                con.execute(f"CREATE VIEW {quote(name)} AS SELECT * FROM staging.{quote(name)} LIMIT 0")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _duckdb_url(path: str) -> str:
    """GX's URL of a DuckDB file: through duckdb_gx, imported only here (it imports SQLAlchemy)."""
    from . import duckdb_gx

    return duckdb_gx.url(path)


def _lake_config() -> dict[str, str | bool | int | float | list[str]]:
    return {"memory_limit": GATE_MEMORY_LIMIT}


def _remove_database(path: Path) -> None:
    for file in (path, path.with_name(path.name + ".wal")):
        file.unlink(missing_ok=True)


@functools.cache
def _process_scratch() -> Path:
    """This process's folder for scratch files of gates without a GX project."""
    return Path(tempfile.mkdtemp(prefix="music-analytics-gate-"))


@contextlib.contextmanager
def _scratch_database(project_dir: Path | None, name: str) -> Iterator[Path]:
    """Where a gate's scratch DuckDB file goes: in the GX project (a stable path, so the data source
    stored there stays as it is), or a folder of this process's; the file is removed afterwards."""
    path = (project_dir / "scratch" if project_dir is not None else _process_scratch()) / f"{name}.duckdb"
    try:
        yield path
    finally:
        _remove_database(path)


def _rows_table(suite: Suite) -> str:
    return f"quality_rows_{suite.name}"


def _common_statements(relative: str, **values: object) -> list[str]:
    """The lake gate's statements: its scratch DuckDB has no adapter, the shared files serve it."""
    return sql.render(f"warehouse/common/{relative}", **values)


def _reads_one_table(query: str) -> bool:
    """A SELECT of columns (or expressions of one row) from one table: no join, subquery, set
    operation, aggregate or window. Anything else, or SQL sqlglot cannot parse, is computed once."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(query, read="postgres")
    except sqlglot.errors.ParseError:
        return False
    costly = (
        exp.Join,
        exp.Subquery,
        exp.With,
        exp.Union,
        exp.Except,
        exp.Intersect,
        exp.AggFunc,
        exp.Group,
        exp.Window,
    )
    return isinstance(tree, exp.Select) and len(list(tree.find_all(exp.Table))) == 1 and tree.find(*costly) is None


def _materialize(
    execute: Callable[[str], Any],
    fetch: Callable[[str], list[tuple[Any, ...]]],
    statements: Callable[..., list[str]],
    suite: Suite,
    query: str,
) -> tuple[str, int]:
    """The query GX validates for `suite`, and its row count: the suite's own query when it reads
    one table as it is (GX's metric queries then cost what a copy would), else its rows computed
    once, into staging.quality_rows_<suite> (warehouse/*/quality/materialize.sql)."""
    if _reads_one_table(query):
        return query, int(fetch(f"SELECT COUNT(*) FROM ({query}) AS suite_rows")[0][0])
    table = _rows_table(suite)
    for statement in statements("quality/materialize.sql", table=table, query=query):
        execute(statement)
    return f"SELECT * FROM staging.{table}", int(fetch(f"SELECT COUNT(*) FROM staging.{table}")[0][0])


def _run(
    gate: str,
    rows: list[tuple[Suite, Rows]],
    run_id: str,
    docs_dir: Path | None,
    project_dir: Path | None,
    progress: Say,
) -> GateResult:
    result = GateResult(gate=gate, run_id=run_id)
    done = Periodic(progress, f"quality gate '{gate}'", len(rows), "suites")
    with engines_disposed():
        for suite, suite_rows in rows:
            result.suites.append(
                validate(suite, suite_rows, gate=gate, run_id=run_id, docs_dir=docs_dir, project_dir=project_dir)
            )
            done.add(1)
    result.docs = build_docs(docs_dir, project_dir=project_dir)
    return result


def lake_counts(lake: Path) -> dict[str, int]:
    """Rows per lake table, and the accepted NextSong events of known users (what songplays must equal).

    Read straight from the Parquet files (row counts come from their metadata), not through
    the gate's scratch database, which copies every table for a few numbers.
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


def _selected(gate: str, only: Collection[str] | None, directory: Path) -> list[Suite]:
    return [s for s in suites(gate, directory) if only is None or s.name in only]


def check_lake(
    lake: Path,
    *,
    run_id: str,
    docs_dir: Path | None = None,
    catalogue: Path | None = None,
    only: Collection[str] | None = None,
    project_dir: Path | None = None,
    suites_dir: Path = EXPECTATIONS_DIR,
    progress: Say = lambda _m: None,
) -> GateResult:
    """Gate 1: every `lake` suite (or those named in `only`) on the lake's tables.

    `catalogue` is the Parquet of published songs the transform matched plays against
    (sources.SourceFiles.catalogue); without it nothing counts as published. `project_dir` is the
    GX project that keeps suites and results across runs (None: an in-memory one, see datadocs).
    `suites_dir`: where the suite files are (a suite's rows still come from sql/quality/<suite>.sql).
    """
    started = time.perf_counter()
    selected = _selected("lake", only, suites_dir)
    with datadocs.session(project_dir, docs_dir), _scratch_database(project_dir, LAKE_SOURCE) as path:
        _build_lake_database(path, lake, catalogue)
        con = duckdb.connect(str(path), config=_lake_config())
        try:
            counted = [
                (
                    s,
                    *_materialize(
                        con.execute, lambda q: con.execute(q).fetchall(), _common_statements, s, sql.render(s.query)[0]
                    ),
                )
                for s in selected
            ]
        finally:
            con.close()
        connect = {"connect_args": {"config": _lake_config()}}
        rows = [
            (s, Rows(source=LAKE_SOURCE, url=_duckdb_url(str(path)), query=q, rows=n, engine_kwargs=connect))
            for s, q, n in counted
        ]
        result = _run("lake", rows, run_id, docs_dir, project_dir, progress)
    result.seconds = time.perf_counter() - started
    return result


def audit_warehouse(
    warehouse: Warehouse,
    lake: Path,
    *,
    run_id: str,
    docs_dir: Path | None = None,
    only: Collection[str] | None = None,
    project_dir: Path | None = None,
    suites_dir: Path = EXPECTATIONS_DIR,
    progress: Say = lambda _m: None,
) -> GateResult:
    """Gate 2: every `warehouse` suite (or those named in `only`) on the staged, unpublished rows.

    `project_dir`, `suites_dir`: as for check_lake.
    """
    started = time.perf_counter()
    values = {f"lake_{k}" if k in STAR else k: v for k, v in lake_counts(lake).items()}
    selected = _selected("warehouse", only, suites_dir)
    with warehouse.transaction() as tx:
        counted = [
            (
                s,
                *_materialize(
                    lambda q: warehouse.execute(tx, q),
                    lambda q: warehouse.fetch(tx, q),
                    warehouse.sql_statements,
                    s,
                    sql.render(s.query, **values)[0],
                ),
            )
            for s in selected
        ]
    source = warehouse.sqlalchemy_source()
    url = _duckdb_url(source.url.removeprefix("duckdb:///")) if source.url.startswith("duckdb:") else source.url
    rows = [
        (
            s,
            Rows(
                source=WAREHOUSE_SOURCE,
                url=url,
                query=q,
                rows=n,
                engine_kwargs=source.engine_kwargs,
                secrets=source.secrets,
            ),
        )
        for s, q, n in counted
    ]
    try:
        with datadocs.session(project_dir, docs_dir):
            result = _run("warehouse", rows, run_id, docs_dir, project_dir, progress)
    finally:
        with warehouse.transaction() as tx:
            for s in selected:
                for statement in warehouse.sql_statements("quality/drop.sql", table=_rows_table(s)):
                    warehouse.execute(tx, statement)
    result.seconds = time.perf_counter() - started
    return result
