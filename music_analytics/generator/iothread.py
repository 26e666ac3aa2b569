"""A background thread for file writes.

Creating ~50,000 small song files and pushing gigabytes of day files into the
page cache are mostly kernel time, during which CPython releases the GIL; a
single writer thread overlaps that with the CPU-bound simulation. The queue is
short so only a few chunks of pending output are held in memory.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

_Item = tuple[Path, bytes, bool]  # (path, data, append)


class BackgroundWriter:
    def __init__(self, max_pending: int = 3) -> None:
        self._queue: queue.Queue[list[_Item] | None] = queue.Queue(maxsize=max_pending)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sparkify-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            if self._error is not None:
                continue  # keep draining after a failure; close() raises it
            try:
                for path, data, append in batch:
                    _write(path, data, append)
            except BaseException as exc:
                self._error = exc

    def write(self, path: Path, data: bytes, append: bool = False) -> None:
        self.write_batch([(path, data, append)])

    def write_batch(self, items: list[_Item]) -> None:
        """Queue several writes as one entry (small files: one hand-off, not many)."""
        if self._error is not None:
            raise self._error
        self._queue.put(items)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


def _write(path: Path, data: bytes, append: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
