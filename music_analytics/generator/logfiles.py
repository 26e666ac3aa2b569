"""Writing the daily event files, with line-level and file-level fault injection."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .encode import event_line
from .engine import CODE_SHIFT, HAS_UID, PAGE_MASK, DaySegment
from .iothread import BackgroundWriter
from .model import LIFECYCLE_PAGES, NEXT_SONG, NEXT_SONG_UNKNOWN, PAGE_INDEX, PAGES

# Line-level kinds and what the pipeline must make of them.
LINE_KINDS: tuple[str, ...] = (
    "not_json",
    "truncated_json",
    "json_array",
    "ts_as_text",
    "missing_ts",
    "missing_field",
    "incomplete_play",
    "duplicate_event",
    "late_event",
)
FILE_KINDS: tuple[str, ...] = ("empty_file", "bom", "crlf")
SONG_KINDS: tuple[str, ...] = (
    "numeric_title",
    "numeric_artist_name",
    "conflicting_artist_name",
    "multi_object_song_file",
)
ALL_KINDS: tuple[str, ...] = LINE_KINDS + SONG_KINDS + FILE_KINDS
EXPECT: dict[str, str] = {
    "not_json": "rejected:not_json",
    "truncated_json": "rejected:not_json",
    "json_array": "rejected:not_object",
    "ts_as_text": "rejected:invalid_ts",
    "missing_ts": "rejected:missing_ts",
    "missing_field": "rejected:missing_field",
    "incomplete_play": "rejected:incomplete_play",
    "duplicate_event": "rejected:duplicate_event",
    "late_event": "loaded",
    "numeric_title": "loaded",
    "numeric_artist_name": "loaded",
    "conflicting_artist_name": "loaded",
    "multi_object_song_file": "loaded",
    "empty_file": "loaded",
    "bom": "loaded",
    "crlf": "loaded",
}
REJECT_REASONS: tuple[str, ...] = (
    "not_json",
    "not_object",
    "missing_ts",
    "invalid_ts",
    "missing_field",
    "incomplete_play",
    "duplicate_event",
)
REQUIRED_FIELDS: tuple[str, ...] = ("page", "sessionId", "itemInSession", "level", "userId")
_MODIFY_KINDS = ("ts_as_text", "missing_ts", "missing_field", "incomplete_play")
_EXTRA_KINDS = ("not_json", "truncated_json", "json_array", "duplicate_event")
_LIFECYCLE_CODES = frozenset(PAGE_INDEX[p] for p in LIFECYCLE_PAGES)
_GARBAGE = (
    "<html><head><title>502 Bad Gateway</title></head><body>{x}</body></html>",
    "ERROR {x} upstream connect error or disconnect/reset before headers",
    "{{artist: null, auth: 'Logged In', sessionId: {x}}}",
    "\\x00\\x00\\x00 binary garbage {x}",
    "-- log rotated {x} --",
    "Traceback (most recent call last): KeyError: '{x}'",
    "userId={x}&page=NextSong&auth=Logged+In",
)
_ROWS_PER_WRITE = 1 << 16


def day_file(start: dt.date, day: int) -> str:
    d = start + dt.timedelta(days=day)
    return f"log_data/{d:%Y}/{d:%m}/{d:%Y-%m-%d}-events.json"


@dataclass
class FaultPlan:
    """Which day files get the file-level faults and each line kind's first day."""

    rate: float
    days: int
    empty_day: int | None = None
    bom_day: int | None = None
    crlf_day: int | None = None
    guaranteed: dict[str, int] = field(default_factory=dict)

    @classmethod
    def make(cls, rate: float, days: int, rng: np.random.Generator) -> FaultPlan:
        plan = cls(rate=rate, days=days)
        if rate <= 0:
            return plan
        order = rng.permutation(days).tolist()
        # The empty day is never the first or the last: late events need a
        # later day, and the first day anchors the period.
        inner = [d for d in order if 0 < d < days - 1]
        if inner:
            plan.empty_day = inner[0]
        rest = [d for d in order if d != plan.empty_day]
        if rest:
            plan.bom_day = rest[0]
        if len(rest) > 1:
            plan.crlf_day = rest[1]
        usable = [d for d in range(days) if d != plan.empty_day]
        for i, kind in enumerate(LINE_KINDS):
            pool = usable
            if kind == "late_event":
                pool = [d for d in usable if late_targets(d, days, plan.empty_day)]
            if pool:
                plan.guaranteed[kind] = pool[(i * 7 + int(rng.integers(0, len(pool)))) % len(pool)]
        return plan


