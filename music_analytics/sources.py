"""Find the raw files of a run and read song files into records.

A source is a folder or an s3:// prefix holding song_data/ and log_data/ in the Sparkify
layout. Event files are named YYYY-MM-DD-events.json, which is how a date range picks the files
of a run.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import mmap
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .errors import SourceError

EVENT_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})-events\.json$")


@dataclass(frozen=True)
class SourceFiles:
    root: Path
    song_files: tuple[Path, ...]
    event_files: tuple[Path, ...]
    skipped_event_files: int = 0  # files outside the date range
    # Song files listed but not read (the ledger found them loaded and unchanged): the engine then
    # reads the listed files only, never the whole song_data/ folder.
    skipped_song_files: int = 0
    # Parquet of the songs the warehouse already holds (song_id, title, artist_id, artist_name,
    # duration): plays are matched against them as well as against the run's own song files.
    catalogue: Path | None = None
    # Event files dated before the range, not read: (relative path, size in bytes). The plan
    # checks them against the ledger, so an old file that changed is reported, not silently ignored.
    earlier: tuple[tuple[str, int], ...] = ()
    # Files not read because no reader can (music_analytics.sources.screen): (relative path,
    # input "events" | "songs", why). Each becomes one rejected_records row (unreadable_file).
    quarantined: tuple[tuple[str, str, str], ...] = ()
    # Files under log_data/ whose name gives no day (or an impossible one) while the run has a
    # date range: (relative path, why); listed, not read.
    unnamed: tuple[tuple[str, str], ...] = ()

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def canonical(source: str) -> str:
    """The one spelling of a source the run ledger compares: an absolute folder path, or
    s3://bucket/prefix without a trailing slash."""
    if source.startswith("s3://"):
        bucket, _, prefix = source[len("s3://") :].partition("/")
        prefix = prefix.strip("/")
        return f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
    return str(Path(source).expanduser().resolve())


def check_source(source: str) -> Path | None:
    """The source folder, if it has the Sparkify layout; a one-line SourceError otherwise.

    An s3:// source is only checked for its form here (None): listing it needs the run's config.
    """
    if source.startswith("s3://"):
        bucket = source[len("s3://") :].partition("/")[0]
        if not bucket:
            raise SourceError(f"source {source}: expected s3://bucket/prefix")
        return None
    root = Path(source).expanduser()
    if not root.is_dir():
        raise SourceError(f"source {root}: not a readable folder")
    missing = [name for name in ("song_data", "log_data") if not (root / name).is_dir()]
    if missing:
        raise SourceError(f"source {root}: missing {' and '.join(missing)}/ (expected the Sparkify layout)")
    return root


def discover(source: str, start: dt.date | None = None, end: dt.date | None = None) -> SourceFiles:
    """List the song and event files of `source`, event files limited to [start, end] by file name."""
    checked = check_source(source)
    if checked is None:
        raise SourceError(f"source {source}: an s3:// source is listed by music_analytics.s3.discover")
    root = checked.resolve()
    songs = _json_files(root / "song_data")
    events: list[Path] = []
    earlier: list[tuple[str, int]] = []
    skipped = 0
    unnamed: list[tuple[str, str]] = []
    for p in _json_files(root / "log_data"):
        if in_range(str(p), start, end):
            events.append(p)
            continue
        skipped += 1
        if file_day(p.name) is None:
            unnamed.append((p.relative_to(root).as_posix(), undated(p.name)))
        if start is not None and (day := file_day(p.name)) is not None and day < start and (size := _size(p)) >= 0:
            earlier.append((p.relative_to(root).as_posix(), size))
    if not songs and not events and not earlier:
        raise SourceError(f"source {root}: no .json files under song_data/ or log_data/")
    return SourceFiles(
        root=root,
        song_files=tuple(songs),
        event_files=tuple(events),
        skipped_event_files=skipped,
        earlier=tuple(earlier),
        unnamed=tuple(unnamed),
    )


