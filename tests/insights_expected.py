"""The independent oracle for docs/insights.md: every insight answer computed in plain Python.

It reads the raw Sparkify JSON (log_data/**/*.json as JSON lines, song_data/**/*.json) with the
standard library only, never the warehouse or the SQL in sql/insights/, so a bug shared by the SQL
and the warehouse cannot hide behind it. Each function implements the wording of docs/insights.md;
where the spec leaves something open, the choice made here is stated in the function's docstring.
The one thing taken from the project is data, not logic: music_analytics.timezones.STATE_TIME_ZONES
(state code -> IANA zone), the table the warehouse's state_time_zones is written from; the zones'
rules are Python's zoneinfo (the system's tz database).

Types follow what the SQL answers should mean once normalised by the test (see
tests/test_insights.py `normalise`): counts are int, ratios and minutes float, days/weeks
datetime.date, NULL is None.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# Data, not logic: the state code -> IANA zone table the warehouse's state_time_zones holds.
from music_analytics.timezones import STATE_TIME_ZONES

EPOCH = dt.datetime(1970, 1, 1)
Row = tuple[Any, ...]

# A play is skipped when the next event of its session starts more than this before the song ends.
SKIP_TOLERANCE_MS = 1000
# The zone of a session whose location has no known state code.
UNKNOWN_ZONE = "UTC"

# The funnels of docs/insights.md, in their order: (funnel, step-1 page, step-2 page).
FUNNELS = (
    ("upgrade", "Upgrade", "Submit Upgrade"),
    ("downgrade", "Downgrade", "Submit Downgrade"),
    ("cancel", "Cancel", "Cancellation Confirmation"),
)

# Required event keys (music_analytics/contract.py EVENTS): a record without them is rejected by the
# pipeline, so it is not an accepted event and must not count here either.
_REQUIRED = ("auth", "itemInSession", "level", "page", "sessionId", "ts")


@dataclass(frozen=True)
class Answer:
    """An expected result: column names in order, rows in the spec's order."""

    columns: tuple[str, ...]
    rows: list[Row]

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts, like music_analytics.insights.model.Result.records()."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Event:
    """One accepted raw event; user_id is None for logged-out events (raw userId "")."""

    user_id: str | None
    session_id: int
    item: int
    ts: int  # epoch milliseconds, UTC
    page: str
    level: str
    song: str | None
    artist: str | None
    length: float | None
    location: str | None
    user_agent: str | None
    gender: str | None
    registration: float | None  # epoch milliseconds

    @property
    def start_time(self) -> dt.datetime:
        # timedelta keeps the milliseconds exact (a float division by 1000 could round them).
        return EPOCH + dt.timedelta(milliseconds=self.ts)

    @property
    def day(self) -> dt.date:
        return self.start_time.date()

    @property
    def is_play(self) -> bool:
        """A play (docs/insights.md): a NextSong event of a known user, i.e. a songplay."""
        return self.page == "NextSong" and self.user_id is not None


@dataclass(frozen=True)
class Song:
    song_id: str
    title: str
    artist_name: str
    duration: float


# ---------------------------------------------------------------------------------------------
# Reading the raw files


def _is_int(v: object) -> bool:
    """A JSON number with an integral value (numbers are parsed as Decimal, see _text)."""
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, Decimal) and v == v.to_integral_value())


def _text(v: object) -> str | None:
    """A text field as the pipeline keeps it: a JSON number stays its JSON text (a title written as
    4.6 is the song "4.6"); parsing floats as Decimal keeps that text exactly."""
    return None if v is None else v if isinstance(v, str) else str(v)


def _number(v: object) -> float | None:
    return None if v is None else float(v)  # type: ignore[arg-type]


def _accepted(rec: object) -> bool:
    """Whether the pipeline accepts this raw event (a stdlib reading of the contract's checks)."""
    if not isinstance(rec, dict):
        return False
    if any(rec.get(k) in (None, "") for k in _REQUIRED) or not isinstance(rec.get("userId"), str):
        return False
    if not all(_is_int(rec[k]) for k in ("itemInSession", "sessionId", "ts")):
        return False
    if rec["page"] == "NextSong":
        length = rec.get("length")
        if not rec.get("song") or not rec.get("artist") or not isinstance(length, int | Decimal) or length <= 0:
            return False
    return True


def load_events(root: Path) -> list[Event]:
    """The accepted events of root/log_data, in file then line order.

    Malformed lines (not JSON, not an object, missing required fields, incomplete plays) are
    rejected like the pipeline does. Duplicates of the natural key (userId, sessionId,
    itemInSession, ts) keep only the first one read: the pipeline rejects the later copies as
    `duplicate_event`, so "accepted events" hold each key once.
    """
    seen: set[tuple[str, int, int, int]] = set()
    out: list[Event] = []
    for path in sorted((root / "log_data").rglob("*.json")):
        # utf-8-sig: a byte order mark at the start of a file is not part of its first record.
        with path.open(encoding="utf-8-sig") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line, parse_float=Decimal)
                except json.JSONDecodeError:
                    continue
                if not _accepted(rec):
                    continue
                key = (rec["userId"], int(rec["sessionId"]), int(rec["itemInSession"]), int(rec["ts"]))
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    Event(
                        user_id=rec["userId"] or None,
                        session_id=key[1],
                        item=key[2],
                        ts=key[3],
                        page=rec["page"],
                        level=rec["level"],
                        song=_text(rec.get("song")),
                        artist=_text(rec.get("artist")),
                        length=_number(rec.get("length")),
                        location=_text(rec.get("location")),
                        user_agent=_text(rec.get("userAgent")),
                        gender=_text(rec.get("gender")),
                        registration=_number(rec.get("registration")),
                    )
                )
    return out


