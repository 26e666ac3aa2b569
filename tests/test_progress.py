"""Progress lines: periodic counts and rates, and the ticker thread of one long statement."""

from __future__ import annotations

import contextvars
import threading
import time

from music_analytics.progress import Periodic, watching

RUN = contextvars.ContextVar[str]("run")


def test_periodic_says_counts_share_and_rate_at_most_every_period() -> None:
    lines: list[str] = []
    p = Periodic(lines.append, "staging", total=1000, every=3600)
    p.add(400)
    assert lines == []  # within the period: nothing extra
    p.every = 0
    p.add(100)
    assert len(lines) == 1 and lines[0].startswith("staging: 500 of 1,000 rows (50%), ")
    assert lines[0].endswith(" rows/s")


def test_the_ticker_speaks_in_the_callers_context() -> None:
    """An orchestrator's logger looks its run up in a contextvar (Prefect's get_run_logger does): from the
    ticker thread it must find the caller's, not raise as it did in a real flow run."""
    said: list[tuple[str, str | None]] = []

    def say(line: str) -> None:
        said.append((line, RUN.get(None)))

    token = RUN.set("run-1")
    try:
        with watching(say, "writing the lake", lambda: 50.0, every=0.01):
            deadline = time.monotonic() + 5
            while not said and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        RUN.reset(token)
    assert said, "the ticker said nothing"
    assert said[0] == ("writing the lake: 50% after 0 s", "run-1")
    assert not [t for t in threading.enumerate() if t.name.startswith("progress: ")]  # joined on exit