def late_targets(day: int, days: int, empty_day: int | None) -> list[int]:
    return [d for d in (day + 1, day + 2, day + 3) if d < days and d != empty_day]


@dataclass
class LogWriter:
    """Receives finished day segments from the engine; writes files, faults and tallies."""

    out_dir: Path
    start: dt.date
    plan: FaultPlan
    rng: np.random.Generator
    io: BackgroundWriter
    session_user: list[int] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    carry: list[str] = field(default_factory=list)
    page_counts: np.ndarray = field(default_factory=lambda: np.zeros(32, dtype=np.int64))
    loaded_page_counts: np.ndarray = field(default_factory=lambda: np.zeros(32, dtype=np.int64))
    events_written: int = 0
    events_dropped: int = 0
    records_read: int = 0
    _lines: int = 0
    _bytes: int = 0
    _dropped: int = 0
    seen_sessions: list[np.ndarray] = field(default_factory=list)
    loaded_sessions: list[np.ndarray] = field(default_factory=list)
    seen_user_sessions: list[np.ndarray] = field(default_factory=list)
    loaded_user_sessions: list[np.ndarray] = field(default_factory=list)

    def __call__(self, seg: DaySegment) -> None:
        day = seg.day
        rel = day_file(self.start, day)
        path = self.out_dir / rel
        if seg.first:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._lines = 0
            self._bytes = 0
            self._dropped = 0
        if day == self.plan.empty_day:
            self._dropped += len(seg.lines)
            if seg.last:
                self.events_dropped += self._dropped
                self.io.write(path, b"")
                self.files.append({"path": rel, "lines": 0, "records": 0, "bytes": 0})
                self.faults.append(
                    _fault("empty_file", rel, 0, f"zero bytes; the day's {self._dropped} events were dropped")
                )
            return

        codes = seg.codes
        self.events_written += len(seg.lines)
        self.page_counts += np.bincount(codes & PAGE_MASK, minlength=32)
        self._note_sessions(codes, self.seen_sessions, self.seen_user_sessions)

        if self.plan.rate > 0:
            final, final_codes, faults = self._inject(day, seg.lines, codes, seg.first)
            code_arr = np.asarray(final_codes, dtype=np.int64)
            loaded = code_arr[code_arr >= 0]
            for i, kind, detail in faults:
                self.faults.append(_fault(kind, rel, self._lines + i + 1, detail))
        else:
            final, loaded = seg.lines, codes
        self.loaded_page_counts += np.bincount(loaded & PAGE_MASK, minlength=32)
        self._note_sessions(loaded, self.loaded_sessions, self.loaded_user_sessions)
        self.records_read += len(final)

        crlf = day == self.plan.crlf_day
        bom = day == self.plan.bom_day
        append = not seg.first
        if bom and seg.first:
            data = "\ufeff".encode()
            self.io.write(path, data)
            self._bytes += len(data)
            append = True
            self.faults.append(_fault("bom", rel, 1, "the file starts with a UTF-8 byte order mark"))
        for lo in range(0, len(final), _ROWS_PER_WRITE):
            chunk = "".join(final[lo : lo + _ROWS_PER_WRITE])
            data = (chunk.replace("\n", "\r\n") if crlf else chunk).encode("ascii")
            self.io.write(path, data, append=append)
            self._bytes += len(data)
            append = True
        if not append:
            self.io.write(path, b"")  # a day without events still gets its (empty) file
        self._lines += len(final)
        if seg.last:
            if crlf:
                self.faults.append(_fault("crlf", rel, 0, "every line of the file ends with CR LF"))
            self.files.append({"path": rel, "lines": self._lines, "records": self._lines, "bytes": self._bytes})

    def _note_sessions(self, codes: np.ndarray, sessions: list[np.ndarray], users: list[np.ndarray]) -> None:
        sessions.append(np.unique(codes >> CODE_SHIFT))
        users.append(np.unique(codes[(codes & HAS_UID) != 0] >> CODE_SHIFT))

    # ---------------------------------------------------------------- faults
    def _count(self, kind: str, n: int, forced: set[str]) -> int:
        count = int(self.rng.poisson(self.plan.rate / len(LINE_KINDS) * n))
        return max(count, 1) if kind in forced else count

    def _pick(self, n: int, used: set[int], codes: np.ndarray, want_song: bool = False) -> int | None:
        """A random untouched base line (never line 1, never a lifecycle page)."""
        for _ in range(200):
            i = int(self.rng.integers(1, n))
            if i in used:
                continue
            page = int(codes[i]) & PAGE_MASK
            if page in _LIFECYCLE_CODES:
                continue
            if want_song and page not in (NEXT_SONG, NEXT_SONG_UNKNOWN):
                continue
            return i
        return None

    def _inject(
        self, day: int, lines: list[str], codes: np.ndarray, first: bool
    ) -> tuple[list[str], list[int], list[tuple[int, str, str]]]:
        """A segment's final lines, their codes (-1 = will be rejected) and its faults.

        Faults are (0-based line in the segment, kind, detail). Late events for
        this day go into its first segment; the guaranteed "at least one of
        each kind" is tried there too, and carried to later segments if it
        cannot be placed.
        """
        n = len(lines)
        late_in = self.pending.pop(day, []) if first else []
        forced = set(self.carry)
        if first:
            forced |= {k for k in LINE_KINDS if self.plan.guaranteed.get(k) == day}
        if n < 4:
            # Too small to hide faults in: leave the guarantees to a later segment.
            self.carry = sorted(forced)
            plain = [*lines, *(text for text, _ in late_in)]
            plain_codes: list[int] = [*codes.tolist(), *(code for _, code in late_in)]
            late = [(n + j, "late_event", "an event of an earlier day") for j in range(len(late_in))]
            return plain, plain_codes, late

        rng = self.rng
        used: set[int] = set()
        removed: set[int] = set()
        modified: dict[int, tuple[str, str]] = {}  # base index -> (kind, detail)
        base_text = list(lines)
        base_codes: list[int] = codes.tolist()
        placed: dict[str, int] = dict.fromkeys(LINE_KINDS, 0)

        # late_event: moved out of this day into a later day's file.
        targets = late_targets(day, self.plan.days, self.plan.empty_day)
        for _ in range(self._count("late_event", n, forced) if targets else 0):
            i = self._pick(n, used, codes)
            if i is None:
                break
            used.add(i)
            removed.add(i)
            target = targets[int(rng.integers(0, len(targets)))]
            self.pending.setdefault(target, []).append((lines[i], base_codes[i]))
            placed["late_event"] += 1

        for kind in _MODIFY_KINDS:
            for _ in range(self._count(kind, n, forced)):
                i = self._pick(n, used, codes, want_song=kind == "incomplete_play")
                if i is None:
                    break
                used.add(i)
                base_text[i], detail = self._modify(kind, lines[i])
                base_codes[i] = -1  # will be rejected
                modified[i] = (kind, detail)
                placed[kind] += 1

        # Extra lines: (insert before base position, sequence, text, kind, code, detail).
        extras: list[tuple[int, int, str, str, int, str]] = []
        seq = 0
        for kind in _EXTRA_KINDS:
            for _ in range(self._count(kind, n, forced)):
                seq += 1
                if kind == "not_json":
                    tag = f"{int(rng.integers(0, 1 << 40)):010x}"
                    text = _GARBAGE[int(rng.integers(0, len(_GARBAGE)))].format(x=tag) + "\n"
                    extras.append((int(rng.integers(1, n + 1)), seq, text, kind, -1, "a line of garbage"))
                    placed[kind] += 1
                    continue
                i = self._pick(n, used, codes)
                if i is None:
                    break
                used.add(i)
                src = lines[i].rstrip("\n")
                if kind == "truncated_json":
                    cut = int(rng.integers(8, len(src) - 8))
                    pos = int(rng.integers(1, n + 1))
                    text, detail = src[:cut] + "\n", f"a copy of an event cut after {cut} characters"
                elif kind == "json_array":
                    pos = int(rng.integers(1, n + 1))
                    text, detail = "[" + src + "]\n", "an event wrapped in a JSON array"
                else:
                    # The copy goes after the original, so the copy is the later line.
                    pos = int(rng.integers(i + 1, min(n, i + 300) + 1))
                    text, detail = lines[i], "exact copy of an earlier line"
                extras.append((pos, seq, text, kind, -1, detail))
                placed[kind] += 1
        for text, code in late_in:
            seq += 1
            extras.append((int(rng.integers(1, n + 1)), seq, text, "late_event", code, "an event of an earlier day"))
        extras.sort(key=lambda e: (e[0], e[1]))
        self.carry = sorted(k for k in forced if placed[k] == 0)

        # Splice: copy runs of base lines as slices, with the few extras and
        # removals in between (a per-line Python loop would cost ~2 us/line).
        by_pos: dict[int, list[tuple[int, int, str, str, int, str]]] = {}
        for extra in extras:
            by_pos.setdefault(extra[0], []).append(extra)
        out: list[str] = []
        out_codes: list[int] = []
        faults: list[tuple[int, str, str]] = []
        pending_mods = sorted(modified)
        m = 0
        prev = 0
        for cut in sorted(set(by_pos) | removed | {n}):
            while m < len(pending_mods) and pending_mods[m] < cut:
                i = pending_mods[m]
                kind, detail = modified[i]
                faults.append((len(out) + i - prev, kind, detail))
                m += 1
            out.extend(base_text[prev:cut])
            out_codes.extend(base_codes[prev:cut])
            for _, _, text, kind, code, detail in by_pos.get(cut, []):
                faults.append((len(out), kind, detail))
                out.append(text)
                out_codes.append(code)
            prev = cut + 1 if cut in removed else cut
        faults.sort()
        return out, out_codes, faults

    def _modify(self, kind: str, line: str) -> tuple[str, str]:
        record = json.loads(line)
        if kind == "ts_as_text":
            record["ts"] = str(record["ts"])
            detail = "ts written as a string"
        elif kind == "missing_ts":
            del record["ts"]
            detail = "ts key removed"
        elif kind == "missing_field":
            key = REQUIRED_FIELDS[int(self.rng.integers(0, len(REQUIRED_FIELDS)))]
            del record[key]
            detail = f"{key} key removed"
        else:
            key = ("song", "artist", "length")[int(self.rng.integers(0, 3))]
            record[key] = None
            detail = f"NextSong with {key} null"
        return event_line(record) + "\n", detail

    # --------------------------------------------------------------- results
    def summary(self) -> dict[str, Any]:
        def distinct_users(chunks: list[np.ndarray]) -> int:
            if not chunks:
                return 0
            sids = np.unique(np.concatenate(chunks))
            su = np.asarray(self.session_user, dtype=np.int64)
            users = su[sids - 1]
            return int(np.unique(users[users >= 0]).size)

        def distinct(chunks: list[np.ndarray]) -> int:
            return int(np.unique(np.concatenate(chunks)).size) if chunks else 0

        return {
            "users": distinct_users(self.seen_user_sessions),
            "sessions": distinct(self.seen_sessions),
            "loaded_users": distinct_users(self.loaded_user_sessions),
            "loaded_sessions": distinct(self.loaded_sessions),
        }

    def page_dict(self, counts: np.ndarray) -> dict[str, int]:
        result = {p: int(counts[i]) for i, p in enumerate(PAGES)}
        result["NextSong"] += int(counts[NEXT_SONG_UNKNOWN])
        return {p: result[p] for p in sorted(result)}


def _fault(kind: str, rel: str, line: int, detail: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind, "file": rel, "line": line, "expect": EXPECT[kind]}
    if detail:
        entry["detail"] = detail
    return entry