def _json_objects(text: str) -> Iterator[object]:
    """Every JSON value in a text (song files may hold several, concatenated or pretty-printed)."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        value, pos = decoder.raw_decode(text, pos)
        yield value


def load_songs(root: Path) -> list[Song]:
    """The catalogue of root/song_data (first record of each song_id, as the pipeline keeps)."""
    songs: dict[str, Song] = {}
    for path in sorted((root / "song_data").rglob("*.json")):
        for rec in _json_objects(path.read_text(encoding="utf-8-sig")):
            if isinstance(rec, dict) and rec.get("song_id") and rec["song_id"] not in songs:
                songs[rec["song_id"]] = Song(
                    rec["song_id"],
                    _text(rec["title"]),  # type: ignore[arg-type]
                    _text(rec["artist_name"]),  # type: ignore[arg-type]
                    float(rec["duration"]),
                )
    return list(songs.values())


def song_matcher(songs: Iterable[Song]) -> Callable[[Event], str | None]:
    """The catalogue match of a play (docs/architecture.md): exact equality of (song, artist,
    length) with (title, the song's own artist_name, duration); the smallest song_id wins."""
    index: dict[tuple[str, str, float], str] = {}
    for s in songs:
        key = (s.title, s.artist_name, s.duration)
        if key not in index or s.song_id < index[key]:
            index[key] = s.song_id
    return lambda e: index.get((e.song, e.artist, e.length)) if e.is_play else None  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Helpers


def in_period(events: Iterable[Event], start: dt.date | None, end: dt.date | None) -> list[Event]:
    """Events with start_time in [start 00:00, end+1 00:00) UTC; a missing bound is open."""
    lo = dt.datetime.combine(start, dt.time()) if start else None
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time()) if end else None
    return [e for e in events if (lo is None or e.start_time >= lo) and (hi is None or e.start_time < hi)]


def _minutes(lengths: Iterable[float]) -> float | None:
    """SUM(length) / 60, NULL (None) over no plays as SQL's SUM gives."""
    values = list(lengths)
    return sum(values) / 60 if values else None


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def calendar(all_events: list[Event], start: dt.date | None, end: dt.date | None) -> list[dt.date]:
    """The days of the period clamped to the data (docs/insights.md "Calendar"): every day from
    the later of start and the day of the first accepted event (any page, logged-out ones too) to
    the earlier of end and the day of the last one.

    "A period that holds no event has no rows" is read literally: when no event falls in
    [start, end+1), the calendar is empty even if the clamped bounds are in order (data on both
    sides of an empty gap).
    """
    if not in_period(all_events, start, end):
        return []
    first, last = min(e.day for e in all_events), max(e.day for e in all_events)
    lo = max(start, first) if start else first
    hi = min(end, last) if end else last
    return [lo + dt.timedelta(days=i) for i in range((hi - lo).days + 1)]


def repair_text(text: str) -> str:
    """docs/insights.md "Text as shown": while the text holds only U+0000..U+00FF, holds one of
    U+0080..U+00FF, and its Latin-1 bytes are valid UTF-8 decoding to a different text, replace it
    by that decoding. "Valid UTF-8" is Python's strict decoder (no overlong forms, surrogates or
    code points above U+10FFFF)."""
    while all(ord(c) <= 0xFF for c in text) and any(ord(c) >= 0x80 for c in text):
        try:
            decoded = text.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return text
        if decoded == text:
            return text
        text = decoded
    return text


def shown(answer: Answer) -> Answer:
    """The answer as shown: every text value repaired (repair_text), rows and their order kept.

    The questions group, rank, break ties and ORDER BY on the logged text; the repair is applied
    to the finished rows only. Not explicit in the spec: the final row order of e.g.
    plays_by_location (plays DESC, state, city) is read as a tie break and so uses the logged text,
    not the repaired one.
    """
    return Answer(
        answer.columns, [tuple(repair_text(v) if isinstance(v, str) else v for v in row) for row in answer.rows]
    )


def latest_user_rows(events: Iterable[Event]) -> dict[str, Event]:
    """Each user's most recent event, any page (the users dimension, docs/architecture.md):
    by ts, ties to the later sessionId then itemInSession."""
    latest: dict[str, Event] = {}
    for e in events:
        if e.user_id is None:
            continue
        cur = latest.get(e.user_id)
        if cur is None or (e.ts, e.session_id, e.item) > (cur.ts, cur.session_id, cur.item):
            latest[e.user_id] = e
    return latest


