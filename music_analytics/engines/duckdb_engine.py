"""The DuckDB transform engine: parallel native JSON reading, the SQL models, Parquet lake output.

Event files are read by DuckDB's newline-delimited JSON reader with every contract key typed
JSON (so a value's JSON type stays visible) and ignore_errors, which yields exactly one row per
non-blank line, all-NULL for a line it cannot parse. Rows are numbered by insertion order
(preserved for a table created from the scan) and mapped back to physical line numbers around
blank lines; the raw text is fetched only for rejected records.
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
from ..contract import EVENTS, SONGS
from ..errors import SourceError
from ..parse import validate_sql
from ..sources import SourceFiles, read_song_files
from . import MODELS, Progress, TransformResult


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join(_sql_str(v) for v in values) + "]"


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    def connect(self) -> duckdb.DuckDBPyConnection:
        work = self.cfg.work_path
        work.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {"temp_directory": str(work / "duckdb-spill")}
        if self.cfg.duckdb_memory_limit:
            config["memory_limit"] = self.cfg.duckdb_memory_limit
        if self.cfg.duckdb_threads:
            config["threads"] = self.cfg.duckdb_threads
        con = duckdb.connect(":memory:", config=config)
        con.execute("SET TimeZone = 'UTC'")
        for statement in sql.statements("engines/duckdb/macros.sql"):
            con.execute(statement)
        return con

    # -- raw readers -------------------------------------------------------------------------

    def _read_events(self, con: duckdb.DuckDBPyConnection, files: SourceFiles) -> None:
        paths = [str(p) for p in files.event_files]
        prefix_len = len(str(files.root)) + 2  # strip "<root>/" to store portable relative paths
        key_cols = ", ".join(f'"{k}"' for k in EVENTS.keys)
        if not paths:
            typed = ", ".join(f'CAST(NULL AS VARCHAR) AS "{k}"' for k in EVENTS.keys)
            con.execute(f"CREATE TEMP TABLE raw_events AS SELECT CAST(NULL AS VARCHAR) AS source_file, "
                        f"CAST(NULL AS BIGINT) AS line_number, CAST(NULL AS VARCHAR) AS parse_error, {typed} LIMIT 0")
            con.execute("CREATE TEMP TABLE event_lines_meta (source_file VARCHAR, lines BIGINT, blank_lines BIGINT)")
            con.execute("CREATE TEMP TABLE null_rows_raw (source_file VARCHAR, line_number BIGINT, raw VARCHAR)")
            return
        columns = "{" + ", ".join(f"'{k}': 'JSON'" for k in EVENTS.keys) + "}"
        # One row per non-blank line, in file order: insertion order is preserved into the table,
        # so rowid numbers the lines of each file consecutively.
        con.execute(
            f"CREATE TEMP TABLE events_json AS SELECT substr(filename, {prefix_len}) AS source_file, {key_cols} "
            f"FROM read_json({_sql_list(paths)}, format='newline_delimited', columns={columns}, "
            f"filename=true, ignore_errors=true, maximum_object_size=16777216)"
        )
        # Blank lines (nothing but whitespace, a BOM or CR) are not records; their positions shift
        # line numbers. The empty string after a final newline is not a line.
        con.execute(
            f"""CREATE TEMP TABLE event_text_lines AS
            SELECT substr(filename, {prefix_len}) AS source_file, len(ls) - (ls[-1] = '')::INT AS lines, ls
            FROM (SELECT filename, string_split(content, chr(10)) AS ls FROM read_text({_sql_list(paths)}))"""
        )
        con.execute(
            """CREATE TEMP TABLE blank_lines AS
            SELECT source_file, line_number FROM (
                SELECT source_file, lines, unnest(ls) AS l, unnest(range(1, len(ls) + 1)) AS line_number
                FROM event_text_lines)
            WHERE line_number <= lines AND trim(l, chr(32) || chr(9) || chr(13) || chr(65279)) = ''"""
        )
        con.execute(
            """CREATE TEMP TABLE event_lines_meta AS
            SELECT t.source_file, t.lines, COUNT(b.line_number) AS blank_lines
            FROM event_text_lines AS t LEFT JOIN blank_lines AS b USING (source_file)
            GROUP BY t.source_file, t.lines"""
        )
        # For the k-th non-blank line, the blanks before it are those with fewer than k non-blank
        # lines before them; ASOF picks the last such blank and its running count.
        con.execute(
            """CREATE TEMP TABLE blank_steps AS
            SELECT source_file, line_number - blanks_so_far AS nonblank_before, MAX(blanks_so_far) AS blanks_so_far
            FROM (SELECT source_file, line_number,
                         ROW_NUMBER() OVER (PARTITION BY source_file ORDER BY line_number) AS blanks_so_far
                  FROM blank_lines)
            GROUP BY source_file, nonblank_before"""
        )
        con.execute(
            f"""CREATE TEMP TABLE events_numbered AS
            SELECT e.source_file, e.ordinal + COALESCE(b.blanks_so_far, 0) AS line_number,
                   {", ".join(f'CAST(e."{k}" AS VARCHAR) AS "{k}"' for k in EVENTS.keys)}
            FROM (SELECT *, rowid - MIN(rowid) OVER (PARTITION BY source_file) + 1 AS ordinal FROM events_json) AS e
            ASOF LEFT JOIN blank_steps AS b
              ON e.source_file = b.source_file AND e.ordinal > b.nonblank_before"""
        )
        con.execute("DROP TABLE events_json")
        # Lines the reader could not parse come out all-NULL; only for those is the text examined.
        all_null = " AND ".join(f'"{k}" IS NULL' for k in EVENTS.keys)
        con.execute(
            f"""CREATE TEMP TABLE null_rows_raw AS
            WITH suspects AS (SELECT source_file, line_number FROM events_numbered WHERE {all_null})
            SELECT s.source_file, s.line_number, l.raw
            FROM suspects AS s
            JOIN (SELECT t.source_file, unnest(t.ls) AS raw, unnest(range(1, len(t.ls) + 1)) AS line_number
                  FROM event_text_lines AS t WHERE t.source_file IN (SELECT source_file FROM suspects)) AS l
              USING (source_file, line_number)"""
        )
        con.execute(
            f"""CREATE TEMP TABLE raw_events AS
            SELECT e.source_file, e.line_number,
                   CASE WHEN n.raw IS NULL THEN NULL
                        WHEN NOT json_valid(ltrim(n.raw, chr(65279))) THEN 'not_json'
                        WHEN json_type(ltrim(n.raw, chr(65279))) <> 'OBJECT' THEN 'not_object'
                   END AS parse_error,
                   {", ".join(f'e."{k}"' for k in EVENTS.keys)}
            FROM events_numbered AS e
            LEFT JOIN null_rows_raw AS n USING (source_file, line_number)"""
        )
        con.execute("DROP TABLE events_numbered")

    def _read_songs(self, con: duckdb.DuckDBPyConnection, files: SourceFiles) -> int:
        records = read_song_files(files)
        columns: dict[str, Any] = {
            "source_file": pa.array(records.source_file, pa.string()),
            "line_number": pa.array(records.line_number, pa.int64()),
            "parse_error": pa.array(records.parse_error, pa.string()),
        }
        for k in SONGS.keys:
            columns[k] = pa.array(records.values[k], pa.string())
        raw_songs_arrow = pa.table(columns)  # noqa: F841 - referenced by name from SQL
        song_text_arrow = pa.table({  # noqa: F841 - referenced by name from SQL
            "source_file": columns["source_file"], "line_number": columns["line_number"],
            "raw": pa.array(records.raw, pa.string()),
        })
        con.execute("CREATE TEMP TABLE raw_songs AS SELECT * FROM raw_songs_arrow")
        con.execute("CREATE TEMP TABLE song_text AS SELECT * FROM song_text_arrow")
        return records.blank_files

    # -- the transform -----------------------------------------------------------------------

    def transform(self, files: SourceFiles, lake: Path, progress: Progress) -> TransformResult:
        result = TransformResult(lake=lake, files=files)
        con = self.connect()
        try:
            t0 = time.perf_counter()
            progress(f"reading {len(files.event_files):,} event files and {len(files.song_files):,} song files")
            try:
                self._read_events(con, files)
                empty_song_files = self._read_songs(con, files)
            except duckdb.IOException as exc:
                raise SourceError(f"source {files.root}: {exc}") from exc
            except duckdb.InvalidInputException as exc:
                raise SourceError(f"source {files.root}: unreadable input ({str(exc).splitlines()[0]})") from exc
            result.seconds["read"] = time.perf_counter() - t0

            t0 = time.perf_counter()
            con.execute(f"CREATE TEMP TABLE events_checked AS {validate_sql(EVENTS, 'raw_events')}")
            con.execute("DROP TABLE raw_events")
            con.execute(f"CREATE TEMP TABLE songs_checked AS {validate_sql(SONGS, 'raw_songs')}")
            for model in MODELS:
                if model == "rejected_records":
                    self._collect_rejected_raw(con, files)
                con.execute(f"CREATE TEMP TABLE {model} AS {sql.read(f'transform/{model}.sql')}")
                if model == "events_classified":
                    con.execute("DROP TABLE events_checked")
            result.seconds["transform"] = time.perf_counter() - t0

            self._collect_stats(con, files, result, empty_song_files)
            t0 = time.perf_counter()
            progress(f"writing the lake to {lake}")
            self._write_lake(con, lake, result)
            result.seconds["lake"] = time.perf_counter() - t0
        finally:
            con.close()
            shutil.rmtree(self.cfg.work_path / "duckdb-spill", ignore_errors=True)
        return result

    def _collect_rejected_raw(self, con: duckdb.DuckDBPyConnection, files: SourceFiles) -> None:
        """The raw text of every rejected record: from the song records, the unparseable-line scan,
        and (for records that parsed but failed a check) their event file's lines."""
        con.execute(
            """CREATE TEMP TABLE rejected_keys AS
            SELECT source_file, line_number FROM events_classified WHERE reject_reason IS NOT NULL"""
        )
        has_event_lines = con.execute(
            "SELECT COUNT(*) FROM duckdb_tables() WHERE table_name = 'event_text_lines'"
        ).fetchall()[0][0]
        event_raw = "SELECT source_file, line_number, raw FROM null_rows_raw"
        if has_event_lines:
            event_raw = """
            SELECT k.source_file, k.line_number, ltrim(rtrim(l.raw, chr(13)), chr(65279)) AS raw
            FROM rejected_keys AS k
            JOIN (SELECT t.source_file, unnest(t.ls) AS raw, unnest(range(1, len(t.ls) + 1)) AS line_number
                  FROM event_text_lines AS t WHERE t.source_file IN (SELECT source_file FROM rejected_keys)) AS l
              USING (source_file, line_number)"""
        con.execute(
            f"""CREATE TEMP TABLE rejected_raw AS
            {event_raw}
            UNION ALL
            SELECT s.source_file, s.line_number, s.raw FROM song_text AS s
            JOIN songs_classified AS c USING (source_file, line_number) WHERE c.reject_reason IS NOT NULL"""
        )

    def _collect_stats(self, con: duckdb.DuckDBPyConnection, files: SourceFiles, result: TransformResult,
                       empty_song_files: int) -> None:
        con.execute(
            """CREATE TEMP TABLE input_files AS
            WITH ev AS (
                SELECT source_file, COUNT(*) AS records, COUNT(*) FILTER (WHERE reject_reason IS NULL) AS accepted
                FROM events_classified GROUP BY source_file),
            so AS (
                SELECT source_file, COUNT(*) AS records, COUNT(*) FILTER (WHERE reject_reason IS NULL) AS accepted
                FROM songs_classified GROUP BY source_file)
            SELECT m.source_file, 'events' AS input, COALESCE(ev.records, 0) AS records,
                   COALESCE(ev.accepted, 0) AS accepted, COALESCE(ev.records - ev.accepted, 0) AS rejected,
                   m.blank_lines
            FROM event_lines_meta AS m LEFT JOIN ev USING (source_file)
            UNION ALL
            SELECT source_file, 'songs', records, accepted, records - accepted, 0 FROM so"""
        )
        for name, stats in (("events", result.events), ("songs", result.songs)):
            row = con.execute(
                "SELECT COUNT(*), SUM(records), SUM(accepted), SUM(rejected), SUM(blank_lines), "
                "COUNT(*) FILTER (WHERE records = 0) FROM input_files WHERE input = ?", [name]
            ).fetchall()[0]
            stats.files, stats.records, stats.accepted, stats.rejected, stats.blank_lines, stats.empty_files = (
                int(v or 0) for v in row
            )
        result.songs.files = len(files.song_files)
        result.songs.empty_files = empty_song_files
        result.events.files = len(files.event_files)
        result.rejected_by_reason = dict(
            con.execute("SELECT reason, COUNT(*) FROM rejected_records GROUP BY reason ORDER BY reason").fetchall()
        )
        plays = con.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE user_id = '') FROM events WHERE page = 'NextSong'"
        ).fetchall()[0]
        result.plays, result.plays_without_user = int(plays[0]), int(plays[1])
        sp = con.execute("SELECT COUNT(*), COUNT(song_id) FROM songplays").fetchall()[0]
        result.songplays, result.matched = int(sp[0]), int(sp[1])

    def _write_lake(self, con: duckdb.DuckDBPyConnection, lake: Path, result: TransformResult) -> None:
        target = lake_mod.incoming(lake)
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for table in lake_mod.TABLES:
            out = target / table.name
            extra = "".join(f", {expr} AS {name}" for name, expr in table.partition_exprs)
            select = f"SELECT *{extra} FROM {table.name}"
            if table.partition_by:
                options = f"FORMAT parquet, PARTITION_BY ({', '.join(table.partition_by)})"
                con.execute(f"COPY ({select}) TO {_sql_str(str(out))} ({options})")
                if not out.exists():  # no rows: keep an empty table readable by staging
                    out.mkdir()
                    con.execute(f"COPY ({select} LIMIT 0) TO {_sql_str(str(out / 'empty.parquet'))} (FORMAT parquet)")
            else:
                out.mkdir()
                con.execute(f"COPY ({select}) TO {_sql_str(str(out / 'data.parquet'))} (FORMAT parquet)")
            result.rows[table.name] = int(con.execute(f"SELECT COUNT(*) FROM {table.name}").fetchall()[0][0])
        lake_mod.publish(lake)
