"""The Spark transform engine: the same contract check and SQL models as the DuckDB engine, on Spark.

Reading: each file is read whole (one task per file) and split into numbered lines, so line
numbers are exact without any assumption about how Spark splits files; each line is parsed once
into a VARIANT, from which the contract's fields are taken (the explicit schema: no inference
pass). Models: sql/transform/*.sql, transpiled from DuckDB SQL by sqlglot in strict mode and run
as-is; the helpers they call are SQL functions from sql/engines/spark/macros.sql. Output: the
same partitioned Parquet lake layout, swapped into place like the DuckDB engine's.

Everything runs through the DataFrame/SQL API, so the engine works on local[*], a standalone or
YARN/Kubernetes cluster and over Spark Connect alike.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .. import lake as lake_mod
from .. import sql
from ..config import Config
from ..contract import EVENTS, SONGS, Contract, JsonType
from ..errors import SourceError
from ..parse import validate_sql
from ..sources import SourceFiles, split_song_values
from . import MODELS, Progress, TransformResult
from .spark_session import get_session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@functools.cache
def model_sql(name: str) -> str:
    """sql/transform/<name>.sql as Spark SQL (sqlglot, strict: anything it cannot express fails)."""
    import sqlglot
    from sqlglot.errors import ErrorLevel

    (text,) = sqlglot.transpile(
        sql.read(f"transform/{name}.sql"), read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE, pretty=True
    )
    return text


def extracted_keys(contract: Contract) -> str:
    """The VARIANT -> column expressions of the contract's keys (see events_source.sql)."""
    exprs = []
    for f in contract.fields:
        if f.type is JsonType.TEXT:
            exprs.append(f"try_variant_get(v, '$.{f.key}', 'string') AS `{f.key}`")
        else:
            # A number beyond the double range (1e999) parses as an infinite DOUBLE, which to_json
            # renders as the string "Infinity": handed on as DuckDB's reader does, a number
            # (1e999), so both engines reject it as out_of_range, and a quoted "Infinity" as
            # invalid_type.
            value = f"try_variant_get(v, '$.{f.key}', 'variant')"
            exprs.append(
                f"CASE WHEN to_json({value}) IN ('\"Infinity\"', '\"-Infinity\"') "
                f"AND schema_of_variant({value}) = 'DOUBLE' "
                f"THEN replace(replace(to_json({value}), '\"', ''), 'Infinity', '1e999') "
                f"ELSE NULLIF(to_json({value}), 'null') END AS `{f.key}`"
            )
    return ",\n        ".join(exprs)


def json_verdict_udf() -> Callable[[str | None], str | None]:
    """The exact verdict on one JSON text: 'not_json', 'not_object' or None (one object).

    Built as a closure over the standard library only, so Spark ships it by value: executors
    need Python, not this package. NaN/Infinity are not JSON (DuckDB rejects them too).
    """
    import json

    def reject_constant(name: str) -> None:
        raise ValueError(name)

    def verdict(text: str | None) -> str | None:
        if text is None:
            return None
        try:
            value = json.loads(text, parse_constant=reject_constant)
        except (ValueError, RecursionError):
            return "not_json"
        return None if isinstance(value, dict) else "not_object"

    return verdict


_GLOB = re.compile(r"([{}\[\]*?\\])")


def _literal_uri(path: Path) -> str:
    """The file's URI as Spark reads it literally: Hadoop expands {}[]*?\\ in a path as a glob
    pattern, unless escaped with a backslash (a folder named "[12]" is a name, not a pattern)."""
    posix = path.as_posix()
    return "file://" + _GLOB.sub(r"\\\1", posix) if _GLOB.search(posix) else path.as_uri()