def browser_of(agent: str | None) -> str:
    """The browser rule of plays_by_device: first matching rule wins."""
    if agent is None:
        return "unknown"
    rules = (
        ("Edge", ("Edge/",)),
        ("Opera", ("OPR/", "Opera")),
        ("Chrome", ("Chrome/", "CriOS")),
        ("Firefox", ("Firefox/",)),
        ("Safari", ("Safari/",)),
        ("Internet Explorer", ("Trident/", "MSIE ")),
    )
    return next((name for name, needles in rules if any(n in agent for n in needles)), "Other")


def os_of(agent: str | None) -> str:
    """The os rule of plays_by_device: first matching rule wins."""
    if agent is None:
        return "unknown"
    rules = (
        ("Windows", ("Windows",)),
        ("Android", ("Android",)),
        ("iOS", ("iPhone", "iPad")),
        ("macOS", ("Macintosh",)),
        ("Chrome OS", ("CrOS",)),
        ("Linux", ("Linux",)),
    )
    return next((name for name, needles in rules if any(n in agent for n in needles)), "Other")


def city_state(location: str | None) -> tuple[str, str]:
    """plays_by_location: city = the part before ", ", state = the first state code after it.

    Not in the spec: a location without ", " (none in the sample) is taken as all city and an
    empty state.
    """
    if not location:
        return "unknown", "unknown"
    city, _, states = location.partition(", ")
    return city, states.split("-")[0]


def _by_play_group(plays: Iterable[Event], key: Callable[[Event], Any]) -> dict[Any, list[Event]]:
    groups: dict[Any, list[Event]] = defaultdict(list)
    for e in plays:
        groups[key(e)].append(e)
    return groups


EventKey = tuple[str | None, int, int, int]


def event_key(e: Event) -> EventKey:
    """The natural key (user_id, session_id, itemInSession, ts): unique among accepted events."""
    return (e.user_id, e.session_id, e.item, e.ts)


@dataclass(frozen=True)
class Stretch:
    """One stretch of a user's level history: level from valid_from up to valid_to (None = current)."""

    user_id: str
    number: int  # 1 for the user's first stretch
    level: str
    valid_from: dt.datetime
    valid_to: dt.datetime | None


def level_history(all_events: Iterable[Event]) -> list[Stretch]:
    """Every known user's level stretches, from all their accepted events (any page).

    The user's events in order (ts, session_id, itemInSession); events with equal ts are one
    instant with the level of the last of them in that order. A stretch starts at each instant
    whose level differs from the previous instant's (the first instant starts the first one) and
    ends where the next one starts.
    """
    by_user: dict[str, list[Event]] = defaultdict(list)
    for e in all_events:
        if e.user_id is not None:
            by_user[e.user_id].append(e)
    out: list[Stretch] = []
    for user, es in by_user.items():
        instants: dict[int, str] = {}
        for e in sorted(es, key=lambda e: (e.ts, e.session_id, e.item)):
            instants[e.ts] = e.level  # the last event of the instant wins
        starts: list[tuple[dt.datetime, str]] = []
        for ts in sorted(instants):
            if not starts or instants[ts] != starts[-1][1]:
                starts.append((EPOCH + dt.timedelta(milliseconds=ts), instants[ts]))
        for i, (valid_from, level) in enumerate(starts):
            valid_to = starts[i + 1][0] if i + 1 < len(starts) else None
            out.append(Stretch(user, i + 1, level, valid_from, valid_to))
    return out


def session_events(all_events: Iterable[Event]) -> dict[tuple[str, int], list[Event]]:
    """The events of each session (user_id, session_id) of known users, in order (ts, itemInSession)."""
    groups: dict[tuple[str, int], list[Event]] = defaultdict(list)
    for e in all_events:
        if e.user_id is not None:
            groups[(e.user_id, e.session_id)].append(e)
    for es in groups.values():
        es.sort(key=lambda e: (e.ts, e.item))
    return groups


def skip_verdicts(all_events: Iterable[Event]) -> dict[EventKey, bool | None]:
    """Whether each play (by event_key) was skipped: the next event of its session (any page, order
    ts then itemInSession) starts before ts + length * 1000 - SKIP_TOLERANCE_MS; None (not judged)
    for a session's last event. The whole session counts, whatever the period: the next event may
    lie after the period's end."""
    verdicts: dict[EventKey, bool | None] = {}
    for es in session_events(all_events).values():
        for i, e in enumerate(es):
            if not e.is_play:
                continue
            if i + 1 == len(es):
                verdicts[event_key(e)] = None
            else:
                # The same operations in the same order as the SQL's ts + length * 1000 - tolerance.
                verdicts[event_key(e)] = es[i + 1].ts < e.ts + e.length * 1000 - SKIP_TOLERANCE_MS  # type: ignore[operator]
    return verdicts


