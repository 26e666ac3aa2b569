"""The table catalogue: every warehouse table's shape, key, merge rule, lake layout and per-dialect
options, written once.

Everything else is generated from here (music_analytics/warehouse/render.py): the DDL of each
dialect, the merges (the shared UPDATE + INSERT, Redshift's delta + MERGE), the staged column
lists, the Redshift JSONPaths, the Arrow schemas of the rows the pipeline writes itself (ledger,
quality history, the song catalogue) and the migrations of older warehouses. Hand-written SQL
stays where it says what this cannot: the transform models and the insight questions.

Adding a column is one entry in a table's `columns` (and the model that computes it, when it is
not a plain copy); an existing warehouse gets it from a `Migration` here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

# derive: rebuilt in the warehouse from the merged facts, for the users or sessions the run touched
# (sql/derived/<table>.sql), in the merge transaction.
Merge = Literal["upsert", "insert_new", "append", "derive", "none"]
Role = Literal["star", "derived", "ledger", "history", "meta"]

_TYPE = re.compile(r"^(varchar\((\d+)\)|bigint|integer|double|timestamp|date|boolean)$")
_ARROW: dict[str, pa.DataType] = {
    "bigint": pa.int64(),
    "integer": pa.int32(),
    "double": pa.float64(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # varchar(N) | bigint | integer | double | timestamp | date | boolean
    nullable: bool = True
    # How the merge reads the column from the staged row `s` when the lake holds it differently
    # (the lake keeps userId "" for logged-out events; the warehouse NULL).
    staged: str | None = None

    def __post_init__(self) -> None:
        if not _TYPE.match(self.type):
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")

    @property
    def arrow(self) -> pa.DataType:
        return pa.string() if self.type.startswith("varchar") else _ARROW[self.type]


@dataclass(frozen=True)
class Redshift:
    """Distribution and sort keys, and why (the reasons become the DDL's comment)."""

    diststyle: Literal["ALL", "EVEN", "KEY"]
    why: str
    distkey: str | None = None
    sortkey: tuple[str, ...] = ()
    compound: bool = False  # COMPOUND SORTKEY (the default kind, spelled out where the order matters)


@dataclass(frozen=True)
class Lake:
    """How the table is laid out in the Parquet lake (music_analytics/lake.py)."""

    partition_by: tuple[str, ...] = ()
    # Columns computed only to partition by, dropped again when staging reads the table.
    partition_exprs: tuple[tuple[str, str], ...] = ()
    # Thousands of tiny partitions (songs by artist): written slice by slice with pyarrow, ~0.7 ms a
    # file against ~2.6 ms for DuckDB's partitioned COPY.
    many_partitions: bool = False
    # Model columns left out of the lake: engine-internal values that differ between engines.
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    purpose: str  # what a row is: the DDL's comment
    columns: tuple[Column, ...]
    role: Role
    redshift: Redshift
    key: tuple[str, ...] = ()  # natural key: the merge's match, the sort of table dumps
    merge: Merge = "none"  # upsert: update changed rows, insert new; insert_new: new keys only; append: all
    # upsert only from a staged row at least as recent as the stored one by this column.
    newer_by: str | None = None
    # After the upsert, delete rows of the files this run reloaded that the new content no longer gives.
    prune_reloaded_by: str | None = None
    lake: Lake | None = None  # None: not a lake table (written by the pipeline itself)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name}.{name}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def arrow_schema(self, columns: tuple[str, ...] | None = None) -> pa.Schema:
        return pa.schema([(c, self.column(c).arrow) for c in (columns or self.names)])


def _c(name: str, type_: str, nullable: bool = True, staged: str | None = None) -> Column:
    return Column(name, type_, nullable, staged)


# The day in the name of a row's source file (YYYY-MM-DD-events.json; NULL for song files and
# undated names), computed only to partition the facts by: a file's rows are in one partition, so
# a run that reloads a file rewrites that partition alone (music_analytics.lake.publish). The same
# SQL runs on DuckDB and Spark (no backslash escapes: Spark would unescape them).
FILE_DAY: tuple[tuple[str, str], ...] = (
    (
        "file_day",
        "TRY_CAST(NULLIF(regexp_extract(source_file, '([0-9]{4}-[0-9]{2}-[0-9]{2})-events[.]json$', 1), '') AS DATE)",
    ),
)

ARTISTS = Table(
    "artists",
    "Dimension: one row per artist (the variant rule is in sql/transform/artists.sql); location NULL when unknown.",
    (
        _c("artist_id", "varchar(32)", False),
        _c("name", "varchar(1024)"),
        _c("location", "varchar(1024)"),
        _c("latitude", "double"),
        _c("longitude", "double"),
    ),
    "star",
    Redshift(
        "ALL",
        "a small, slowly changing dimension joined to songplays and songs by artist_id: a full copy "
        "on every node makes those joins local whatever the fact table is distributed on. "
        "SORTKEY(artist_id): the merge and point lookups join and filter on the key.",
        sortkey=("artist_id",),
    ),
    key=("artist_id",),
    merge="upsert",
    lake=Lake(),
)
SONGS = Table(
    "songs",
    "Dimension: one row per song, with the song record's own artist_name (used for play matching); year NULL "
    "when unknown.",
    (
        _c("song_id", "varchar(32)", False),
        _c("title", "varchar(1024)", False),
        _c("artist_id", "varchar(32)", False),
        _c("artist_name", "varchar(1024)", False),
        _c("year", "integer"),
        _c("duration", "double", False),
    ),
    "star",
    Redshift(
        "ALL",
        "the song catalogue is a dimension of tens of thousands to a few million rows, joined to "
        "songplays by song_id and read whole by export_catalogue. songplays cannot be distributed on "
        "song_id (NULL for every unmatched play: one hot slice), so a replicated copy is what keeps the "
        "songplays-songs join local. Past a few million songs switch to DISTKEY(song_id). "
        "SORTKEY(song_id): the merge and the play matching join on it.",
        sortkey=("song_id",),
    ),
    key=("song_id",),
    merge="upsert",
    lake=Lake(("year",)),  # [lake] songs_partition_by: lake.tables()
)
USERS = Table(
    "users",
    "Dimension: one row per user; level from the user's most recent event, level_ts that event's time.",
    (
        _c("user_id", "varchar(64)", False),
        _c("first_name", "varchar(256)"),
        _c("last_name", "varchar(256)"),
        _c("gender", "varchar(16)"),
        _c("level", "varchar(16)", False),
        _c("level_ts", "timestamp", False),
    ),
    "star",
    Redshift(
        "ALL",
        "a few thousand users, joined to every songplays row (level, gender analyses): replicated, the "
        "join stays local on every slice. SORTKEY(user_id): the merge joins on it.",
        sortkey=("user_id",),
    ),
    # Loading an older day later never regresses a user's level.
    key=("user_id",),
    merge="upsert",
    newer_by="level_ts",
    lake=Lake(),
)
TIME = Table(
    "time",
    "Dimension: one row per play instant (UTC). week: ISO week, iso_year: its ISO week-numbering year (the pair "
    "to group weeks by); weekday: ISO, 1 = Monday .. 7 = Sunday.",
    (
        _c("start_time", "timestamp", False),
        _c("hour", "integer", False),
        _c("day", "integer", False),
        _c("week", "integer", False),
        _c("month", "integer", False),
        _c("year", "integer", False),
        _c("weekday", "integer", False),
        _c("iso_year", "integer", False),
    ),
    "star",
    Redshift(
        "KEY",
        "one row per play instant makes this dimension about as large as the fact table, so "
        "replicating it (ALL) would copy millions of rows to every node. The key is unique: rows spread "
        "evenly, and the staged copy (CREATE TABLE ... LIKE) shares the key, so the merge's anti-join is "
        "collocated. Queries joining songplays redistribute the (time-filtered) smaller side. "
        "SORTKEY(start_time): date-range filters skip blocks through the zone maps.",
        distkey="start_time",
        sortkey=("start_time",),
    ),
    # Every column is a function of start_time: a stored row never changes.
    key=("start_time",),
    merge="insert_new",
    lake=Lake(("year", "month")),
)
SONGPLAYS = Table(
    "songplays",
    "Fact: one row per NextSong event of a known user; songplay_id is derived from the event's natural key "
    "(userId, sessionId, itemInSession, ts). song_id/artist_id are NULL when unmatched.",
    (
        _c("songplay_id", "bigint", False),
        _c("start_time", "timestamp", False),
        _c("user_id", "varchar(64)", False),
        _c("level", "varchar(16)", False),
        _c("song_id", "varchar(32)"),
        _c("artist_id", "varchar(32)"),
        _c("session_id", "bigint", False),
        _c("location", "varchar(1024)"),
        _c("user_agent", "varchar(1024)"),
    ),
    "star",
    Redshift(
        "KEY",
        "not song_id (NULL for every unmatched play, which would put most rows on one slice) and not "
        "songplay_id (a hash: even, but collocates nothing). user_id collocates the per-user and "
        "per-session analyses (GROUP BY / window by user_id, session_id); the dimensions it joins "
        "(users, songs, artists) are DISTSTYLE ALL, so those joins stay local. The merge matches on "
        "songplay_id: its delta (one run's new or changed plays) is small and is moved. "
        "SORTKEY(start_time): plays arrive in time order, so new days append in sort order and "
        "date-range queries skip blocks. No IDENTITY column: songplay_id is a hash of the natural key, "
        "computed by the transform, so reloads find the same id.",
        distkey="user_id",
        sortkey=("start_time",),
        compound=True,
    ),
    key=("songplay_id",),
    merge="upsert",
    lake=Lake(("file_day",), FILE_DAY),
)
EVENTS = Table(
    "events",
    "Fact: one row per accepted raw event of every page (NextSong, Home, Thumbs Up, Roll Advert, Submit Upgrade, "
    "...), for the insights the star schema cannot answer (funnels, sessions, adverts, feedback). event_id hashes "
    "the natural key (userId, sessionId, itemInSession, ts) and equals songplays.songplay_id for a play. user_id "
    "is NULL for logged-out events; ts keeps the raw epoch milliseconds (portable arithmetic on durations).",
    (
        _c("event_id", "bigint", False),
        _c("start_time", "timestamp", False),
        _c("ts", "bigint", False),
        _c("user_id", "varchar(64)", staged="NULLIF(s.user_id, '')"),
        _c("session_id", "bigint", False),
        _c("item_in_session", "integer", False),
        _c("page", "varchar(64)", False),
        _c("auth", "varchar(32)"),
        _c("level", "varchar(16)"),
        _c("method", "varchar(8)"),
        _c("status", "integer"),
        _c("location", "varchar(1024)"),
        _c("user_agent", "varchar(1024)"),
        _c("registration_time", "timestamp"),
        _c("song", "varchar(1024)"),
        _c("artist", "varchar(1024)"),
        _c("length", "double"),
    ),
    "star",
    Redshift(
        "KEY",
        "DISTKEY(user_id) like songplays: the funnel, session and retention queries group and join by "
        "user, and a play's event row then sits on the same slice as its songplay. Logged-out events "
        "(NULL user_id) are a few percent and land on one slice. SORTKEY(start_time): days append in "
        "sort order and every insight filters on a period.",
        distkey="user_id",
        sortkey=("start_time",),
        compound=True,
    ),
    # record_position only orders a file's records inside an engine (a DuckDB rowid, a Spark line
    # number): not lake data.
    key=("event_id",),
    merge="upsert",
    lake=Lake(("file_day",), FILE_DAY, exclude=("record_position",)),
)
REJECTED_RECORDS = Table(
    "rejected_records",
    "Every raw record that failed the contract, kept with its reason (codes: music_analytics.contract.REASONS).",
    (
        _c("source_file", "varchar(1024)", False),
        _c("line_number", "bigint", False),
        _c("input", "varchar(16)", False),
        _c("reason", "varchar(32)", False),
        _c("detail", "varchar(256)"),
        _c("raw", "varchar(65535)"),
    ),
    "star",
    Redshift(
        "KEY",
        "DISTKEY(source_file): the merge matches on (source_file, line_number) and deletes a reloaded "
        "file's stale verdicts by source_file; with staging sharing the key (LIKE) both are collocated. "
        "Audit queries group by file too. COMPOUND SORTKEY(source_file, line_number): the merge key, "
        "and the order rows are read in.",
        distkey="source_file",
        sortkey=("source_file", "line_number"),
        compound=True,
    ),
    # A rewritten file's new verdict replaces the old one; a line fixed at the source loses its verdict.
    key=("source_file", "line_number"),
    merge="upsert",
    prune_reloaded_by="source_file",
    lake=Lake(("file_day",), FILE_DAY),
)
LOADED_FILES = Table(
    "loaded_files",
    "Run ledger, per input file: which run loaded which file with which content (SHA-256), and what came of its "
    "records. Written in the merge transaction, so a row here means the file's rows are published; a later run "
    "skips a file whose checksum is unchanged.",
    (
        _c("run_id", "varchar(64)", False),
        _c("source_file", "varchar(1024)", False),
        _c("input", "varchar(8)", False),
        _c("checksum", "varchar(64)", False),
        _c("size_bytes", "bigint", False),
        _c("records", "bigint", False),
        _c("accepted", "bigint", False),
        _c("rejected", "bigint", False),
        _c("loaded_at", "timestamp", False),
    ),
    "ledger",
    Redshift(
        "KEY",
        "DISTKEY(source_file): the ledger's latest checksum per file (ledger/loaded.sql) is a window "
        "PARTITION BY source_file, computed without redistribution when rows are distributed on it. "
        "COMPOUND SORTKEY(source_file, loaded_at): the window's partition and order.",
        distkey="source_file",
        sortkey=("source_file", "loaded_at"),
        compound=True,
    ),
    # Staged from the run's plan and appended by the merge, after the data, in the same transaction.
    merge="append",
)
PIPELINE_RUNS = Table(
    "pipeline_runs",
    "Run ledger: one row per pipeline run (a backfill writes one per day). Written as 'running' when the run "
    "starts and replaced with its outcome when it ends, so a run that died shows up.",
    (
        _c("run_id", "varchar(64)", False),
        _c("started_at", "timestamp", False),
        _c("finished_at", "timestamp"),
        _c("status", "varchar(16)", False),
        _c("first_day", "date"),
        _c("last_day", "date"),
        _c("source", "varchar(1024)"),
        _c("engine", "varchar(16)"),
        _c("files_loaded", "bigint"),
        _c("files_unchanged", "bigint"),
        _c("events_read", "bigint"),
        _c("events_rejected", "bigint"),
        _c("songs_read", "bigint"),
        _c("songs_rejected", "bigint"),
        _c("songplays_inserted", "bigint"),
        _c("songplays_updated", "bigint"),
        _c("seconds", "double"),
        _c("stage_seconds", "varchar(4096)"),
        _c("error", "varchar(4096)"),
    ),
    "ledger",
    Redshift(
        "ALL",
        "one row per run (hundreds a year): replicated, the ledger lookups never move data, and writing "
        "one row to every node is cheap at that rate. SORTKEY(started_at): the ledger reads the newest "
        "runs first.",
        sortkey=("started_at",),
    ),
)
QUALITY_RESULTS = Table(
    "quality_results",
    "Quality history: one row per expectation evaluated, per run and gate (lake | warehouse), passing or not, so "
    "pass rates and unexpected counts can be followed over time.",
    (
        _c("run_id", "varchar(64)", False),
        _c("checked_at", "timestamp", False),
        _c("gate", "varchar(16)", False),
        _c("suite", "varchar(64)", False),
        _c("expectation", "varchar(128)", False),
        _c("column_name", "varchar(256)"),
        _c("severity", "varchar(16)", False),
        _c("success", "boolean", False),
        _c("unexpected_count", "bigint"),
        _c("element_count", "bigint"),
        _c("sample", "varchar(4096)"),
        _c("error", "varchar(4096)"),
    ),
    "history",
    Redshift(
        "EVEN",
        "append-only history joined to nothing: rows only need to spread evenly. SORTKEY(checked_at): "
        "rows are appended in time order and read by time range (pass rates over time), so the zone "
        "maps skip old blocks.",
        sortkey=("checked_at",),
    ),
)
SCHEMA_MIGRATIONS = Table(
    "schema_migrations",
    "Which migrations (MIGRATIONS below) this warehouse has: a table created in its current shape records them at "
    "once, an older table gets them applied.",
    (_c("id", "varchar(128)", False), _c("applied_at", "timestamp", False)),
    "meta",
    Redshift("ALL", "a handful of rows, read once per run.", sortkey=("id",)),
)
PIPELINE_LEASE = Table(
    "pipeline_lease",
    "Which stepwise run (the Airflow DAG, one process per task) has the warehouse between its tasks: at most one "
    "row. The pipeline lock is held by a process; this row keeps a run's turn from its first task to its last, so "
    "no other run stages or merges in between.",
    (
        _c("run_id", "varchar(64)", False),
        _c("owner", "varchar(256)", False),
        _c("taken_at", "timestamp", False),
        _c("renewed_at", "timestamp", False),
    ),
    "meta",
    Redshift("ALL", "at most one row, read at every run's start.", sortkey=("run_id",)),
)

# -- derived in the warehouse from the merged events (sql/derived/) ------------------------------------

USER_LEVELS = Table(
    "user_levels",
    "Level history (SCD type 2): one row per user and stretch of time at one level, from the level logged on "
    "each of the user's events in time order; valid_to is the next stretch's valid_from (exclusive), NULL for the "
    "current row. The current row's level is users.level.",
    (
        _c("user_id", "varchar(64)", False),
        _c("level", "varchar(16)", False),
        _c("valid_from", "timestamp", False),
        _c("valid_to", "timestamp"),
        _c("is_current", "boolean", False),
    ),
    "derived",
    Redshift(
        "ALL",
        "a few rows per user (a level change is rare), joined to facts by user_id and time: replicated, "
        "like users. SORTKEY(user_id, valid_from): the rebuild deletes by user and the point-in-time "
        "queries range over valid_from.",
        sortkey=("user_id", "valid_from"),
        compound=True,
    ),
    key=("user_id", "valid_from"),
    merge="derive",
)
PLAY_SKIPS = Table(
    "play_skips",
    "One row per songplay: skipped when the user's next event in the same session starts more than one second "
    "before the song's length has elapsed; NULL for a session's last event (nothing says how it ended).",
    (
        _c("songplay_id", "bigint", False),
        _c("user_id", "varchar(64)", False),
        _c("session_id", "bigint", False),
        _c("skipped", "boolean"),
    ),
    "derived",
    Redshift(
        "KEY",
        "DISTKEY(user_id) like songplays, which it joins one to one on songplay_id: the join stays on the "
        "slice. SORTKEY(songplay_id): the join key.",
        distkey="user_id",
        sortkey=("songplay_id",),
    ),
    key=("songplay_id",),
    merge="derive",
)
SESSIONS = Table(
    "sessions",
    "One row per session of a known user: from its first event to the end of its last song (minutes), its plays, "
    "skips and events (pages), and the level, device (user_agent), place and time zone of its first event. "
    "time_zone from the location's state (music_analytics.timezones), UTC when unknown (time_zone_known false); "
    "local_start_time is start_time in that zone.",
    (
        _c("user_id", "varchar(64)", False),
        _c("session_id", "bigint", False),
        _c("start_time", "timestamp", False),
        _c("end_time", "timestamp", False),
        _c("minutes", "double", False),
        _c("plays", "bigint", False),
        _c("skips", "bigint", False),
        _c("pages", "bigint", False),
        _c("level_at_start", "varchar(16)", False),
        _c("user_agent", "varchar(1024)"),
        _c("location", "varchar(1024)"),
        _c("time_zone", "varchar(64)", False),
        _c("time_zone_known", "boolean", False),
        _c("local_start_time", "timestamp", False),
    ),
    "derived",
    Redshift(
        "KEY",
        "DISTKEY(user_id) like songplays and events, which it joins on (user_id, session_id). "
        "SORTKEY(start_time): sessions are read by period.",
        distkey="user_id",
        sortkey=("start_time",),
    ),
    key=("user_id", "session_id"),
    merge="derive",
)
STATE_TIME_ZONES = Table(
    "state_time_zones",
    "The IANA time zone of each US state code (music_analytics.timezones), rewritten by every schema check.",
    (_c("state", "varchar(8)", False), _c("time_zone", "varchar(64)", False)),
    "meta",
    Redshift("ALL", "fifty-odd rows joined to sessions: replicated.", sortkey=("state",)),
    key=("state",),
)

# The tables of the star schema (and the events fact), in the order they are created and merged:
# dimensions before facts.
STAR: tuple[Table, ...] = (ARTISTS, SONGS, USERS, TIME, SONGPLAYS, EVENTS, REJECTED_RECORDS)
# Written by the pipeline outside the lake: the run ledger, the quality history, the migrations.
# Rebuilt from the merged events after the star schema, in this order (sessions count play_skips).
DERIVED: tuple[Table, ...] = (USER_LEVELS, PLAY_SKIPS, SESSIONS)
OTHER: tuple[Table, ...] = (
    QUALITY_RESULTS,
    PIPELINE_RUNS,
    LOADED_FILES,
    SCHEMA_MIGRATIONS,
    STATE_TIME_ZONES,
    PIPELINE_LEASE,
)
ALL: tuple[Table, ...] = (*STAR, *DERIVED, *OTHER)
BY_NAME: dict[str, Table] = {t.name: t for t in ALL}
# A lake table that is not a warehouse table: records, accepted and rejected per input file.
LAKE_ONLY: tuple[tuple[str, Lake], ...] = (("input_files", Lake(("file_day",), FILE_DAY)),)

# The published songs as the transform engines match plays against them (SourceFiles.catalogue).
SONG_CATALOGUE = SONGS.arrow_schema(("song_id", "title", "artist_id", "artist_name", "duration"))


# -- migrations --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddColumn:
    """Add a column of the catalogue to an existing table, filled by an expression over its row."""

    column: str
    fill: str


@dataclass(frozen=True)
class DropNotNull:
    column: str


@dataclass(frozen=True)
class Update:
    set: str
    where: str


@dataclass(frozen=True)
class Migration:
    """A change to a table of an existing warehouse; a table created after it already has its shape.

    Applied in order, once (recorded in schema_migrations). Never edit or reorder a released one.
    """

    id: str
    table: str
    steps: tuple[AddColumn | DropNotNull | Update, ...] = field(default_factory=tuple)


MIGRATIONS: tuple[Migration, ...] = (
    # The ISO year is one off the calendar year only around New Year (sql/transform/time.sql).
    Migration(
        "001-time-iso-year",
        "time",
        (
            AddColumn(
                "iso_year",
                "year + CASE WHEN month = 1 AND week >= 52 THEN -1 WHEN month = 12 AND week = 1 THEN 1 ELSE 0 END",
            ),
        ),
    ),
    Migration("001-songs-year-unknown", "songs", (DropNotNull("year"), Update("year = NULL", "year = 0"))),
    Migration("001-artists-location-unknown", "artists", (Update("location = NULL", "location = ''"),)),
)
