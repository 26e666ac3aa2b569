"""Parameters of one synthetic dataset."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import ConfigError

MAX_EVENTS = 2_000_000_000
MAX_DAYS = 3660


@dataclass(frozen=True)
class GeneratorParams:
    """What to generate. Same parameters and seed give byte-identical output."""

    events: int  # approximate total events (the result is within 10%)
    seed: int = 0
    start: datetime.date = datetime.date(2018, 11, 1)
    days: int = 30
    songs: int | None = None  # catalogue size; None -> clamp(events // 50, 200, 50_000)
    fault_rate: float = 0.0  # approximate share of event lines with an injected fault
    skip_rate: float = 0.0  # probability a NextSong is cut short by the next one
    unknown_song_rate: float = 0.0  # probability a play names a song missing from the catalogue

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ConfigError("; ".join(problems))

    def problems(self) -> list[str]:
        """Human-readable reasons these parameters are invalid (empty if valid)."""
        out: list[str] = []

        def is_int(v: object) -> bool:
            return isinstance(v, int) and not isinstance(v, bool)

        if not is_int(self.events) or not 1 <= self.events <= MAX_EVENTS:
            out.append(f"events must be an integer between 1 and {MAX_EVENTS:,}, got {self.events!r}")
        if not is_int(self.seed) or self.seed < 0:
            out.append(f"seed must be a non-negative integer, got {self.seed!r}")
        if not isinstance(self.start, datetime.date) or isinstance(self.start, datetime.datetime):
            out.append(f"start must be a datetime.date, got {self.start!r}")
        if not is_int(self.days) or not 1 <= self.days <= MAX_DAYS:
            out.append(f"days must be an integer between 1 and {MAX_DAYS}, got {self.days!r}")
        if self.songs is not None and (not is_int(self.songs) or not 1 <= self.songs <= 10_000_000):
            out.append(f"songs must be an integer between 1 and 10,000,000, got {self.songs!r}")
        for name in ("fault_rate", "skip_rate", "unknown_song_rate"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                out.append(f"{name} must be a number in [0, 1], got {value!r}")
        return out

    @property
    def catalogue_size(self) -> int:
        if self.songs is not None:
            return self.songs
        return min(50_000, max(200, self.events // 50))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["catalogue_size"] = self.catalogue_size
        return data