def session_zones(all_events: Iterable[Event]) -> dict[tuple[str, int], tuple[str, bool]]:
    """(time_zone, time_zone_known) of each session: the state code of its first event's location
    (order ts, itemInSession), parsed as city_state does, looked up in STATE_TIME_ZONES; UTC and
    not known when there is no such code (no location, none after ", ", or an unlisted one)."""
    zones: dict[tuple[str, int], tuple[str, bool]] = {}
    for key, es in session_events(all_events).items():
        _, state = city_state(es[0].location)
        zone = STATE_TIME_ZONES.get(state)
        zones[key] = (zone, True) if zone is not None else (UNKNOWN_ZONE, False)
    return zones


def local_time(e: Event, zone: str) -> dt.datetime:
    """The event's UTC start_time as the wall-clock time (naive) of an IANA zone."""
    return e.start_time.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _zone_of(zones: dict[tuple[str, int], tuple[str, bool]], e: Event) -> tuple[str, bool]:
    return zones[(e.user_id, e.session_id)]  # type: ignore[index]


def _skip_counts(plays: list[Event], verdicts: dict[EventKey, bool | None]) -> tuple[int, int, int]:
    """(plays, judged_plays, skips) of some plays."""
    judged = [verdicts[event_key(e)] for e in plays if verdicts[event_key(e)] is not None]
    return len(plays), len(judged), sum(v is True for v in judged)


# ---------------------------------------------------------------------------------------------
# The questions. Each takes the events of the period (in_period) and returns an Answer with the
# text as logged; Oracle.answer repairs it for display (shown). The calendar questions also take the
# days of the period (calendar), and those with trailing windows all the loaded events.


def _top(
    groups: dict[Any, list[Event]],
    limit: int,
    name_of: Callable[[Any], tuple[str, str]],
    extra: Callable[[list[Event]], tuple[Any, ...]],
) -> list[Row]:
    """Rows ranked by plays and by minutes (ROW_NUMBER with the spec's full tie break), kept when
    either rank is <= limit, ordered by rank_by_plays. name_of(key) = (artist, song) for the tie break."""
    stats = {k: (len(es), sum(e.length for e in es) / 60) for k, es in groups.items()}  # type: ignore[misc]
    by_plays = sorted(stats, key=lambda k: (-stats[k][0], -stats[k][1], *name_of(k)))
    by_minutes = sorted(stats, key=lambda k: (-stats[k][1], -stats[k][0], *name_of(k)))
    rank_p = {k: i + 1 for i, k in enumerate(by_plays)}
    rank_m = {k: i + 1 for i, k in enumerate(by_minutes)}
    return [
        (rank_p[k], rank_m[k], *k, stats[k][0], stats[k][1], *extra(groups[k]))
        for k in by_plays
        if rank_p[k] <= limit or rank_m[k] <= limit
    ]


def top_songs(events: list[Event], limit: int = 10) -> Answer:
    groups = _by_play_group((e for e in events if e.is_play), lambda e: (e.song, e.artist))
    rows = _top(groups, limit, lambda k: (k[1], k[0]), lambda es: (len({e.user_id for e in es}),))
    return Answer(("rank_by_plays", "rank_by_minutes", "song", "artist", "plays", "minutes", "listeners"), rows)


def top_artists(events: list[Event], limit: int = 10) -> Answer:
    groups = _by_play_group((e for e in events if e.is_play), lambda e: (e.artist,))
    # An artist's tie break is (artist, song) with no song: the artist name alone.
    rows = _top(
        groups, limit, lambda k: (k[0], ""), lambda es: (len({e.user_id for e in es}), len({e.song for e in es}))
    )
    return Answer(("rank_by_plays", "rank_by_minutes", "artist", "plays", "minutes", "listeners", "songs"), rows)


def listening_heatmap(events: list[Event]) -> Answer:
    """(ISO weekday, hour) cells with plays. The spec gives no order: rows sorted by
    (weekday, hour) here, compared as a multiset."""
    cells = Counter((e.start_time.isoweekday(), e.start_time.hour) for e in events if e.is_play)
    return Answer(("weekday", "hour", "plays"), [(*k, n) for k, n in sorted(cells.items())])


def free_vs_paid(events: list[Event]) -> Answer:
    """Per event level. Not explicit in the spec: only logged-in events count (logged-out events
    carry a level but are no user's); a level appears when such an event has it."""
    rows = []
    for level in sorted({e.level for e in events if e.user_id is not None}):
        es = [e for e in events if e.user_id is not None and e.level == level]
        plays = [e for e in es if e.is_play]
        users = len({e.user_id for e in es})
        rows.append(
            (
                level,
                users,
                len(plays),
                _minutes(e.length for e in plays),  # type: ignore[misc]
                len({(e.user_id, e.session_id) for e in es}),
                sum(e.page == "Roll Advert" for e in es),
                len(plays) / users,
            )
        )
    return Answer(("level", "users", "plays", "minutes", "sessions", "adverts", "plays_per_user"), rows)


