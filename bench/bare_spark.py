"""Baseline for the Spark engine: the same transform hand-written as one PySpark DataFrame job.

What an engineer would write by hand for the same outputs, with no contract, SQL files or
sqlglot: read each event file whole into numbered lines, parse each line once (VARIANT), type and
check the fields, drop duplicate events, build songs/artists/users/time/songplays, keep rejected
lines with their raw text, count per input file, write the same partitioned Parquet layout.
Simplification: song files holding several objects are not split (the benchmark data has none).

    python bench/bare_spark.py --source DIR --lake DIR [--master local[*]]
Prints one JSON line: seconds (session start excluded), events read, songplays written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

TEXT = [
    "artist",
    "auth",
    "firstName",
    "gender",
    "lastName",
    "level",
    "location",
    "method",
    "page",
    "song",
    "userAgent",
    "userId",
]
INTS = ["itemInSession", "sessionId", "status", "ts"]
NUMS = ["length", "registration"]
SONG_TEXT = ["artist_id", "artist_location", "artist_name", "song_id", "title"]
SONG_INTS = ["num_songs", "year"]
SONG_NUMS = ["artist_latitude", "artist_longitude", "duration"]


def snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--lake", required=True)
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--driver-memory", default="4g")
    args = parser.parse_args()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    spark = (
        SparkSession.builder.master(args.master)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.variant.allowDuplicateKeys", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    t0 = time.perf_counter()
    root = Path(args.source).resolve()
    lake = Path(args.lake).resolve()
    event_files = sorted(str(p) for p in (root / "log_data").rglob("*.json"))
    prefix = len(str(root)) + 2
    rel = F.expr(
        f"substr(regexp_replace(url_decode(replace(_metadata.file_path, '+', '%2B')), '^file:(//)?', ''), {prefix})"
    )

    def verdict(text: str | None) -> str | None:
        try:
            value = json.loads(text or "")
        except ValueError:
            return "not_json"
        return None if isinstance(value, dict) else "not_object"

    verdict_udf = F.udf(verdict, "string", useArrow=False)

    def parse(df, text):  # type: ignore[no-untyped-def]
        t = F.expr(f"trim(BOTH ' \\t\\r\\n' FROM {text})")
        df = df.withColumn("v", F.expr(f"try_parse_json({text})"))
        settled = F.col("v").isNull() | (
            (F.substring(t, 1, 1) == "{")
            & (F.instr(t, "}") == F.length(t))
            & (F.instr(F.substring(t, 2, 1 << 30), "{") == 0)
        )
        return df.withColumn("settled", settled)

    def field_text(name: str):  # type: ignore[no-untyped-def]
        return F.expr(f"try_variant_get(v, '$.{name}', 'string')")

    def field_json(name: str):  # type: ignore[no-untyped-def]
        return F.expr(f"nullif(to_json(try_variant_get(v, '$.{name}', 'variant')), 'null')")

    def as_int(c):  # type: ignore[no-untyped-def]
        d = F.expr(f"try_cast({c} AS DOUBLE)")
        return F.when(
            ~F.col(c).contains(".") & ~F.col(c).contains("e") & ~F.col(c).contains("E"),
            F.expr(f"try_cast({c} AS BIGINT)"),
        ).when(d == d.cast("bigint"), d.cast("bigint"))

    # -- events ---------------------------------------------------------------------------
    text = spark.read.text(event_files, wholetext=True).select(
        rel.alias("source_file"), F.split(F.regexp_replace("value", "^\ufeff", ""), "\n", -1).alias("parts")
    )
    lines = (
        text.select("source_file", F.size("parts").alias("n"), F.posexplode("parts").alias("pos", "line"))
        .where(~((F.col("pos") == F.col("n") - 1) & (F.col("line") == "")))
        .select(
            "source_file",
            (F.col("pos") + 1).alias("line_number"),
            F.regexp_replace("line", "\r+$", "").alias("line"),
            (F.expr("trim(BOTH ' \\t\\r' FROM line)") == "").alias("blank"),
        )
    )
    parsed = parse(lines.where(~F.col("blank")), "line")
    raw = parsed.select(
        "source_file",
        "line_number",
        "settled",
        F.when(~F.col("settled"), F.col("line")).alias("odd_text"),
        F.when(F.col("v").isNull(), F.lit("not_json")).alias("parse_verdict"),
        *[field_text(k).alias(k) for k in TEXT],
        *[field_json(k).alias(k) for k in INTS + NUMS],
    ).persist()
    odd = raw.where(~F.col("settled")).select("source_file", "line_number", verdict_udf("odd_text").alias("verdict"))
    typed = raw.join(F.broadcast(odd), ["source_file", "line_number"], "left").select(
        "source_file",
        "line_number",
        F.coalesce("verdict", "parse_verdict").alias("parse_error"),
        *[F.col(k).alias(snake(k)) for k in TEXT],
        *[as_int(k).alias(snake(k)) for k in INTS],
        *[F.expr(f"try_cast({k} AS DOUBLE)").alias(snake(k)) for k in NUMS],
        *[F.col(k).alias("_raw_" + k) for k in INTS + NUMS + ["auth", "level", "page", "userId"]],
    )
    nan = ["NaN", "Infinity", "-Infinity"]
    reason = F.when(F.col("parse_error").isNotNull(), F.col("parse_error"))
    detail = F.when(F.col("parse_error").isNotNull(), F.lit(None))
    for k in INTS + NUMS:
        reason, detail = (
            reason.when(F.col("_raw_" + k).isin(nan), "not_json"),
            detail.when(F.col("_raw_" + k).isin(nan), F.lit(None)),
        )
    rules = [
        (F.col("_raw_ts").isNull(), "missing_ts", "ts"),
        (F.col("ts").isNull() | ~F.col("ts").between(946684800000, 4102444800000), "invalid_ts", "ts"),
    ]
    for k in ["auth", "itemInSession", "level", "page", "sessionId", "userId"]:
        empty = (F.col(snake(k)) == "") if k in ("auth", "level", "page") else F.lit(False)
        rules.append((F.col("_raw_" + k).isNull() | empty, "missing_field", k))
    for k in ["itemInSession", "length", "registration", "sessionId", "status"]:
        rules.append((F.col("_raw_" + k).isNotNull() & F.col(snake(k)).isNull(), "invalid_type", k))
    play = F.col("page") == "NextSong"
    rules += [
        (play & (F.col("song").isNull() | (F.col("song") == "")), "incomplete_play", "song"),
        (play & (F.col("artist").isNull() | (F.col("artist") == "")), "incomplete_play", "artist"),
        (play & (F.col("length").isNull() | (F.col("length") <= 0)), "incomplete_play", "length"),
    ]
    for cond, r, d in rules:
        reason, detail = reason.when(cond, r), detail.when(cond, d)
    checked = typed.withColumn("reject_reason", reason).withColumn("reject_detail", detail).persist()
    key = ["user_id", "session_id", "item_in_session", "ts"]
    ok = checked.where(F.col("reject_reason").isNull())
    dup = (
        ok.withColumn("r", F.row_number().over(Window.partitionBy(*key).orderBy("source_file", "line_number")))
        .where("r > 1")
        .select("source_file", "line_number", F.lit(True).alias("dup"))
    )
    classified = (
        checked.join(dup, ["source_file", "line_number"], "left")
        .withColumn(
            "reject_detail", F.when(F.col("dup"), "userId,sessionId,itemInSession,ts").otherwise(F.col("reject_detail"))
        )
        .withColumn("reject_reason", F.when(F.col("dup"), "duplicate_event").otherwise(F.col("reject_reason")))
        .persist()
    )
    events = classified.where(F.col("reject_reason").isNull()).withColumn(
        "start_time", F.expr("timestampadd(MILLISECOND, ts, TIMESTAMP_NTZ '1970-01-01 00:00:00')")
    )

    # -- songs ----------------------------------------------------------------------------
    stext = (
        spark.read.option("recursiveFileLookup", "true")
        .option("pathGlobFilter", "*.json")
        .text(str(root / "song_data"), wholetext=True)
    ).select(rel.alias("source_file"), F.regexp_replace("value", "^\ufeff", "").alias("content"))
    sp = parse(stext, "content").select(
        "source_file",
        F.lit(1).cast("bigint").alias("line_number"),
        F.when(F.col("v").isNull(), "not_json").alias("parse_error"),
        *[field_text(k).alias(k) for k in SONG_TEXT],
        *[as_int(k).alias(k) for k in []],
        *[field_json(k).alias("_raw_" + k) for k in SONG_INTS + SONG_NUMS],
    )
    sp = sp.select(
        "*",
        *[as_int("_raw_" + k).alias(k) for k in SONG_INTS],
        *[F.expr(f"try_cast(_raw_{k} AS DOUBLE)").alias(k) for k in SONG_NUMS],
    )
    sreason = F.when(F.col("parse_error").isNotNull(), F.col("parse_error"))
    for k in ["artist_id", "artist_name", "song_id", "title"]:
        sreason = sreason.when(F.col(k).isNull() | (F.col(k) == ""), "missing_field")
    sreason = (
        sreason.when(F.col("_raw_duration").isNull(), "missing_field")
        .when(F.col("duration") <= 0, "invalid_value")
        .when(~F.col("artist_latitude").between(-90, 90), "invalid_value")
        .when(~F.col("artist_longitude").between(-180, 180), "invalid_value")
        .when((F.col("year") != 0) & ~F.col("year").between(1000, 2100), "invalid_value")
    )
    sc = sp.withColumn("pre", sreason)
    sc = sc.withColumn(
        "r",
        F.row_number().over(Window.partitionBy(F.col("pre").isNull(), "song_id").orderBy("source_file", "line_number")),
    )
    sc = (
        sc.withColumn(
            "reject_reason", F.when(F.col("pre").isNull() & (F.col("r") > 1), "duplicate_song").otherwise(F.col("pre"))
        )
        .withColumn("year", F.coalesce("year", F.lit(0)))
        .persist()
    )
    songs = (
        sc.where(F.col("reject_reason").isNull())
        .select("song_id", "title", "artist_id", "artist_name", F.col("year").cast("int").alias("year"), "duration")
        .persist()
    )
    variants = (
        sc.where(F.col("reject_reason").isNull())
        .groupBy("artist_id", "artist_name", "artist_location", "artist_latitude", "artist_longitude")
        .agg(F.count("*").alias("n"), F.min("song_id").alias("first"))
    )
    artists = (
        variants.withColumn("r", F.row_number().over(Window.partitionBy("artist_id").orderBy(F.desc("n"), "first")))
        .where("r = 1")
        .select(
            "artist_id",
            F.col("artist_name").alias("name"),
            F.col("artist_location").alias("location"),
            F.col("artist_latitude").alias("latitude"),
            F.col("artist_longitude").alias("longitude"),
        )
    )

    # -- star tables ----------------------------------------------------------------------
    catalogue = songs.groupBy("title", "artist_name", "duration").agg(F.min("song_id").alias("song_id"))
    matched = catalogue.join(songs.select("song_id", "artist_id"), "song_id")
    e = events.where((F.col("page") == "NextSong") & (F.col("user_id") != ""))
    songplays = (
        e.join(
            F.broadcast(matched),
            (matched.title == e.song) & (matched.artist_name == e.artist) & (matched.duration == e.length),
            "left",
        )
        .select(
            F.expr(
                "CAST(conv(substring(md5(concat_ws('|', user_id, CAST(session_id AS STRING), "
                "CAST(item_in_session AS STRING), CAST(ts AS STRING))), 1, 15), 16, 10) AS BIGINT)"
            ).alias("songplay_id"),
            "start_time",
            "user_id",
            "level",
            "song_id",
            "artist_id",
            "session_id",
            "location",
            "user_agent",
        )
        .persist()
    )
    latest = events.where("user_id <> ''").groupBy("user_id").agg(F.max("ts").alias("ts"))
    users = (
        events.join(latest, ["user_id", "ts"])
        .withColumn(
            "r",
            F.row_number().over(Window.partitionBy("user_id").orderBy(F.desc("session_id"), F.desc("item_in_session"))),
        )
        .where("r = 1")
        .select("user_id", "first_name", "last_name", "gender", "level", F.col("start_time").alias("level_ts"))
    )
    time_ = (
        songplays.select("start_time")
        .distinct()
        .select(
            "start_time",
            F.hour("start_time").alias("hour"),
            F.dayofmonth("start_time").alias("day"),
            F.weekofyear("start_time").alias("week"),
            F.month("start_time").alias("month"),
            F.year("start_time").alias("year"),
            (
                (
                    F.floor(
                        F.expr("timestampdiff(MILLISECOND, TIMESTAMP_NTZ '1970-01-01 00:00:00', start_time)") / 86400000
                    )
                    + 3
                )
                % 7
                + 1
            )
            .cast("int")
            .alias("weekday"),
        )
    )
    rejected_keys = classified.where(F.col("reject_reason").isNotNull()).select(
        "source_file", "line_number", F.col("reject_reason").alias("reason"), F.col("reject_detail").alias("detail")
    )
    rejected = lines.join(F.broadcast(rejected_keys), ["source_file", "line_number"]).select(
        "source_file",
        "line_number",
        F.lit("events").alias("input"),
        "reason",
        "detail",
        F.expr("left(line, 16384)").alias("raw"),
    )
    per_file = (
        lines.groupBy("source_file")
        .agg(F.count("*").alias("lines"), F.count_if("blank").alias("blank_lines"))
        .join(
            classified.groupBy("source_file").agg(
                F.count("*").alias("records"), F.count_if(F.col("reject_reason").isNull()).alias("accepted")
            ),
            "source_file",
            "left",
        )
        .select(
            "source_file",
            F.lit("events").alias("input"),
            "records",
            "accepted",
            (F.col("records") - F.col("accepted")).alias("rejected"),
            "blank_lines",
        )
        .unionByName(
            sc.groupBy("source_file")
            .agg(F.count("*").alias("records"), F.count_if(F.col("reject_reason").isNull()).alias("accepted"))
            .select(
                "source_file",
                F.lit("songs").alias("input"),
                "records",
                "accepted",
                (F.col("records") - F.col("accepted")).alias("rejected"),
                F.lit(0).cast("bigint").alias("blank_lines"),
            )
        )
    )

    def write(df, name, parts=()):  # type: ignore[no-untyped-def]
        out = str(lake / name)
        if parts:
            df.repartition(*parts).write.mode("overwrite").partitionBy(*parts).parquet(out)
        else:
            df.coalesce(1).write.mode("overwrite").parquet(out)

    write(songs, "songs", ("year", "artist_id"))
    write(artists, "artists")
    write(users, "users")
    write(time_, "time", ("year", "month"))
    write(
        songplays.withColumn("year", F.year("start_time")).withColumn("month", F.month("start_time")),
        "songplays",
        ("year", "month"),
    )
    write(rejected, "rejected_records")
    write(per_file, "input_files")
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "events": classified.count(), "songplays": songplays.count()}))
    spark.stop()


if __name__ == "__main__":
    main()
