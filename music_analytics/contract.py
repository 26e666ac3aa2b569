"""The raw data contract, declared once: field names, JSON types and required fields.

Every engine reads raw files through this declaration: the DuckDB engine turns it into its
read_json column list and the validating SELECT (see `music_analytics.parse`), the Spark engine
into its explicit schema. Records that break it are kept in `rejected_records` with one of the
REASONS codes below, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class JsonType(StrEnum):
    # A JSON string; any other JSON value is kept as its JSON text (titles like 4.6, artists like
    # 311 are real), which is also what DuckDB's and Spark's JSON readers do for a string column.
    TEXT = "text"
    INTEGER = "integer"  # a JSON number with an integral value
    NUMBER = "number"  # any JSON number (parsed as IEEE double, exactly as written)


@dataclass(frozen=True)
class Field:
    key: str  # key in the raw JSON
    column: str  # column name downstream (snake_case)
    type: JsonType
    required: bool = False  # absent, null or "" -> rejected with reason missing_field (missing_ts for ts)
    allow_empty: bool = False  # a required text field that may be "" (userId of logged-out events)
    # The warehouse columns ("table.column", music_analytics.tables) the value ends up in: the
    # contract also checks that every supported warehouse can store it (music_analytics.parse).
    stored_as: tuple[str, ...] = ()


@dataclass(frozen=True)
class Requirement:
    """Fields a record must carry when another field has a given value (checked after types)."""

    reason: str
    when_key: str
    when_value: str
    non_empty: tuple[str, ...]  # present, not null, not ""
    positive: tuple[str, ...] = ()  # present and > 0


@dataclass(frozen=True)
class Contract:
    name: str
    fields: tuple[Field, ...]
    requirements: tuple[Requirement, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)


T, INT, N = JsonType.TEXT, JsonType.INTEGER, JsonType.NUMBER

# Listening events: log_data/YYYY/MM/YYYY-MM-DD-events.json, one JSON object per line.
# userId is text and "" for logged-out users; ts is epoch milliseconds (UTC).
EVENTS = Contract(
    "events",
    (
        Field("artist", "artist", T, stored_as=("events.artist",)),
        Field("auth", "auth", T, required=True, stored_as=("events.auth",)),
        Field("firstName", "first_name", T, stored_as=("users.first_name",)),
        Field("gender", "gender", T, stored_as=("users.gender",)),
        Field("itemInSession", "item_in_session", INT, required=True, stored_as=("events.item_in_session",)),
        Field("lastName", "last_name", T, stored_as=("users.last_name",)),
        Field("length", "length", N, stored_as=("events.length",)),
        Field("level", "level", T, required=True, stored_as=("events.level", "users.level", "songplays.level")),
        Field("location", "location", T, stored_as=("events.location", "songplays.location")),
        Field("method", "method", T, stored_as=("events.method",)),
        Field("page", "page", T, required=True, stored_as=("events.page",)),
        Field("registration", "registration", N, stored_as=("events.registration_time",)),
        Field("sessionId", "session_id", INT, required=True, stored_as=("events.session_id", "songplays.session_id")),
        Field("song", "song", T, stored_as=("events.song",)),
        Field("status", "status", INT, stored_as=("events.status",)),
        Field("ts", "ts", INT, required=True, stored_as=("events.ts",)),
        Field("userAgent", "user_agent", T, stored_as=("events.user_agent", "songplays.user_agent")),
        Field(
            "userId",
            "user_id",
            T,
            required=True,
            allow_empty=True,
            stored_as=("events.user_id", "users.user_id", "songplays.user_id"),
        ),
    ),
    # A play names its song and artist and lasts a positive time, or it cannot be a songplay.
    requirements=(
        Requirement("incomplete_play", "page", "NextSong", non_empty=("song", "artist"), positive=("length",)),
    ),
)

# Song metadata: song_data/A/B/C/TR*.json, one or more JSON objects per file.
SONGS = Contract(
    "songs",
    (
        Field("num_songs", "num_songs", INT),
        Field("artist_id", "artist_id", T, required=True, stored_as=("songs.artist_id", "artists.artist_id")),
        Field("artist_latitude", "artist_latitude", N, stored_as=("artists.latitude",)),
        Field("artist_longitude", "artist_longitude", N, stored_as=("artists.longitude",)),
        Field("artist_location", "artist_location", T, stored_as=("artists.location",)),
        Field("artist_name", "artist_name", T, required=True, stored_as=("songs.artist_name", "artists.name")),
        Field("song_id", "song_id", T, required=True, stored_as=("songs.song_id",)),
        Field("title", "title", T, required=True, stored_as=("songs.title",)),
        Field("duration", "duration", N, required=True, stored_as=("songs.duration",)),
        Field("year", "year", INT, stored_as=("songs.year",)),
    ),
)

# Plausible ts bounds (epoch ms): 2000-01-01 .. 2100-01-01. Outside means a unit or type error.
TS_MIN_MS = 946_684_800_000
TS_MAX_MS = 4_102_444_800_000

# Reason codes in rejected_records.reason. `detail` names the field where one is involved.
REASONS: dict[str, str] = {
    "not_json": "the line/object is not valid JSON (garbage, truncated)",
    "not_object": "valid JSON but not an object (array, string, number)",
    "missing_ts": "event without ts (absent or null)",
    "invalid_ts": "ts is not an integer epoch-milliseconds value between 2000 and 2100",
    "missing_field": "a required field is absent, null or empty (detail names it)",
    "invalid_type": "a number field holds something else: a quoted string, a boolean, an object (detail names it)",
    "incomplete_play": "a NextSong event without song, artist or a positive length",
    "duplicate_event": "an event whose natural key (userId, sessionId, itemInSession, ts) was already read",
    "invalid_value": "a field value out of its domain (detail names it: duration <= 0, latitude, year)",
    "duplicate_song": "a song_id already read from another record",
    "unreadable_file": "a file no reader can read (unreadable, compressed, not UTF-8, a line over 16 MiB): one row "
    "with line_number 0, detail says why (music_analytics.sources.screen)",
    # What every warehouse can store, from the fields' stored_as columns (music_analytics.parse):
    "invalid_text": "a text field holds a NUL character, which PostgreSQL and Redshift cannot store (detail names it)",
    "too_long": "a text field is longer, in UTF-8 bytes, than its warehouse column (detail names it)",
    "out_of_range": "a number its warehouse column cannot hold: an integer beyond INTEGER/BIGINT, an infinite "
    "double, epoch milliseconds outside the years 1-9999 (detail names it)",
}
