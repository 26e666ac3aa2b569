"""Find the raw files of a run and read song files into records.

A source is a folder or an s3:// prefix holding song_data/ and log_data/ in the Sparkify
layout. Event files are named YYYY-MM-DD-events.json, which is how a date range picks the files
of a run.
"""

from __future__ import annotations

import datetime as dt
import json
import mmap
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    for p in _json_files(root / "log_data"):
        if in_range(str(p), start, end):
            events.append(p)
            continue
        skipped += 1
        if start is not None and (day := file_day(p.name)) is not None and day < start:
            earlier.append((p.relative_to(root).as_posix(), _size(p)))
    if not songs and not events and not earlier:
        raise SourceError(f"source {root}: no .json files under song_data/ or log_data/")
    return SourceFiles(
        root=root,
        song_files=tuple(songs),
        event_files=tuple(events),
        skipped_event_files=skipped,
        earlier=tuple(earlier),
    )


def file_day(name: str) -> dt.date | None:
    """The day in an event file's name (YYYY-MM-DD-events.json), None for another name."""
    m = EVENT_FILE.search(name)
    return dt.date.fromisoformat(m.group(1)) if m else None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise SourceError(f"{path}: unreadable ({exc.strerror or exc})") from exc


def in_range(path: str, start: dt.date | None, end: dt.date | None) -> bool:
    """Whether an event file's day (from its name, YYYY-MM-DD-events.json) is in [start, end]."""
    day = file_day(path.rsplit("/", 1)[-1])
    if (start or end) and day is None:
        raise SourceError(f"{path}: cannot tell the file's day from its name (expected YYYY-MM-DD-events.json)")
    return day is None or not ((start and day < start) or (end and day > end))


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
        if size == 0:
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
        except json.JSONDecodeError:
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
