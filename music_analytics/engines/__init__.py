"""Transform engines: raw files in, lake out. Each runs the same SELECT-only models from sql/transform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from ..config import Config
from ..errors import ConfigError
from ..sources import SourceFiles

# The models, in dependency order, and how each is materialized. Names are both file names
# (sql/transform/<name>.sql) and the relation names later models refer to. events_checked and
# songs_checked (the contract check) come before them, built by each engine from the contract,
# with rejected_raw (line numbers and text of rejected records), event_files, song_files and
# quarantined_files (quarantined_table).
# Views over the big event relation avoid copying millions of rows; a relation read by several
# models or by the lake writer is a table.
MODELS: tuple[tuple[str, str], ...] = (
    ("duplicate_events", "table"),
    ("events_classified", "view"),
    ("events", "view"),
    ("songs_classified", "table"),
    ("songs", "table"),
    ("artists", "table"),
    ("songplays", "table"),
    ("users", "table"),
    ("time", "table"),
    ("rejected_records", "table"),
    ("input_files", "table"),
)

Progress = Callable[[str], None]


def quarantined_table(files: SourceFiles) -> pa.Table:
    """quarantined_files, as every engine registers it: the files no reader can read, with why."""
    rows = files.quarantined
    return pa.table(
        {
            "source_file": pa.array([r[0] for r in rows], pa.string()),
            "input": pa.array([r[1] for r in rows], pa.string()),
            "detail": pa.array([r[2] for r in rows], pa.string()),
        }
    )


@dataclass
class InputStats:
    files: int = 0
    records: int = 0
    accepted: int = 0
    rejected: int = 0
    blank_lines: int = 0
    empty_files: int = 0


@dataclass
class TransformResult:
    lake: Path
    files: SourceFiles | None = None
    events: InputStats = field(default_factory=InputStats)
    songs: InputStats = field(default_factory=InputStats)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    plays: int = 0  # accepted NextSong events
    plays_without_user: int = 0  # accepted NextSong events of logged-out users (not songplays)
    songplays: int = 0
    matched: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # rows written per lake table
    # Loaded files read again because they share a key with the run's (pipeline.transform).
    widened: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)

    def known_rows(self, table: str) -> int | None:
        """Rows of a lake table the run statistics already counted (no extra pass over a big view)."""
        return self.events.accepted if table == "events" else None


class Engine(Protocol):
    name: str

    def transform(self, files: SourceFiles, lake: Path, progress: Progress) -> TransformResult: ...


def get_engine(cfg: Config) -> Engine:
    if cfg.pipeline.engine == "duckdb":
        from .duckdb_engine import DuckDBEngine

        return DuckDBEngine(cfg)
    if cfg.pipeline.engine == "spark":
        from .spark_engine import SparkEngine

        return SparkEngine(cfg)
    raise ConfigError(f"engine {cfg.pipeline.engine!r} is not one of: duckdb, spark")


def shutdown() -> None:
    """Release what engines hold between tasks (the Spark session); a no-op when none was started."""
    import sys

    session_module = sys.modules.get(f"{__name__}.spark_session")
    if session_module is not None:
        session_module.stop_session()