def plays_by_gender(events: list[Event], all_events: list[Event]) -> Answer:
    """Gender from the users dimension: the user's latest event over ALL loaded events (the
    dimension does not depend on the period); NULL -> 'unknown'."""
    latest = latest_user_rows(all_events)
    groups = _by_play_group((e for e in events if e.is_play), lambda e: latest[e.user_id].gender or "unknown")  # type: ignore[index]
    rows = []
    for gender, es in groups.items():
        listeners = len({e.user_id for e in es})
        rows.append((gender, listeners, len(es), _minutes(e.length for e in es), len(es) / listeners))  # type: ignore[misc]
    rows.sort(key=lambda r: (-r[2], r[0]))
    return Answer(("gender", "listeners", "plays", "minutes", "plays_per_listener"), rows)


def plays_by_location(events: list[Event]) -> Answer:
    groups = _by_play_group((e for e in events if e.is_play), lambda e: city_state(e.location))
    rows = [
        (city, state, len({e.user_id for e in es}), len(es), _minutes(e.length for e in es))  # type: ignore[misc]
        for (city, state), es in groups.items()
    ]
    rows.sort(key=lambda r: (-r[3], r[1], r[0]))
    return Answer(("city", "state", "listeners", "plays", "minutes"), rows)


def plays_by_device(events: list[Event]) -> Answer:
    groups = _by_play_group((e for e in events if e.is_play), lambda e: (browser_of(e.user_agent), os_of(e.user_agent)))
    rows = [(b, o, len({e.user_id for e in es}), len(es)) for (b, o), es in groups.items()]
    rows.sort(key=lambda r: (-r[3], r[0], r[1]))
    return Answer(("browser", "os", "listeners", "plays"), rows)


def sessions(events: list[Event]) -> Answer:
    """One row over the sessions (user_id, session_id) of logged-in events in the period.

    A session lasts from the smallest ts of its events in the period to the largest of
    ts + length * 1000 over its plays and ts over its other events (all in the period: a play that
    starts in the period counts its whole length even if it ends after the period)."""
    groups = _by_play_group((e for e in events if e.user_id is not None), lambda e: (e.user_id, e.session_id))
    columns = (
        "sessions",
        "users",
        "avg_session_minutes",
        "avg_songs_per_session",
        "max_songs_per_session",
        "sessions_per_user",
    )
    if not groups:
        return Answer(columns, [(0, 0, None, None, None, None)])
    durations = []
    for es in groups.values():
        begin = min(e.ts for e in es)
        # Offsets from the start keep the integral part exact before the float length is added.
        durations.append(max((e.ts - begin) + (e.length * 1000 if e.is_play else 0) for e in es) / 60000)  # type: ignore[operator]
    songs = [sum(e.is_play for e in es) for es in groups.values()]
    n, users = len(groups), len({u for u, _ in groups})
    return Answer(columns, [(n, users, sum(durations) / n, sum(songs) / n, max(songs), n / users)])


def active_users(all_events: list[Event], days: list[dt.date]) -> Answer:
    """dau/wau/mau for each day of the calendar (days), 0 when nobody was active. The windows
    count ALL loaded events, also those before the period's start (trailing windows are not cut);
    they only reach back, so events after the period never count."""
    users_by_day: dict[dt.date, set[str]] = defaultdict(set)
    for e in all_events:
        if e.user_id is not None:
            users_by_day[e.day].add(e.user_id)

    def window(day: dt.date, days: int) -> int:
        seen: set[str] = set()
        for i in range(days):
            seen |= users_by_day.get(day - dt.timedelta(days=i), set())
        return len(seen)

    rows = [(d, window(d, 1), window(d, 7), window(d, 30)) for d in days]
    return Answer(("day", "dau", "wau", "mau"), rows)


def daily_listening(events: list[Event], days: list[dt.date]) -> Answer:
    """Per day of the calendar (days); a day without plays is (day, 0, 0.0, 0)."""
    groups = _by_play_group((e for e in events if e.is_play), lambda e: e.day)
    rows = [
        (d, len(es), _minutes(e.length for e in es) or 0.0, len({e.user_id for e in es}))  # type: ignore[misc]
        for d in days
        for es in (groups.get(d, []),)
    ]
    return Answer(("day", "plays", "minutes", "listeners"), rows)


def funnels(events: list[Event]) -> Answer:
    """Two steps per funnel. Both steps' rate is NULL when step 1 has no users (the spec says
    'NULL when step 1 has no users', which is read as overriding the step-1 '1.0')."""
    rows = []
    for name, page1, page2 in FUNNELS:
        first: dict[str, int] = {}  # user -> earliest step-1 ts: "later than one of" = later than the first
        for e in events:
            if e.user_id is not None and e.page == page1:
                first[e.user_id] = min(e.ts, first.get(e.user_id, e.ts))
        second = {
            e.user_id
            for e in events
            if e.user_id is not None and e.page == page2 and e.user_id in first and e.ts > first[e.user_id]
        }
        n1 = len(first)
        rows.append((name, 1, page1, n1, 1.0 if n1 else None))
        rows.append((name, 2, page2, len(second), len(second) / n1 if n1 else None))
    return Answer(("funnel", "step", "page", "users", "rate"), rows)


