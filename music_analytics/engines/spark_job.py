"""The transform alone as a Spark application: raw files -> lake, for spark-submit, EMR steps, Databricks jobs.

    spark-submit [--master URL] music_analytics/engines/spark_job.py \\
        --source s3://bucket/sparkify --lake s3://bucket/lake [--start D --end D] [--summary-json FILE]

The cluster reads and writes the URIs itself (s3://, hdfs://, abfss://, file://); the session is
the one spark-submit configured (master, resources). Run it from a checkout (client mode), or
with the package installed on the driver: the SQL files and the contract are read on the driver
only, executors need nothing but Python. The lake tables are overwritten in place, table by table
(the flow, on a local lake, writes aside and swaps instead). Prints the run's counts as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import asdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

if __package__ in (None, ""):
    # spark-submit runs this file as a script: make the checkout's package importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from music_analytics.config import load_config
from music_analytics.engines import TransformResult
from music_analytics.engines.spark_engine import Inputs, SparkEngine
from music_analytics.errors import SourceError
from music_analytics.sources import discover, in_range, quarantine


def _is_local(uri: str) -> bool:
    scheme = urlsplit(uri).scheme
    return scheme in ("", "file")


def _local_path(uri: str) -> str:
    return unquote(urlsplit(uri).path) if uri.startswith("file:") else uri


def list_inputs(engine: SparkEngine, source: str, start: dt.date | None, end: dt.date | None) -> Inputs:
    """The run's files: a local folder is listed like the flow does; any other URI by Spark itself."""
    if _is_local(source):
        return Inputs.local(quarantine(discover(_local_path(source), start, end)))
    root = source.rstrip("/") + "/"

    def listed(folder: str) -> list[str]:
        try:
            rows = (
                engine.spark.read.format("binaryFile")
                .option("recursiveFileLookup", "true")
                .option("pathGlobFilter", "*.json")
                .load(root + folder)
                .select("path")
                .collect()
            )
        except Exception as exc:  # Spark raises AnalysisException for a missing path
            raise SourceError(f"source {root}{folder}: {str(exc).splitlines()[0]}") from exc
        return sorted(unquote(r.path.replace("+", "%2B")) for r in rows)

    def relative(uri: str) -> str:
        if not uri.startswith(root):
            raise SourceError(f"listed {uri} outside the source {root}")
        return uri[len(root) :]

    songs, events = listed("song_data"), [u for u in listed("log_data") if in_range(u, start, end)]
    if not songs and not events:
        raise SourceError(f"source {root}: no .json files under song_data/ or log_data/")
    return Inputs(
        root=root,
        event_files=tuple((u, relative(u)) for u in events),
        song_files=tuple((u, relative(u)) for u in songs),
        song_folder=root + "song_data",
    )


def run(args: argparse.Namespace) -> TransformResult:
    cfg = load_config(args.config, engine="spark", lake_songs_partition_by=args.songs_partition_by)
    engine = SparkEngine(cfg, submitted=True)
    inputs = list_inputs(engine, args.source, args.start, args.end)

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = engine.build(inputs, progress)
    lake = args.lake if not _is_local(args.lake) else Path(_local_path(args.lake)).resolve().as_uri()
    progress(f"writing the lake to {lake}")
    engine.write_lake(lake, result, progress)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="spark-submit music_analytics/engines/spark_job.py",
        description="Run the transform (raw Sparkify JSON -> Parquet lake) as a Spark application.",
    )
    parser.add_argument(
        "--source",
        required=True,
        metavar="URI",
        help="folder or URI holding song_data/ and log_data/ (s3://, hdfs://, file://, a path)",
    )
    parser.add_argument("--lake", required=True, metavar="URI", help="where the lake tables are written")
    parser.add_argument("--start", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    parser.add_argument("--end", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    parser.add_argument("--songs-partition-by", choices=("year,artist_id", "year"))
    parser.add_argument("--config", metavar="FILE", help="INI file ([spark] and [lake] sections are used)")
    parser.add_argument("--summary-json", metavar="FILE", help="also write the counts as JSON to FILE")
    args = parser.parse_args(argv)
    from music_analytics.cli import report_errors

    def body() -> int:
        result = run(args)
        summary = {
            "events": asdict(result.events),
            "songs": asdict(result.songs),
            "rejected_by_reason": result.rejected_by_reason,
            "songplays": result.songplays,
            "matched": result.matched,
            "rows": result.rows,
        }
        text = json.dumps(summary, indent=2)
        print(text)
        if args.summary_json:
            Path(args.summary_json).write_text(text)
        return 0

    return report_errors(False, body)


if __name__ == "__main__":
    sys.exit(main())
