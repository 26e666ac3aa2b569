"""JSON text exactly as the two Sparkify file formats write it.

The event logs were written by a Java JSON library: compact separators, ASCII
only (\\uXXXX escapes) and forward slashes escaped as \\/. The song files were
written by Python's json module with its default ", " / ": " separators and no
slash escaping. Every fragment the generator splices into an event line goes
through :func:`event_value`, so the fast string-building path and the generic
path used for faulty lines (:func:`event_line`) produce the same bytes.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any

# The exact key order of one song record in the real song files.
SONG_FIELDS: tuple[str, ...] = (
    "num_songs",
    "artist_id",
    "artist_latitude",
    "artist_longitude",
    "artist_location",
    "artist_name",
    "song_id",
    "title",
    "duration",
    "year",
)


def event_value(value: Any) -> str:
    """One JSON value as the event logs write it (ASCII, slashes escaped)."""
    if isinstance(value, str):
        # The C encoder json.dumps uses for strings, without its per-call overhead.
        return encode_basestring_ascii(value).replace("/", "\\/")
    return json.dumps(value, ensure_ascii=True).replace("/", "\\/")


def event_line(record: dict[str, Any]) -> str:
    """A whole event record as one log line (without the line end).

    The slash replacement is safe on the whole text because a JSON document can
    only contain "/" inside strings, and json.dumps never writes "\\/" itself.
    """
    return json.dumps(record, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")


def song_text(record: dict[str, Any]) -> str:
    """A song record as the song files write it (one line, no trailing newline)."""
    return json.dumps(record, ensure_ascii=True)


def user_agent_value(agent: str) -> str:
    """The userAgent text as eventsim prints it.

    eventsim's agent list was a CSV file: agents containing a comma kept their
    quoting, so in the logs they appear wrapped in literal double quotes while
    agents without a comma (Firefox, IE) do not. The real sample shows both.
    """
    return f'"{agent}"' if "," in agent else agent


def float_text(value: float) -> str:
    """Shortest round-trip text of a float, as both formats print numbers."""
    return repr(float(value))