@dataclass(frozen=True)
class Inputs:
    """The files of a run as Spark reads them: URIs, and the paths relative to the source root."""

    root: str  # as Spark renders a file's path after URL-decoding, without "file:" (ends with "/")
    event_files: tuple[tuple[str, str], ...]  # (URI, relative path)
    song_files: tuple[tuple[str, str], ...]
    # URI of song_data/ when every song file under it is read (the date range limits events only);
    # None when the ledger skipped some: then only the listed files are read.
    song_folder: str | None
    catalogue: str | None = None  # URI of the Parquet of songs the warehouse already holds
    # (relative path, input, why) of the files not read: SourceFiles.quarantined.
    quarantined: tuple[tuple[str, str, str], ...] = ()

    @classmethod
    def local(cls, files: SourceFiles) -> Inputs:
        return cls(
            root=files.root.as_posix().rstrip("/") + "/",
            event_files=tuple((_literal_uri(p), files.relative(p)) for p in files.event_files),
            song_files=tuple((_literal_uri(p), files.relative(p)) for p in files.song_files),
            song_folder=_literal_uri(files.root / "song_data") if not files.skipped_song_files else None,
            catalogue=_literal_uri(files.catalogue.resolve()) if files.catalogue is not None else None,
            quarantined=files.quarantined,
        )


# The song catalogue's columns (sources.SourceFiles.catalogue), for an empty one.
KNOWN_SONGS_SCHEMA = "song_id string, title string, artist_id string, artist_name string, duration double"


