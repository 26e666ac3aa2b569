"""Writing tens of thousands of small song files from a helper process.

On the project's machines creating a small file costs 50-500 microseconds of
kernel time. A thread cannot overlap that with the simulation well: it needs
the GIL back after each of its three syscalls per file and waits up to the
5 ms switch interval every time. A child process has no such coupling, so the
songs are packed into one temporary file and a stdlib-only child (run with
``python -c``, so it needs nothing importable) unpacks them on the second core
while the parent simulates.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import os, sys
pack, root = sys.argv[1], sys.argv[2]
with open(pack, "rb") as fh:
    data = fh.read()
os.unlink(pack)
pos, made = 0, set()
while pos < len(data):
    nl = data.index(b"\n", pos)
    rel, size = data[pos:nl].decode("ascii").rsplit(" ", 1)
    end = nl + 1 + int(size)
    parent = os.path.dirname(rel)
    if parent not in made:
        os.makedirs(os.path.join(root, parent), exist_ok=True)
        made.add(parent)
    with open(os.path.join(root, rel), "wb") as fh:
        fh.write(data[nl + 1 : end])
    pos = end
"""


def _pack(files: list[tuple[str, bytes]]) -> bytes:
    parts: list[bytes] = []
    for rel, data in files:
        parts.append(f"{rel} {len(data)}\n".encode("ascii"))
        parts.append(data)
    return b"".join(parts)


class SongFileJob:
    """Writes ``files`` (relative path, bytes) under ``out_dir``; call wait()."""

    def __init__(self, files: list[tuple[str, bytes]], out_dir: Path) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._pack: str | None = None
        if not sys.executable or os.environ.get("SPARKIFY_GENERATOR_INPROCESS"):
            _write_inline(files, out_dir)
            return
        fd, self._pack = tempfile.mkstemp(prefix=".song-pack-", dir=out_dir)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_pack(files))
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _CHILD, self._pack, str(out_dir)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait(self) -> None:
        if self._proc is None:
            return
        _, err = self._proc.communicate()
        code = self._proc.returncode
        self._proc = None
        if self._pack is not None and os.path.exists(self._pack):
            os.unlink(self._pack)
        if code != 0:
            raise RuntimeError(f"song file writer failed (exit {code}): {err.decode(errors='replace').strip()}")

    def abort(self) -> None:
        """Stop the child after an error elsewhere (best effort)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None
        if self._pack is not None and os.path.exists(self._pack):
            os.unlink(self._pack)


def _write_inline(files: list[tuple[str, bytes]], out_dir: Path) -> None:
    made: set[str] = set()
    for rel, data in files:
        parent = rel.rsplit("/", 1)[0]
        if parent not in made:
            os.makedirs(out_dir / parent, exist_ok=True)
            made.add(parent)
        (out_dir / rel).write_bytes(data)