def retention(events: list[Event], all_events: list[Event], days: list[dt.date]) -> Answer:
    """Weekly cohorts by registration week (the Monday of MIN(registration) over ALL the user's
    loaded events; users without any registration are left out). cohort_users = every user of the
    cohort in all data. A cohort is reported when one of its users has an event in the period
    (events); it then has a row for each week of the period (the Mondays of the calendar's days)
    not before its own week, with active_users = its users with an event anywhere in that
    Monday..Sunday week of all data (days before --start or after --end included), 0 when none.
    A cohort whose week is after every week of the period has no rows."""
    registration: dict[str, float] = {}
    weeks: dict[str, set[dt.date]] = defaultdict(set)
    for e in all_events:
        if e.user_id is None:
            continue
        weeks[e.user_id].add(_monday(e.day))
        if e.registration is not None:
            registration[e.user_id] = min(e.registration, registration.get(e.user_id, e.registration))
    cohorts: dict[dt.date, set[str]] = defaultdict(set)
    for user, reg in registration.items():
        cohorts[_monday((EPOCH + dt.timedelta(milliseconds=reg)).date())].add(user)
    active_in_period = {e.user_id for e in events if e.user_id is not None}
    period_weeks = sorted({_monday(d) for d in days})
    rows = []
    for cohort in sorted(cohorts):
        members = cohorts[cohort]
        if not members & active_in_period:
            continue
        for week in period_weeks:
            if week < cohort:
                continue
            active = sum(week in weeks[u] for u in members)
            rows.append((cohort, week, (week - cohort).days // 7, len(members), active, active / len(members)))
    return Answer(
        ("cohort_week", "activity_week", "weeks_since_registration", "cohort_users", "active_users", "retention"), rows
    )


def match_rate(events: list[Event], match: Callable[[Event], str | None], days: list[dt.date]) -> Answer:
    """Per day of the calendar (days); a day without plays is (day, 0, 0, None). Matching uses the
    logged text (song_matcher), never the repaired one."""
    groups = _by_play_group((e for e in events if e.is_play), lambda e: e.day)
    rows = []
    for d in days:
        es = groups.get(d, [])
        matched = sum(match(e) is not None for e in es)
        rows.append((d, len(es), matched, matched / len(es) if es else None))
    return Answer(("day", "plays", "matched_plays", "match_rate"), rows)


def levels_per_day(all_events: list[Event], days: list[dt.date]) -> Answer:
    """Per day of the calendar (days): the users whose level stretch holds the instant day+1 00:00
    (valid_from < day+1 <= valid_to, or current), by level; paid_share = paid / (free + paid), None
    when nobody. A user counts from their first event on: before it, no stretch holds the instant."""
    stretches = level_history(all_events)
    rows = []
    for d in days:
        t = dt.datetime.combine(d + dt.timedelta(days=1), dt.time())
        levels = Counter(s.level for s in stretches if s.valid_from < t and (s.valid_to is None or s.valid_to >= t))
        free, paid = levels["free"], levels["paid"]
        rows.append((d, free, paid, paid / (free + paid) if free + paid else None))
    return Answer(("day", "free_users", "paid_users", "paid_share"), rows)


def level_changes(all_events: list[Event], start: dt.date | None, end: dt.date | None) -> Answer:
    """One row over the level stretches overlapping the period [S, E) (valid_from < E and
    valid_to > S or current; a missing bound is open).

    A change is a stretch that is not its user's first and starts in [S, E): upgrades / downgrades
    count the paid / free changes. conversion_rate = users with a paid change / users with an
    overlapping free stretch, downgrade_rate = users with a free change / users with an overlapping
    paid stretch (None over no users). avg_paid_days: mean over overlapping paid stretches (whole,
    not cut by the period) of valid_to - valid_from in days; a current stretch runs to the start_time
    of the last accepted event of the whole data (any page, any user, logged-out ones too).
    Chosen here: with no overlapping stretch at all the counts are 0 (not NULL) and the averages
    and rates None.
    """
    lo = dt.datetime.combine(start, dt.time()) if start else None
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time()) if end else None
    last_at = max(e.start_time for e in all_events)
    overlapping = [
        s
        for s in level_history(all_events)
        if (hi is None or s.valid_from < hi) and (lo is None or s.valid_to is None or s.valid_to > lo)
    ]

    def changed(s: Stretch) -> bool:
        return s.number > 1 and (lo is None or s.valid_from >= lo) and (hi is None or s.valid_from < hi)

    paid = [s for s in overlapping if s.level == "paid"]
    free = [s for s in overlapping if s.level == "free"]
    paid_users, free_users = len({s.user_id for s in paid}), len({s.user_id for s in free})
    converted = len({s.user_id for s in paid if changed(s)})
    downgraded = len({s.user_id for s in free if changed(s)})
    paid_days = [((s.valid_to or last_at) - s.valid_from) / dt.timedelta(days=1) for s in paid]
    row = (
        sum(changed(s) for s in paid),
        sum(changed(s) for s in free),
        free_users,
        paid_users,
        converted / free_users if free_users else None,
        downgraded / paid_users if paid_users else None,
        sum(paid_days) / len(paid_days) if paid_days else None,
        sum(s.valid_to is None for s in paid),
    )
    columns = (
        "upgrades",
        "downgrades",
        "free_users",
        "paid_users",
        "conversion_rate",
        "downgrade_rate",
        "avg_paid_days",
        "open_paid_stretches",
    )
    return Answer(columns, [row])


def skip_rates(events: list[Event], all_events: list[Event]) -> Answer:
    """The period's plays: ('all', 'all') when there is a play, then per level of the play (by
    value), per UTC hour and per local hour (the session's zone), hours as text ordered by number.
    skip_rate = skips / judged_plays (None when no play of the row was judged)."""
    verdicts = skip_verdicts(all_events)
    zones = session_zones(all_events)
    plays = [e for e in events if e.is_play]
    rows: list[Row] = []

    def add(dimension: str, groups: dict[Any, list[Event]]) -> None:
        for value in sorted(groups):
            n, judged, skips = _skip_counts(groups[value], verdicts)
            rows.append((dimension, str(value), n, judged, skips, skips / judged if judged else None))

    if plays:
        add("all", {"all": plays})
    add("level", _by_play_group(plays, lambda e: e.level))
    add("hour", _by_play_group(plays, lambda e: e.start_time.hour))
    add("local_hour", _by_play_group(plays, lambda e: local_time(e, _zone_of(zones, e)[0]).hour))
    return Answer(("dimension", "value", "plays", "judged_plays", "skips", "skip_rate"), rows)


def most_skipped(events: list[Event], all_events: list[Event], limit: int = 10) -> Answer:
    """The period's most skipped songs ((song, artist) as logged) and artists, those with a skip:
    per kind ranked by skips desc, skip_rate desc, plays desc, artist, song (code point order =
    byte order of UTF-8, as _top), rank <= limit; the song rows by rank, then the artist rows.
    The skip rates are compared as exact fractions (equal rates tie, as the SQL's equal divisions)."""
    verdicts = skip_verdicts(all_events)
    plays = [e for e in events if e.is_play]
    rows: list[Row] = []
    for kind, groups in (
        ("song", _by_play_group(plays, lambda e: (e.song, e.artist))),
        ("artist", _by_play_group(plays, lambda e: (None, e.artist))),
    ):
        stats = {k: _skip_counts(es, verdicts) for k, es in groups.items()}
        skipped = [k for k in stats if stats[k][2] > 0]
        skipped.sort(key=lambda k: (-stats[k][2], -Fraction(stats[k][2], stats[k][1]), -stats[k][0], k[1], k[0] or ""))
        for rank, k in enumerate(skipped[:limit], start=1):
            n, judged, skips = stats[k]
            rows.append((kind, rank, k[0], k[1], n, judged, skips, skips / judged))
    return Answer(("kind", "skip_rank", "song", "artist", "plays", "judged_plays", "skips", "skip_rate"), rows)


def listening_heatmap_local(events: list[Event], all_events: list[Event]) -> Answer:
    """(ISO weekday, hour) cells with plays, in the local time of the play's session zone (the
    period still selects by UTC time). Rows sorted by (weekday, hour), compared as a multiset."""
    zones = session_zones(all_events)
    times = (local_time(e, _zone_of(zones, e)[0]) for e in events if e.is_play)
    cells = Counter((t.isoweekday(), t.hour) for t in times)
    return Answer(("weekday", "hour", "plays"), [(*k, n) for k, n in sorted(cells.items())])


def plays_by_time_zone(events: list[Event], all_events: list[Event]) -> Answer:
    """The period's plays by their session's (time_zone, time_zone_known): listeners = distinct
    users, plays; ordered by plays desc, time_zone."""
    zones = session_zones(all_events)
    groups = _by_play_group((e for e in events if e.is_play), lambda e: _zone_of(zones, e))
    rows = [(zone, known, len({e.user_id for e in es}), len(es)) for (zone, known), es in groups.items()]
    rows.sort(key=lambda r: (-r[3], r[0]))
    return Answer(("time_zone", "time_zone_known", "listeners", "plays"), rows)


QUESTIONS = (
    "top_songs",
    "top_artists",
    "listening_heatmap",
    "free_vs_paid",
    "plays_by_gender",
    "plays_by_location",
    "plays_by_device",
    "sessions",
    "active_users",
    "daily_listening",
    "funnels",
    "retention",
    "match_rate",
    "levels_per_day",
    "level_changes",
    "skip_rates",
    "most_skipped",
    "listening_heatmap_local",
    "plays_by_time_zone",
)

# Results whose row order the spec leaves open: compare them as multisets.
UNORDERED = frozenset({"listening_heatmap", "listening_heatmap_local"})


@dataclass
class Oracle:
    """All answers for one raw dataset: load once, ask per question and period."""

    events: list[Event]
    songs: list[Song]

    @classmethod
    def load(cls, root: Path) -> Oracle:
        return cls(load_events(root), load_songs(root))

    def answer(self, name: str, start: dt.date | None = None, end: dt.date | None = None, limit: int = 10) -> Answer:
        """The answer as shown (text repaired) for the period [start, end]; None = open bound."""
        return shown(self._logged(name, start, end, limit))

    def _logged(self, name: str, start: dt.date | None, end: dt.date | None, limit: int) -> Answer:
        """The answer with the text as logged: the period's events, plus all events and the
        calendar for the questions that need them."""
        es = in_period(self.events, start, end)
        if name == "top_songs":
            return top_songs(es, limit)
        if name == "top_artists":
            return top_artists(es, limit)
        if name == "plays_by_gender":
            return plays_by_gender(es, self.events)
        if name == "active_users":
            return active_users(self.events, calendar(self.events, start, end))
        if name == "daily_listening":
            return daily_listening(es, calendar(self.events, start, end))
        if name == "match_rate":
            return match_rate(es, song_matcher(self.songs), calendar(self.events, start, end))
        if name == "retention":
            return retention(es, self.events, calendar(self.events, start, end))
        if name == "levels_per_day":
            return levels_per_day(self.events, calendar(self.events, start, end))
        if name == "level_changes":
            return level_changes(self.events, start, end)
        if name == "most_skipped":
            return most_skipped(es, self.events, limit)
        if name in ("skip_rates", "listening_heatmap_local", "plays_by_time_zone"):
            with_all: Callable[[list[Event], list[Event]], Answer] = globals()[name]
            return with_all(es, self.events)
        fn: Callable[[list[Event]], Answer] = globals()[name]
        return fn(es)

    # -----------------------------------------------------------------------------------------
    # Recommender export

    def default_split_at(self, test_days: int = 7) -> dt.datetime:
        """The start of the day test_days-1 days before the last play's day: the last
        test_days days of data are the test set."""
        last = max(e.day for e in self.events if e.is_play)
        return dt.datetime.combine(last - dt.timedelta(days=test_days - 1), dt.time())

    def interactions(self, split_at: dt.datetime) -> dict[str, list[Row]]:
        """Rows (user_id, song, artist, plays, minutes, thumbs_up, playlist_adds, skips, song_id, last_ts)
        per split ('train': start_time < split_at, 'test' the rest), sorted.

        A Thumbs Up / Add to Playlist is credited to the same user's play in the same session with
        the largest smaller itemInSession (none: dropped). Not explicit in the spec, chosen here:
        such an event falls in the split of its OWN time; `minutes` is 0 for a row with no
        play (docs/insights.md); `song_id` is the smallest catalogue match among the row's plays (and credited
        plays); `last_ts` is the largest raw ts (epoch ms) of the row's events; `skips` = the row's
        plays whose skip verdict (skip_verdicts, whole session) is True (credited feedback adds 0).
        """
        match = song_matcher(self.songs)
        verdicts = skip_verdicts(self.events)
        plays_by_session: dict[tuple[str, int], list[Event]] = defaultdict(list)
        for e in self.events:
            if e.is_play:
                plays_by_session[(e.user_id, e.session_id)].append(e)  # type: ignore[index]
        # (split, user, song, artist) -> [plays, lengths, thumbs, adds, song_ids, last_ts, skips]
        acc: dict[tuple[str, str, str, str], list[Any]] = {}
        for e in self.events:
            if e.user_id is None:
                continue
            if e.is_play:
                play = e
            elif e.page in ("Thumbs Up", "Add to Playlist"):
                earlier = [p for p in plays_by_session.get((e.user_id, e.session_id), []) if p.item < e.item]
                if not earlier:
                    continue
                play = max(earlier, key=lambda p: p.item)
            else:
                continue
            split = "train" if e.start_time < split_at else "test"
            row = acc.setdefault((split, e.user_id, play.song, play.artist), [0, [], 0, 0, set(), e.ts, 0])  # type: ignore[arg-type]
            if e.is_play:
                row[0] += 1
                row[1].append(e.length)
                row[6] += verdicts[event_key(e)] is True
            elif e.page == "Thumbs Up":
                row[2] += 1
            else:
                row[3] += 1
            if (sid := match(play)) is not None:
                row[4].add(sid)
            row[5] = max(row[5], e.ts)
        out: dict[str, list[Row]] = {"train": [], "test": []}
        for (split, user, song, artist), (plays, lengths, thumbs, adds, ids, last_ts, skips) in acc.items():
            out[split].append(
                (
                    user,
                    song,
                    artist,
                    plays,
                    _minutes(lengths) or 0.0,
                    thumbs,
                    adds,
                    skips,
                    min(ids, default=None),
                    last_ts,
                )
            )
        for rows in out.values():
            rows.sort(key=lambda r: r[:3])  # (user_id, song, artist) is unique within a split
        return out


INTERACTION_COLUMNS = (
    "user_id",
    "song",
    "artist",
    "plays",
    "minutes",
    "thumbs_up",
    "playlist_adds",
    "skips",
    "song_id",
    "last_ts",
)
