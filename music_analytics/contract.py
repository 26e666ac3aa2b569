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
class Domain:
    """The values a present field may hold (absence is `required`'s business); outside: invalid_value.

    The quality suites (expectations/*.json) check the same domains on the transform's output: a
    value the contract lets through must never be one a critical expectation blocks the run for
    (tests/test_parse.py holds the two together).
    """

    values: tuple[str | int, ...] = ()  # one of these exactly (case matters)
    min_value: float | None = None
    max_value: float | None = None
    strict_min: bool = False  # min_value itself is outside
    unknown: int | None = None  # a sentinel meaning "unknown", allowed whatever the range (year 0)


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
    domain: Domain | None = None


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

# What eventsim writes. A new page or status is rejected (and counted) rather than loaded unseen: the
# insights and the recommender export read these values, so a new one is a decision, not a surprise.
PAGES = (
    "About",
    "Add Friend",
    "Add to Playlist",
    "Cancel",
    "Cancellation Confirmation",
    "Downgrade",
    "Error",
    "Help",
    "Home",
    "Login",
    "Logout",
    "NextSong",
    "Register",
    "Roll Advert",
    "Save Settings",
    "Settings",
    "Submit Downgrade",
    "Submit Registration",
    "Submit Upgrade",
    "Thumbs Down",
    "Thumbs Up",
    "Upgrade",
)
NOT_NEGATIVE = Domain(min_value=0)
POSITIVE = Domain(min_value=0, strict_min=True)
# A play lasts at most a day: the derived tables add a play's length to its ts (sessions, skips), and a
# finite but absurd length (1e308 s) would overflow that arithmetic and fail the whole merge.
PLAY_LENGTH = Domain(min_value=0, strict_min=True, max_value=86_400)

# Listening events: log_data/YYYY/MM/YYYY-MM-DD-events.json, one JSON object per line.
# userId is text and "" for logged-out users; ts is epoch milliseconds (UTC).
EVENTS = Contract(
    "events",
    (
        Field("artist", "artist", T, stored_as=("events.artist",)),
        Field(
            "auth",
            "auth",
            T,
            required=True,
            stored_as=("events.auth",),
            domain=Domain(values=("Cancelled", "Guest", "Logged In", "Logged Out")),
        ),
        Field("firstName", "first_name", T, stored_as=("users.first_name",)),
        Field("gender", "gender", T, stored_as=("users.gender",), domain=Domain(values=("F", "M"))),
        Field(
            "itemInSession",
            "item_in_session",
            INT,
            required=True,
            stored_as=("events.item_in_session",),
            domain=NOT_NEGATIVE,
        ),
        Field("lastName", "last_name", T, stored_as=("users.last_name",)),
        Field("length", "length", N, stored_as=("events.length",), domain=PLAY_LENGTH),
        Field(
            "level",
            "level",
            T,
            required=True,
            stored_as=("events.level", "users.level", "songplays.level"),
            domain=Domain(values=("free", "paid")),
        ),
        Field("location", "location", T, stored_as=("events.location", "songplays.location")),
        Field("method", "method", T, stored_as=("events.method",), domain=Domain(values=("GET", "PUT"))),
        Field("page", "page", T, required=True, stored_as=("events.page",), domain=Domain(values=PAGES)),
        Field("registration", "registration", N, stored_as=("events.registration_time",)),
        Field(
            "sessionId",
            "session_id",
            INT,
            required=True,
            stored_as=("events.session_id", "songplays.session_id"),
            domain=NOT_NEGATIVE,
        ),
        Field("song", "song", T, stored_as=("events.song",)),
        Field("status", "status", INT, stored_as=("events.status",), domain=Domain(values=(200, 307, 404))),
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
        Field(
            "artist_latitude",
            "artist_latitude",
            N,
            stored_as=("artists.latitude",),
            domain=Domain(min_value=-90, max_value=90),
        ),
        Field(
            "artist_longitude",
            "artist_longitude",
            N,
            stored_as=("artists.longitude",),
            domain=Domain(min_value=-180, max_value=180),
        ),
        Field("artist_location", "artist_location", T, stored_as=("artists.location",)),
        Field("artist_name", "artist_name", T, required=True, stored_as=("songs.artist_name", "artists.name")),
        Field("song_id", "song_id", T, required=True, stored_as=("songs.song_id",)),
        Field("title", "title", T, required=True, stored_as=("songs.title",)),
        Field("duration", "duration", N, required=True, stored_as=("songs.duration",), domain=POSITIVE),
        # 0 is the Million Song Dataset's "year unknown" (NULL in songs).
        Field("year", "year", INT, stored_as=("songs.year",), domain=Domain(min_value=1000, max_value=2100, unknown=0)),
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
    "invalid_value": "a value outside its field's domain (contract Domain; detail names the field): a level, "
    "page, auth, method, gender or status eventsim never writes, a negative sessionId or itemInSession, a length "
    "or duration <= 0, a length over a day (86,400 s), a latitude/longitude off the globe, a year not 0 and not "
    "1000..2100",
    "duplicate_song": "a song_id already read from another record",
    "unreadable_file": "a file no reader can read (unreadable, compressed, not UTF-8, a line over 16 MiB): one row "
    "with line_number 0, detail says why (music_analytics.sources.screen)",
    # What every warehouse can store, from the fields' stored_as columns (music_analytics.parse):
    "invalid_text": "a text field holds a NUL character, which PostgreSQL and Redshift cannot store (detail names it)",
    "too_long": "a text field is longer, in UTF-8 bytes, than its warehouse column (detail names it)",
    "out_of_range": "a number its warehouse column cannot hold: an integer beyond INTEGER/BIGINT, an infinite "
    "double, epoch milliseconds outside the years 1-9999 (detail names it)",
}