class SparkEngine:
    name = "spark"

    def __init__(self, cfg: Config, submitted: bool = False) -> None:
        self.cfg = cfg
        self.submitted = submitted  # running under spark-submit: use the session it configured

    @property
    def spark(self) -> SparkSession:
        return get_session(self.cfg, self.submitted)

    # -- raw readers -------------------------------------------------------------------------

    def _files_view(self, name: str, files: Sequence[tuple[str, str]]) -> None:
        self.spark.createDataFrame([(rel,) for _, rel in files], "source_file string").createOrReplaceTempView(name)

    def _text_view(self, name: str, files: Sequence[tuple[str, str]], folder: str | None = None) -> None:
        """Whole-text read of `files`; of all *.json under `folder` instead when given (the same files).

        Reading a folder matters with thousands of files: every write re-checks each cached plan's
        input paths against its output path, which costs seconds per write with 15,000 paths.
        """
        spark = self.spark
        if files and folder:
            df = (
                spark.read.option("recursiveFileLookup", "true")
                .option("pathGlobFilter", "*.json")
                .text(folder, wholetext=True)
                .selectExpr("_metadata.file_path", "value")
            )
        elif files:
            df = spark.read.text([uri for uri, _ in files], wholetext=True).selectExpr("_metadata.file_path", "value")
        else:
            df = spark.createDataFrame([], "file_path string, value string")
        df.createOrReplaceTempView(name)

    def _sql_view(self, name: str, relative: str, **values: object) -> DataFrame:
        (statement,) = sql.render(f"engines/spark/{relative}", **values)
        df = self.spark.sql(statement)
        df.createOrReplaceTempView(name)
        return df

    def _parse(
        self,
        name: str,
        relation: str,
        text: str,
        skip: str,
        keep: str,
        keys: tuple[str, ...],
        contract: Contract | None,
    ) -> None:
        """<name>_parsed (cached): `relation` parsed by parsed.sql; <name>_odd: exact verdicts of the rest."""
        extracted = ",\n       " + extracted_keys(contract) if contract else ""
        self._sql_view(
            f"{name}_parsed", "parsed.sql", relation=relation, text=text, skip=skip, keep=keep, extracted_keys=extracted
        ).persist().count()
        self._sql_view(
            f"{name}_odd", "odd_verdicts.sql", relation=f"{name}_parsed", keys=", ".join(keys)
        ).persist().count()

    def _read_events(self, inputs: Inputs) -> None:
        self._files_view("listed_event_files", inputs.event_files)
        self._text_view("event_file_text", inputs.event_files)
        self._sql_view("event_lines", "event_lines.sql", prefix_len=len(inputs.root) + 1)
        # The one pass that parses JSON, kept for the models; blank lines stay in for the counts.
        self._parse(
            "events",
            "event_lines",
            "line",
            "blank",
            "source_file, line_number, blank",
            ("source_file", "line_number"),
            EVENTS,
        )
        (source,) = sql.render("engines/spark/events_source.sql")
        checked = self.spark.sql(
            validate_sql(
                EVENTS, source, keep=("source_file", "record_position", "blank", "parse_error"), dialect="spark"
            )
        )
        # Kept typed and checked: every model reads it, and the parsed columns are no longer needed.
        checked.persist().createOrReplaceTempView("events_checked_lines")
        checked.count()
        self.spark.table("events_parsed").unpersist()
        self.spark.sql("SELECT * FROM events_checked_lines WHERE NOT blank").createOrReplaceTempView("events_checked")
        self._sql_view("event_files", "event_files.sql").persist()

    def _read_songs(self, inputs: Inputs) -> None:
        self._files_view("listed_song_files", inputs.song_files)
        self._text_view("song_file_text", inputs.song_files, folder=inputs.song_folder)
        self._sql_view("song_files", "song_files.sql", prefix_len=len(inputs.root) + 1)
        self._parse(
            "song_files",
            "song_files",
            "content",
            "trim(BOTH ' \\t\\r\\n' FROM content) = ''",
            "source_file, content",
            ("source_file",),
            None,
        )
        # Files that are not one JSON value are rare: split on the driver by the shared Python code.
        multi = [
            (r.source_file, r.content)
            for r in self.spark.sql(sql.read("engines/spark/multi_value_song_files.sql")).collect()
        ]
        records = split_song_values(multi)
        self.spark.createDataFrame(
            list(zip(records.source_file, records.line_number, records.raw, strict=True)),
            "source_file string, line_number bigint, raw string",
        ).createOrReplaceTempView("song_records")
        self._sql_view("song_text", "song_text.sql").persist()
        self._parse(
            "songs", "song_text", "raw", "false", "source_file, line_number", ("source_file", "line_number"), SONGS
        )
        (source,) = sql.render("engines/spark/songs_source.sql")
        self.spark.sql(
            validate_sql(SONGS, source, keep=("source_file", "record_position", "parse_error"), dialect="spark")
        ).persist().createOrReplaceTempView("songs_checked")

    # -- the transform -----------------------------------------------------------------------

    def transform(self, files: SourceFiles, lake: Path, progress: Progress) -> TransformResult:
        """Raw files -> lake/_incoming -> the run's batch, lake/_batch (published after the merge)."""
        result = self.build(Inputs.local(files), progress)
        result.lake, result.files = lake_mod.batch(lake), files
        t0 = time.perf_counter()
        progress(f"writing the lake to {lake}")
        with lake_mod.writing(lake) as target:
            self.write_lake(target.resolve().as_uri(), result, progress)
        result.seconds["lake"] = time.perf_counter() - t0
        self.release()
        return result

    def build(self, inputs: Inputs, progress: Progress) -> TransformResult:
        """Read, check and model the inputs; the models are left as (cached) temporary views."""
        result = TransformResult(lake=Path())
        spark = self.spark
        for statement in sql.statements("engines/spark/macros.sql"):
            spark.sql(statement)
        from pyspark.sql.functions import udf

        # Pickled rows, not Arrow: executors then need no pyarrow, and the rows are few.
        spark.udf.register("json_verdict", udf(json_verdict_udf(), "string", useArrow=False))
        t0 = time.perf_counter()
        progress(
            f"reading {len(inputs.event_files):,} event files and {len(inputs.song_files):,} song files "
            f"on Spark ({self.cfg.spark.master})"
        )
        self._read_events(inputs)
        self._read_songs(inputs)
        known = (
            spark.read.parquet(inputs.catalogue) if inputs.catalogue else spark.createDataFrame([], KNOWN_SONGS_SCHEMA)
        )
        known.select("song_id", "title", "artist_id", "artist_name", "duration").createOrReplaceTempView("known_songs")
        spark.createDataFrame(
            list(inputs.quarantined), "source_file string, input string, detail string"
        ).createOrReplaceTempView("quarantined_files")
        self._check_paths(inputs)
        result.seconds["read"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        progress(f"read and checked in {result.seconds['read']:.1f} s; running the models")
        for model, kind in MODELS:
            if model == "rejected_records":
                self._sql_view("rejected_event_keys", "rejected_event_keys.sql").persist()
                self._sql_view("rejected_raw", "rejected_raw.sql")
            df = spark.sql(model_sql(model))
            if kind == "table":
                # Materialized now, in dependency order: later models then plan with real sizes
                # (a small table is broadcast instead of sort-merge joined with millions of rows).
                t_model = time.perf_counter()
                df = df.persist()
                rows = df.count()
                progress(f"  {model}: {rows:,} rows in {time.perf_counter() - t_model:.1f} s")
            df.createOrReplaceTempView(model)
        self._collect_stats(result)
        result.seconds["transform"] = time.perf_counter() - t0
        return result

    def _check_paths(self, inputs: Inputs) -> None:
        """Relative paths are derived from Spark's file URIs: verify every file read maps to a listed one."""
        stray = self.spark.sql(
            "SELECT source_file FROM (SELECT DISTINCT source_file FROM events_checked_lines "
            "UNION SELECT source_file FROM song_files) "
            "WHERE source_file NOT IN (SELECT source_file FROM listed_event_files "
            "UNION ALL SELECT source_file FROM listed_song_files) LIMIT 3"
        ).collect()
        if stray:
            raise SourceError(
                f"Spark read files outside the source {inputs.root}: {', '.join(r.source_file for r in stray)}"
            )

    def _collect_stats(self, result: TransformResult) -> None:
        spark = self.spark
        for row in spark.sql(sql.read("stats/inputs.sql")).collect():
            stats = result.events if row[0] == "events" else result.songs
            stats.files, stats.records, stats.accepted, stats.rejected, stats.blank_lines, stats.empty_files = (
                int(v or 0) for v in row[1:]
            )
        result.rejected_by_reason = {
            str(r[0]): int(r[1]) for r in spark.sql(sql.read("stats/rejected_by_reason.sql")).collect()
        }
        plays = spark.sql(sql.read("stats/plays.sql")).collect()[0]
        result.plays, result.plays_without_user, result.songplays, result.matched = (int(v) for v in plays)

    def write_lake(self, target: str, result: TransformResult, progress: Progress = lambda _m: None) -> None:
        """Write every lake table under `target` (any URI Spark can write: file://, s3://, hdfs://)."""
        spark = self.spark
        for table in lake_mod.tables(self.cfg.lake.songs_partition_by):
            t_table = time.perf_counter()
            extra = "".join(f", {expr} AS {name}" for name, expr in table.partition_exprs)
            df = spark.sql(f"SELECT *{extra} FROM {table.name}")
            if table.exclude:
                df = df.drop(*table.exclude)
            # events (a view over every checked event) is counted by the statistics already:
            # counting it here would be one more pass over all events.
            known = result.known_rows(table.name)
            rows = spark.table(table.name).count() if known is None else known
            out = f"{target.rstrip('/')}/{table.name}"
            if table.partition_by and rows and table.many_partitions and target.startswith("file:"):
                # Thousands of tiny partition folders: Spark pays ~15 ms a file (a Parquet writer
                # and a commit each), pyarrow on the driver ~1 ms. The table is small (the catalogue).
                parts = ", ".join(table.partition_by)
                groups = spark.sql(
                    f"SELECT {parts}, COUNT(*) FROM {table.name} GROUP BY {parts} ORDER BY {parts}"
                ).collect()
                data = spark.sql(f"SELECT * FROM {table.name} ORDER BY {parts}").toArrow()
                lake_mod.write_slices(
                    data.drop_columns([*table.partition_by, *table.exclude]),
                    [tuple(g)[:-1] for g in groups],
                    [int(g[-1]) for g in groups],
                    Path(unquote(urlsplit(out).path)),
                    table.partition_by,
                )
            elif table.partition_by and rows:
                # One file per partition folder, like the DuckDB engine's layout.
                (
                    df.repartition(*table.partition_by)
                    .write.mode("overwrite")
                    .partitionBy(*table.partition_by)
                    .parquet(out)
                )
            else:
                # Unpartitioned, or no rows: one file, so staging always finds a readable table.
                df.coalesce(1).write.mode("overwrite").parquet(out)
            result.rows[table.name] = rows
            progress(f"  wrote {table.name}: {rows:,} rows in {time.perf_counter() - t_table:.1f} s")

    def release(self) -> None:
        """Drop the cached relations of this run (the session itself lives until the flow ends)."""
        self.spark.catalog.clearCache()
