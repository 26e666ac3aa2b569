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
        Field("artist", "artist", T),
        Field("auth", "auth", T, required=True),
        Field("firstName", "first_name", T),
        Field("gender", "gender", T),
        Field("itemInSession", "item_in_session", INT, required=True),
        Field("lastName", "last_name", T),
        Field("length", "length", N),
        Field("level", "level", T, required=True),
        Field("location", "location", T),
        Field("method", "method", T),
        Field("page", "page", T, required=True),
        Field("registration", "registration", N),
        Field("sessionId", "session_id", INT, required=True),
        Field("song", "song", T),
        Field("status", "status", INT),
        Field("ts", "ts", INT, required=True),
        Field("userAgent", "user_agent", T),
        Field("userId", "user_id", T, required=True, allow_empty=True),
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
        Field("artist_id", "artist_id", T, required=True),
        Field("artist_latitude", "artist_latitude", N),
        Field("artist_longitude", "artist_longitude", N),
        Field("artist_location", "artist_location", T),
        Field("artist_name", "artist_name", T, required=True),
        Field("song_id", "song_id", T, required=True),
        Field("title", "title", T, required=True),
        Field("duration", "duration", N, required=True),
        Field("year", "year", INT),
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
}
