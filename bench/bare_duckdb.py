"""Baseline: the same star-schema transform as a bare DuckDB script, no contract, no accounting.

It reads the events with DuckDB's typed JSON reader, builds songplays/users/time/songs/artists and
the events fact with the same rules, writes Parquet and loads a DuckDB file. The targets against it
are in docs/benchmarks.md.
Usage: python bench/bare_duckdb.py SOURCE_DIR WORK_DIR
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb


def main(source: Path, work: Path) -> float:
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect(str(work / "bare.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    logs = str(source / "log_data" / "**" / "*.json")
    songs = str(source / "song_data" / "**" / "*.json")
    con.execute(f"""CREATE TEMP TABLE ev AS SELECT * FROM read_json('{logs}', format='newline_delimited',
        columns={{'artist':'VARCHAR','auth':'VARCHAR','firstName':'VARCHAR','gender':'VARCHAR',
        'itemInSession':'BIGINT','lastName':'VARCHAR','length':'DOUBLE','level':'VARCHAR','location':'VARCHAR',
        'method':'VARCHAR','page':'VARCHAR','registration':'DOUBLE','sessionId':'BIGINT','song':'VARCHAR',
        'status':'BIGINT','ts':'BIGINT','userAgent':'VARCHAR','userId':'VARCHAR'}}, ignore_errors=true)""")
    con.execute(f"""CREATE TEMP TABLE so AS SELECT * FROM read_json('{songs}', format='auto',
        columns={{'artist_id':'VARCHAR','artist_latitude':'DOUBLE','artist_longitude':'DOUBLE',
        'artist_location':'VARCHAR','artist_name':'VARCHAR','song_id':'VARCHAR','title':'VARCHAR',
        'duration':'DOUBLE','year':'BIGINT'}}, ignore_errors=true)""")
    con.execute("""CREATE TABLE songplays AS
        SELECT CAST(('0x' || SUBSTRING(MD5(CONCAT_WS('|', e."userId", e."sessionId", e."itemInSession", e.ts)), 1, 15))
                    AS BIGINT) AS songplay_id,
               epoch_ms(e.ts) AS start_time, e."userId" AS user_id, e.level, s.song_id, s.artist_id,
               e."sessionId" AS session_id, e.location, e."userAgent" AS user_agent
        FROM ev AS e
        LEFT JOIN (SELECT title, artist_name, duration, MIN(song_id) AS song_id, MIN(artist_id) AS artist_id
                   FROM so GROUP BY ALL) AS s
          ON s.title = e.song AND s.artist_name = e.artist AND s.duration = e.length
        WHERE e.page = 'NextSong' AND e."userId" <> ''""")
    con.execute("""CREATE TABLE users AS SELECT "userId" AS user_id, arg_max("firstName", ts) AS first_name,
        arg_max("lastName", ts) AS last_name, arg_max(gender, ts) AS gender, arg_max(level, ts) AS level
        FROM ev WHERE "userId" <> '' GROUP BY 1""")
    con.execute("""CREATE TABLE "time" AS SELECT start_time, hour(start_time) AS hour, day(start_time) AS day,
        weekofyear(start_time) AS week, month(start_time) AS month, year(start_time) AS year,
        isodow(start_time) AS weekday FROM (SELECT DISTINCT start_time FROM songplays)""")
    con.execute(
        "CREATE TABLE songs AS SELECT DISTINCT ON (song_id) song_id, title, artist_id, artist_name, year, "
        "duration FROM so"
    )
    con.execute(
        "CREATE TABLE artists AS SELECT DISTINCT ON (artist_id) artist_id, artist_name AS name, "
        "artist_location AS location, artist_latitude AS latitude, artist_longitude AS longitude FROM so"
    )
    # The events fact the pipeline also writes: every event, typed, with its id and time.
    con.execute("""CREATE TABLE events AS
        SELECT CAST(('0x' || SUBSTRING(MD5(CONCAT_WS('|', "userId", "sessionId", "itemInSession", ts)), 1, 15))
                    AS BIGINT) AS event_id,
               epoch_ms(ts) AS start_time, ts, NULLIF("userId", '') AS user_id, "sessionId" AS session_id,
               "itemInSession" AS item_in_session, page, auth, level, method, status, location,
               "userAgent" AS user_agent, epoch_ms(CAST(registration AS BIGINT)) AS registration_time,
               song, artist, length
        FROM ev WHERE ts IS NOT NULL""")
    for table in ("songplays", "users", "time", "songs", "artists", "events"):
        con.execute(f"COPY \"{table}\" TO '{work / (table + '.parquet')}' (FORMAT parquet)")
    con.close()
    return time.perf_counter() - t0


if __name__ == "__main__":
    seconds = main(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{seconds:.3f}")