def file_day(name: str) -> dt.date | None:
    """The day in an event file's name (YYYY-MM-DD-events.json), None for another name or an
    impossible date (2018-13-45)."""
    m = EVENT_FILE.search(name)
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None


def undated(name: str) -> str:
    """Why an event file's name gives no day (for the run's list of skipped files)."""
    m = EVENT_FILE.search(name)
    if m:
        return f"impossible date {m.group(1)} in the name"
    return "the name is not YYYY-MM-DD-events.json"


def _size(path: Path) -> int:
    """The file's size; -1 when it cannot be read (a dangling link): the run that reads it says why."""
    try:
        return path.stat().st_size
    except OSError:
        return -1


def in_range(path: str, start: dt.date | None, end: dt.date | None) -> bool:
    """Whether an event file's day (from its name, YYYY-MM-DD-events.json) is in [start, end].

    Without a range every file is in it; with one, a file whose name gives no day is not (the
    listing reports it as skipped, with `undated`'s reason)."""
    if not (start or end):
        return True
    day = file_day(path.rsplit("/", 1)[-1])
    return day is not None and not ((start and day < start) or (end and day > end))


def _json_files(folder: Path) -> list[Path]:
    """Every *.json file below `folder`, sorted (os.walk: one scandir per folder, no stat per file).

    Names starting with "." or "_" are hidden, files and folders alike (the Hadoop convention Spark
    follows when it lists a folder: editor swap files, _SUCCESS markers), so both engines read the
    same files.
    """
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, onerror=_raise_source_error):
        dirnames[:] = sorted(d for d in dirnames if not _hidden(d))
        found.extend(Path(dirpath, name) for name in filenames if name.endswith(".json") and not _hidden(name))
    return sorted(found)


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def _raise_source_error(exc: OSError) -> None:
    raise SourceError(f"{exc.filename}: unreadable ({exc.strerror})")


# -- file screening: what no reader can read is quarantined, never a failed run ----------------------

# DuckDB's reader takes JSON objects up to this size (read_events' maximum_object_size); a longer
# event line would fail the whole read there, so it quarantines its file on every engine alike.
MAX_LINE_BYTES = 16 * 1024 * 1024
_SCREEN_CHUNK = 16 * 1024 * 1024
# Leading bytes of formats that are not JSON text, though a file may be named *.json.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip-compressed"),
    (b"BZh", "bzip2-compressed"),
    (b"\xfd7zXZ\x00", "xz-compressed"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\xff\xfe", "UTF-16 or UTF-32 text (little-endian BOM)"),
    (b"\xfe\xff", "UTF-16 text (big-endian BOM)"),
    (b"\x00\x00\xfe\xff", "UTF-32 text (big-endian BOM)"),
)


