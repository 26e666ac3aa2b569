"""The DuckDB transform engine: parallel native JSON reading, the SQL models, Parquet lake output.

Event files are read by DuckDB's newline-delimited JSON reader (text fields as text, number
fields as JSON text so their type stays visible) with ignore_errors, which yields exactly one row
per non-blank line, all-NULL for a line it cannot parse, and checked against the contract in the
same pass. Rows keep the scan's order (rowid = record_position); physical line numbers and raw
text are worked out only for the records that need them (unparsed and rejected ones).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .. import lake as lake_mod
from .. import sql
from ..config import Config
from ..contract import EVENTS, SONGS, JsonType
from ..errors import SourceError
from ..parse import validate_sql
from ..progress import duckdb_share, watching
from ..sources import (
    EventFileProfile,
    SourceFiles,
    profile_event_file,
    read_lines,
    read_song_texts,
    split_song_values,
)
from ..sql import literal
from . import MODELS, Progress, TransformResult, quarantined_table


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join(literal(v) for v in values) + "]"


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    def connect(self) -> duckdb.DuckDBPyConnection:
        work = self.cfg.work_path
        work.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {"temp_directory": str(work / "duckdb-spill")}
        if self.cfg.duckdb.memory_limit:
            config["memory_limit"] = self.cfg.duckdb.memory_limit
        if self.cfg.duckdb.threads:
            config["threads"] = self.cfg.duckdb.threads
        con = duckdb.connect(":memory:", config=config)
        con.execute("SET TimeZone = 'UTC'")
        # query_progress() (periodic progress lines) needs it; nothing is printed by DuckDB itself.
        con.execute("SET enable_progress_bar = true")
        con.execute("SET enable_progress_bar_print = false")
        for statement in sql.statements("engines/duckdb/macros.sql"):
            con.execute(statement)
        return con

    # -- raw readers -------------------------------------------------------------------------

    def _run(self, con: duckdb.DuckDBPyConnection, relative: str, **values: object) -> None:
        for statement in sql.render(f"engines/duckdb/{relative}", **values):
            con.execute(statement)

    def _read_events(self, con: duckdb.DuckDBPyConnection, files: SourceFiles) -> None:
        """events_checked: the event files read, typed and checked in one pass."""
        keys = [f'"{k}"' for k in EVENTS.keys]
        profiles = [profile_event_file(p, files.relative(p)) for p in files.event_files]
        con.register(
            "event_files_arrow",
            pa.table(
                {
                    "source_file": pa.array([p.source_file for p in profiles], pa.string()),
                    "lines": pa.array([p.lines for p in profiles], pa.int64()),
                    "blank_lines": pa.array([len(p.blank_lines) for p in profiles], pa.int64()),
                }
            ),
        )
        con.register(
            "blank_lines_arrow",
            pa.table(
                {
                    "source_file": pa.array([p.source_file for p in profiles for _ in p.blank_lines], pa.string()),
                    "line_number": pa.array([n for p in profiles for n in p.blank_lines], pa.int64()),
                }
            ),
        )
        con.execute("CREATE TEMP TABLE event_files AS SELECT * FROM event_files_arrow")
        con.execute("CREATE TEMP TABLE blank_lines AS SELECT * FROM blank_lines_arrow")
        if profiles:
            source = sql.render(
                "engines/duckdb/events_source.sql",
                files=_sql_list([str(p) for p in files.event_files]),
                prefix_len=len(str(files.root)) + 2,  # strips "<root>/": stored paths are portable
                columns="{"
                + ", ".join(f"'{f.key}': '{'VARCHAR' if f.type is JsonType.TEXT else 'JSON'}'" for f in EVENTS.fields)
                + "}",
                json_as_text=", ".join(
                    f'CAST("{f.key}" AS VARCHAR) AS "{f.key}"' for f in EVENTS.fields if f.type is not JsonType.TEXT
                ),
            )[0]
        else:
            source = sql.render(
                "engines/duckdb/no_events_source.sql",
                null_keys=", ".join(f"CAST(NULL AS VARCHAR) AS {k}" for k in keys),
            )[0]
        self._run(con, "read_events.sql", validate=validate_sql(EVENTS, source, keep=("source_file",)))
        self._check_record_counts(con, profiles)
        # Records without any contract key: not JSON, not an object, or an object like {}.
        unparsed = con.execute(sql.read("engines/duckdb/unparsed_records.sql")).fetchall()
        con.register("unparsed_text", self._record_text(con, files, unparsed))
        self._run(con, "parse_errors.sql")

    @staticmethod
    def _check_record_counts(con: duckdb.DuckDBPyConnection, profiles: list[EventFileProfile]) -> None:
        """Line numbers rest on each file's rows being contiguous and complete: verify, never assume."""
        got = {
            f: (first, last, n)
            for f, first, last, n in con.execute(
                "SELECT source_file, first_position, last_position, records FROM file_offsets"
            ).fetchall()
        }
        for p in profiles:
            expected = p.lines - len(p.blank_lines)
            first, last, n = got.get(p.source_file, (0, -1, 0))
            if n != expected or (n and last - first + 1 != n):
                raise SourceError(
                    f"{p.source_file}: read {n:,} records from {expected:,} non-blank lines; "
                    "refusing to guess line numbers (is the file being written to?)"
                )

    def _record_text(
        self, con: duckdb.DuckDBPyConnection, files: SourceFiles, records: list[tuple[str, int]]
    ) -> pa.Table:
        """Line number and raw text of the given event records (source_file, record_position)."""
        con.register(
            "wanted_records",
            pa.table(
                {
                    "source_file": pa.array([r[0] for r in records], pa.string()),
                    "record_position": pa.array([int(r[1]) for r in records], pa.int64()),
                }
            ),
        )
        located = con.execute(sql.read("engines/duckdb/line_numbers.sql")).fetchall()
        con.unregister("wanted_records")
        by_file: dict[str, set[int]] = {}
        for source_file, _position, line_number in located:
            by_file.setdefault(source_file, set()).add(int(line_number))
        text = {f: read_lines(files.root / f, numbers) for f, numbers in by_file.items()}
        return pa.table(
            {
                "source_file": pa.array([r[0] for r in located], pa.string()),
                "record_position": pa.array([int(r[1]) for r in located], pa.int64()),
                "line_number": pa.array([int(r[2]) for r in located], pa.int64()),
                "raw": pa.array([text[r[0]].get(int(r[2])) for r in located], pa.string()),
            }
        )

    def _read_songs(self, con: duckdb.DuckDBPyConnection, files: SourceFiles) -> None:
        keys = SONGS.keys
        if not files.song_files:
            self._run(con, "no_songs.sql", null_keys=", ".join(f'CAST(NULL AS VARCHAR) AS "{k}"' for k in keys))
            return
        texts = read_song_texts(files)
        con.register(
            "song_files_arrow",
            pa.table(
                {
                    "source_file": pa.array([t[0] for t in texts], pa.string()),
                    "content": pa.array([t[1] for t in texts], pa.string()),
                }
            ),
        )
        con.execute("CREATE TEMP TABLE song_files AS SELECT * FROM song_files_arrow")
        statements = sql.render(
            "engines/duckdb/read_songs.sql",
            paths="[" + ", ".join(f"'$.{k}'" for k in keys) + "]",
            extracted_keys=", ".join(
                f't[{i}] AS "{f.key}"'
                if f.type is JsonType.TEXT
                else f"NULLIF(CAST(v[{i}] AS VARCHAR), 'null') AS \"{f.key}\""
                for i, f in enumerate(SONGS.fields, start=1)
            ),
        )
        # Files that are not one JSON value are split in Python (several objects, or garbage).
        multi = {row[0] for row in con.execute(sql.read("engines/duckdb/multi_value_song_files.sql")).fetchall()}
        records = split_song_values([t for t in texts if t[0] in multi])
        con.register(
            "song_records",
            pa.table(
                {
                    "source_file": pa.array(records.source_file, pa.string()),
                    "line_number": pa.array(records.line_number, pa.int64()),
                    "raw": pa.array(records.raw, pa.string()),
                }
            ),
        )
        for statement in statements:
            con.execute(statement)

    # -- the transform -----------------------------------------------------------------------

    def transform(self, files: SourceFiles, lake: Path, progress: Progress) -> TransformResult:
        result = TransformResult(lake=lake_mod.batch(lake), files=files)
        con = self.connect()
        try:
            t0 = time.perf_counter()
            progress(f"reading {len(files.event_files):,} event files and {len(files.song_files):,} song files")
            try:
                with watching(progress, "transform: reading and checking the event files", duckdb_share(con)):
                    self._read_events(con, files)
                self._read_songs(con, files)
                if files.catalogue is not None:
                    self._run(con, "known_songs.sql", path=literal(str(files.catalogue)))
                else:
                    self._run(con, "no_known_songs.sql")
            except duckdb.IOException as exc:
                raise SourceError(f"source {files.root}: {exc}") from exc
            except duckdb.InvalidInputException as exc:
                raise SourceError(f"source {files.root}: unreadable input ({str(exc).splitlines()[0]})") from exc
            con.register("quarantined_files", quarantined_table(files))
            result.seconds["read"] = time.perf_counter() - t0

            t0 = time.perf_counter()
            progress(f"read and checked in {result.seconds['read']:.1f} s; running the models")
            con.execute(
                "CREATE TEMP TABLE songs_checked AS "
                + validate_sql(SONGS, "raw_songs", keep=("source_file", "record_position", "parse_error"))
            )
            with watching(progress, "transform: running the models", duckdb_share(con)):
                for model, kind in MODELS:
                    if model == "rejected_records":
                        self._collect_rejected_raw(con, files)
                    con.execute(f"CREATE TEMP {kind.upper()} {model} AS {sql.read(f'transform/{model}.sql')}")
            result.seconds["transform"] = time.perf_counter() - t0

            self._collect_stats(con, files, result)
            t0 = time.perf_counter()
            progress(f"writing the lake to {lake}")
            with watching(progress, "transform: writing the lake", duckdb_share(con)), lake_mod.writing(lake) as target:
                self._write_lake(con, target, result)
            result.seconds["lake"] = time.perf_counter() - t0
        finally:
            con.close()
            shutil.rmtree(self.cfg.work_path / "duckdb-spill", ignore_errors=True)
        return result

    def _collect_rejected_raw(self, con: duckdb.DuckDBPyConnection, files: SourceFiles) -> None:
        rejected = con.execute(sql.read("engines/duckdb/rejected_keys.sql")).fetchall()
        con.register("rejected_event_text", self._record_text(con, files, rejected))
        self._run(con, "rejected_raw.sql")

    def _collect_stats(self, con: duckdb.DuckDBPyConnection, files: SourceFiles, result: TransformResult) -> None:
        for row in con.execute(sql.read("stats/inputs.sql")).fetchall():
            stats = result.events if row[0] == "events" else result.songs
            stats.files, stats.records, stats.accepted, stats.rejected, stats.blank_lines, stats.empty_files = (
                int(v or 0) for v in row[1:]
            )
        result.rejected_by_reason = {
            str(reason): int(n) for reason, n in con.execute(sql.read("stats/rejected_by_reason.sql")).fetchall()
        }
        plays = con.execute(sql.read("stats/plays.sql")).fetchall()[0]
        result.plays, result.plays_without_user, result.songplays, result.matched = (int(v) for v in plays)

    def _write_lake(self, con: duckdb.DuckDBPyConnection, target: Path, result: TransformResult) -> None:
        """The run's tables into `target` (lake_mod.writing's folder)."""
        for table in lake_mod.tables(self.cfg.lake.songs_partition_by):
            out = target / table.name
            extra = "".join(f", {expr} AS {name}" for name, expr in table.partition_exprs)
            star = f"* EXCLUDE ({', '.join(table.exclude)})" if table.exclude else "*"
            select = f"SELECT {star}{extra} FROM {table.name}"
            rows = result.known_rows(table.name)
            if rows is None:
                rows = int(con.execute(f"SELECT COUNT(*) FROM {table.name}").fetchall()[0][0])
            parts = ", ".join(table.partition_by)
            if table.partition_by and rows and table.many_partitions:
                groups = con.execute(f"SELECT {parts}, COUNT(*) FROM {table.name} GROUP BY ALL ORDER BY ALL").fetchall()
                data = con.sql(
                    f"SELECT * EXCLUDE ({', '.join((*table.partition_by, *table.exclude))}) "
                    f"FROM {table.name} ORDER BY {parts}"
                ).to_arrow_table()
                lake_mod.write_slices(
                    data,
                    [g[:-1] for g in groups],
                    [int(g[-1]) for g in groups],
                    out,
                    table.partition_by,
                    threads=self.cfg.duckdb.threads or 2,
                )
            elif table.partition_by and rows:
                con.execute(f"COPY ({select}) TO {literal(str(out))} (FORMAT parquet, PARTITION_BY ({parts}))")
            else:
                # Unpartitioned, or no rows: one file, so staging always finds a readable table.
                out.mkdir()
                con.execute(f"COPY ({select}) TO {literal(str(out / 'data.parquet'))} (FORMAT parquet)")
            result.rows[table.name] = rows
