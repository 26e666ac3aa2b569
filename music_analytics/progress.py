"""Progress of long work, as periodic plain lines: counts, rate and share done.

The same lines serve a terminal and a log file (the Prefect run log, a cron mail), so there is no
bar to redraw; a line comes at most every `EVERY` seconds, so short work says nothing extra.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Say = Callable[[str], None]
EVERY = 5.0  # seconds between two progress lines of the same work


class Periodic:
    """Counts work done and says so at most every `every` seconds: "<what>: 1,200,000 of 3,000,000 rows
    (40%), 410,000 rows/s"."""

    def __init__(self, say: Say, what: str, total: int | None = None, unit: str = "rows", every: float = EVERY) -> None:
        self.say, self.what, self.total, self.unit, self.every = say, what, total, unit, every
        self.done = 0
        self.started = self.last = time.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.say(self.line(now))

    def line(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.started, 1e-9)
        of = f" of {self.total:,}" if self.total is not None else ""
        share = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        rate = self.done / elapsed
        return f"{self.what}: {self.done:,}{of} {self.unit}{share}, {rate:,.{1 if rate < 10 else 0}f} {self.unit}/s"


@contextmanager
def watching(say: Say, what: str, share: Callable[[], float], every: float = EVERY) -> Iterator[None]:
    """While the block runs, say `what` and how far along it is (`share()` in percent, < 0 when
    unknown) every `every` seconds, from a thread: for one long statement that reports progress."""
    stop = threading.Event()
    started = time.monotonic()

    def loop() -> None:
        while not stop.wait(every):
            try:
                done = share()
            except Exception:  # the statement ended between two looks: nothing to say
                return
            elapsed = time.monotonic() - started
            say(f"{what}: {done:.0f}% after {elapsed:.0f} s" if done >= 0 else f"{what}: {elapsed:.0f} s")

    # The thread says its lines in the caller's context: an orchestrator's logger finds its run
    # there (Prefect's run context is a contextvar; a bare thread has none and its logger raises).
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(loop,), name=f"progress: {what}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def duckdb_share(con: Any) -> Callable[[], float]:
    """A DuckDB connection's progress on its running statement (needs enable_progress_bar)."""
    return lambda: float(con.query_progress())