def screen(path: Path, kind: str) -> str | None:
    """Why no reader can read the file (None: it is readable): unreadable, compressed, not UTF-8,
    an event line over MAX_LINE_BYTES, or JSON nested deeper than MAX_DEPTH. One pass in chunks
    (memory: one chunk); the few lines that could nest that deep are read again to be sure."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    scan = _LineScan(kind == "events")
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_SCREEN_CHUNK):
                if scan.offset == 0:
                    for magic, what in _MAGIC:
                        if chunk.startswith(magic):
                            return f"{what}, not UTF-8 JSON text"
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return f"not UTF-8 (byte {scan.offset + exc.start:,}: {exc.reason})"
                if (why := scan.feed(chunk)) is not None:
                    return why
            decoder.decode(b"", final=True)
        scan.end()
        return _too_deep(path, scan.deep_candidates, kind)
    except UnicodeDecodeError as exc:
        return f"not UTF-8 (the file ends inside a character: {exc.reason})"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"


# Jackson's default nesting limit, which Spark's JSON parser keeps: a deeper record is not JSON to
# Spark while DuckDB reads it, so its file is quarantined on every engine alike.
MAX_DEPTH = 1000
_OPENERS = np.array([91, 123], dtype=np.uint8)  # "[", "{"
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')


class _LineScan:
    """Line lengths and opening brackets per line, chunk by chunk (numpy: no Python loop per line).

    For song files (lines=False) the whole file counts as one line: its JSON values are not lines.
    """

    def __init__(self, lines: bool) -> None:
        self.lines = lines
        self.offset = 0  # bytes fed so far
        self.line_start = 0  # offset of the current (unfinished) line
        self.line_number = 1
        self.opens = 0  # opening brackets of the current line so far
        self.deep_candidates: list[int] = []  # lines with more than MAX_DEPTH opening brackets

    def feed(self, chunk: bytes) -> str | None:
        data = np.frombuffer(chunk, dtype=np.uint8)
        base = self.offset
        self.offset += len(chunk)
        if not self.lines:
            self.opens += chunk.count(b"[") + chunk.count(b"{")
            return None
        ends = np.flatnonzero(data == 10)
        # Openers are about one per line in real data: count them per line from their positions.
        openers = np.flatnonzero((data == 91) | (data == 123))
        if len(ends):
            starts = np.concatenate(([self.line_start - base], ends[:-1] + 1))
            lengths = ends - starts
            worst = int(np.argmax(lengths))
            if int(lengths[worst]) > MAX_LINE_BYTES:
                return _too_long(self.line_number + worst, int(lengths[worst]))
            per_line = np.bincount(np.searchsorted(ends, openers), minlength=len(ends) + 1)
            per_line[0] += self.opens
            self.deep_candidates.extend(
                int(self.line_number + i) for i in np.flatnonzero(per_line[: len(ends)] > MAX_DEPTH)
            )
            self.opens = int(per_line[len(ends)])
            self.line_number += len(ends)
            self.line_start = base + int(ends[-1]) + 1
        else:
            self.opens += len(openers)
        if self.offset - self.line_start > MAX_LINE_BYTES:
            return _too_long(self.line_number, self.offset - self.line_start)
        return None

    def end(self) -> None:
        """The last line, when the file does not end with a newline."""
        if self.offset > self.line_start and self.opens > MAX_DEPTH:
            self.deep_candidates.append(self.line_number)


def _too_deep(path: Path, candidates: list[int], kind: str) -> str | None:
    """The first candidate line (song files: the file) nested deeper than MAX_DEPTH, outside strings."""
    if not candidates:
        return None
    texts = read_lines(path, set(candidates)) if kind == "events" else {1: path.read_text("utf-8-sig")}
    for number in sorted(texts):
        structure = np.frombuffer(_STRINGS.sub("", texts[number]).encode(), dtype=np.uint8)
        depth = np.cumsum(np.isin(structure, _OPENERS).astype(np.int64) - np.isin(structure, (93, 125)))
        deepest = int(depth.max()) if len(depth) else 0
        if deepest > MAX_DEPTH:
            where = f"line {number:,}" if kind == "events" else "the file"
            return f"{where} nests {deepest:,} levels deep, over the {MAX_DEPTH:,} levels of Spark's JSON reader"
    return None


def _too_long(line_number: int, size: int) -> str:
    return f"line {line_number:,} is {size:,} bytes, over the {MAX_LINE_BYTES:,}-byte limit of a record"


def quarantine(files: SourceFiles, say: Callable[[str], None] | None = None) -> SourceFiles:
    """The files with every file no reader can read moved to `quarantined` (with why)."""
    bad: list[tuple[str, str, str]] = []
    keep: dict[str, list[Path]] = {"events": [], "songs": []}
    for kind, paths in (("events", files.event_files), ("songs", files.song_files)):
        for path in paths:
            why = screen(path, kind)
            if why is None:
                keep[kind].append(path)
            else:
                bad.append((files.relative(path), kind, why))
                if say is not None:
                    say(f"warning: {files.relative(path)}: quarantined: {why}")
    if not bad:
        return files
    return replace(
        files,
        event_files=tuple(keep["events"]),
        song_files=tuple(keep["songs"]),
        quarantined=(*files.quarantined, *bad),
    )


@dataclass(frozen=True)
class EventFileProfile:
    """Line structure of one event file, read as bytes (memchr-speed counts, no JSON parsing)."""

    source_file: str
    lines: int  # physical lines; the empty string after a final newline is not a line
    blank_lines: tuple[int, ...]  # 1-based numbers of lines holding only spaces, tabs, CR or a BOM


_BLANK_CHARS = b" \t\r"
_BOM = b"\xef\xbb\xbf"


def profile_event_file(path: Path, relative: str) -> EventFileProfile:
    try:
        size = path.stat().st_size
        if size == 0 or (size == len(_BOM) and path.read_bytes() == _BOM):  # a BOM alone is an empty file
            return EventFileProfile(relative, 0, ())
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            # numpy over the mapped file: vectorised counts, no copy of a file that can be GBs.
            data = np.frombuffer(mm, dtype=np.uint8)
            newline = data == 10
            ends_with_newline = bool(newline[-1])
            lines = int(np.count_nonzero(newline)) + (0 if ends_with_newline else 1)
            bom = size >= 3 and bytes(data[:3]) == _BOM
            first = data[3] if bom and size > 3 else (data[0] if not bom else None)
            # Regular files (every line starts with "{") cannot hold a blank line: no line split.
            starts = int(np.count_nonzero(data[1:][newline[:-1]] == 123)) + (1 if first == 123 else 0)
            del data, newline
    except OSError as exc:
        raise SourceError(f"{path}: unreadable ({exc.strerror or exc})") from exc
    if starts == lines:
        return EventFileProfile(relative, lines, ())
    body = path.read_bytes()
    if body.startswith(_BOM):
        body = body[3:]
    parts = body.split(b"\n")
    if ends_with_newline:
        parts.pop()
    blanks = tuple(i for i, part in enumerate(parts, start=1) if not part.strip(_BLANK_CHARS))
    return EventFileProfile(relative, lines, blanks)


def read_lines(path: Path, line_numbers: set[int]) -> dict[int, str]:
    """The text of the given 1-based lines of a file (without BOM and CR), for rejected records."""
    data = path.read_bytes()
    if data.startswith(_BOM):
        data = data[3:]
    out: dict[int, str] = {}
    for number, line in enumerate(data.split(b"\n"), start=1):
        if number in line_numbers:
            out[number] = line.rstrip(b"\r").decode("utf-8", errors="replace")
    return out


@dataclass
class SongRecords:
    """Song file contents split into JSON values: where each starts and its text."""

    source_file: list[str] = field(default_factory=list)
    line_number: list[int] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)


_WS = re.compile(r"\s*")


def _values(text: str) -> Iterator[tuple[int, str]]:
    """Yield (line, raw text) for each JSON value in `text`: one or several, concatenated or
    pretty-printed. Text that does not parse, up to the end of the file, is one more value."""
    decoder = json.JSONDecoder()
    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    while pos < len(text):
        line = text.count("\n", 0, pos) + 1
        try:
            _value, end = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError):
            # Not JSON, or nested deeper than Python parses: the rest is one value, for the
            # engine's own JSON parser to judge.
            yield line, text[pos:].rstrip()
            return
        yield line, text[pos:end]
        pos = _WS.match(text, end).end()  # type: ignore[union-attr]


def read_song_texts(files: SourceFiles) -> list[tuple[str, str]]:
    """(relative path, text without BOM) of every song file; a one-line SourceError if one is unreadable."""
    out = []
    for path in files.song_files:
        try:
            out.append((files.relative(path), path.read_bytes().decode("utf-8-sig")))
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"{path}: unreadable ({exc})") from exc
    return out


def split_song_values(texts: list[tuple[str, str]]) -> SongRecords:
    """Split song file texts into their JSON values (for files that are not exactly one value)."""
    out = SongRecords()
    for rel, text in texts:
        for line, raw in _values(text):
            out.source_file.append(rel)
            out.line_number.append(line)
            out.raw.append(raw)
    return out
