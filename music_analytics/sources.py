"""Find the raw files of a run and read song files into records.

A source is a folder (or, later, an s3:// prefix) holding song_data/ and log_data/ in the
Sparkify layout. Event files are named YYYY-MM-DD-events.json, which is how a date range picks
the files of a run.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .contract import SONGS
from .errors import SourceError

EVENT_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})-events\.json$")


@dataclass(frozen=True)
class SourceFiles:
    root: Path
    song_files: tuple[Path, ...]
    event_files: tuple[Path, ...]
    skipped_event_files: int = 0  # files outside the date range

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def discover(source: str, start: dt.date | None = None, end: dt.date | None = None) -> SourceFiles:
    """List the song and event files of `source`, event files limited to [start, end] by file name."""
    if source.startswith("s3://"):
        raise SourceError(f"source {source}: s3:// sources are not supported by this version yet")
    root = Path(source).expanduser()
    if not root.is_dir():
        raise SourceError(f"source {root}: not a readable folder")
    song_dir, log_dir = root / "song_data", root / "log_data"
    missing = [d.name for d in (song_dir, log_dir) if not d.is_dir()]
    if missing:
        raise SourceError(f"source {root}: missing {' and '.join(missing)}/ (expected the Sparkify layout)")
    songs = tuple(sorted(p for p in song_dir.rglob("*.json") if p.is_file()))
    events: list[Path] = []
    skipped = 0
    for p in sorted(log_dir.rglob("*.json")):
        if not p.is_file():
            continue
        m = EVENT_FILE.search(p.name)
        day = dt.date.fromisoformat(m.group(1)) if m else None
        if (start or end) and day is None:
            raise SourceError(f"{p}: cannot tell the file's day from its name (expected YYYY-MM-DD-events.json)")
        if day is not None and ((start and day < start) or (end and day > end)):
            skipped += 1
            continue
        events.append(p)
    if not songs and not events:
        raise SourceError(f"source {root}: no .json files under song_data/ or log_data/")
    return SourceFiles(root=root.resolve(), song_files=tuple(p.resolve() for p in songs),
                       event_files=tuple(p.resolve() for p in events), skipped_event_files=skipped)


@dataclass
class SongRecords:
    """Song file contents split into records; each key holds the value as JSON text (None = absent/null)."""

    source_file: list[str] = field(default_factory=list)
    line_number: list[int] = field(default_factory=list)
    parse_error: list[str | None] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    values: dict[str, list[str | None]] = field(default_factory=lambda: {k: [] for k in SONGS.keys})
    blank_files: int = 0


_WS = re.compile(r"\s*")


def _objects(text: str) -> Iterator[tuple[int, str, object | None, str | None]]:
    """Yield (line, raw text, value, error) for each JSON value in `text`: one or several objects,
    concatenated or pretty-printed. Unparseable trailing text is one not_json record."""
    decoder = json.JSONDecoder()
    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    while pos < len(text):
        line = text.count("\n", 0, pos) + 1
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            yield line, text[pos:].rstrip(), None, "not_json"
            return
        yield line, text[pos:end], value, None if isinstance(value, dict) else "not_object"
        pos = _WS.match(text, end).end()  # type: ignore[union-attr]


def read_song_files(files: SourceFiles) -> SongRecords:
    """Parse every song file into records (Python: song files are small and may hold several objects)."""
    out = SongRecords()
    keys = SONGS.keys
    for path in files.song_files:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"{path}: unreadable ({exc})") from exc
        rel = files.relative(path)
        empty = True
        for line, raw, value, error in _objects(text):
            empty = False
            out.source_file.append(rel)
            out.line_number.append(line)
            out.parse_error.append(error)
            out.raw.append(raw)
            obj = value if isinstance(value, dict) and error is None else {}
            for k in keys:
                v = obj.get(k)
                out.values[k].append(None if v is None else json.dumps(v, ensure_ascii=False))
        if empty:
            out.blank_files += 1
    return out
