"""Headless Chromium for tests: open a local page (optionally with the network cut), dump its DOM, screenshot it.

Plain helpers, no fixtures; a test that needs the browser calls `need(CHROMIUM is not None, ...)` from
tests/conftest.py first. Chromium's own chatter (dbus, GPU) goes to stderr and is ignored unless it fails.

`OFFLINE` cuts the network for a page's resources: every host name fails to resolve and any proxied
request goes to a closed port, so a page that still needs a CDN shows it (tests check that with a
control page). `decode_png` reads Chromium's screenshots without Pillow.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
OFFLINE = (
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)


def chromium(page: Path, profile: Path, *args: str, offline: bool = False, timeout: float = 90) -> str:
    """Run Chromium once on `page` (file://) with its own profile folder; returns its stdout."""
    assert CHROMIUM is not None, "check need(CHROMIUM is not None, ...) first"
    flags = [*CHROMIUM_FLAGS, *(OFFLINE if offline else ()), f"--user-data-dir={profile}"]
    proc = subprocess.run([CHROMIUM, *flags, *args, page.as_uri()], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def dump_dom(page: Path, profile: Path, *, offline: bool = False, budget_ms: int = 5000) -> str:
    """The DOM after load and after `budget_ms` of virtual time (scripts, fonts, timers run)."""
    return chromium(page, profile, "--dump-dom", f"--virtual-time-budget={budget_ms}", offline=offline)


def screenshot(
    page: Path, profile: Path, png: Path, window: tuple[int, int], *, offline: bool = False, budget_ms: int = 5000
) -> bytes:
    chromium(
        page,
        profile,
        f"--screenshot={png}",
        f"--window-size={window[0]},{window[1]}",
        f"--virtual-time-budget={budget_ms}",
        offline=offline,
    )
    return png.read_bytes()


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def decode_png(data: bytes) -> tuple[int, int, Counter[tuple[int, int, int]]]:
    """Width, height and pixel count per RGB colour of an 8-bit, non-interlaced RGB or RGBA PNG (Chromium's)."""
    width, height, bpp, out = decode_png_pixels(data)
    channels = [out[i::bpp] for i in range(bpp)]
    return width, height, Counter(zip(channels[0], channels[1], channels[2], strict=True))


def decode_png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """Width, height, bytes per pixel (3 or 4) and the pixels, row after row, of an opaque 8-bit PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, header, idat = 8, b"", []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat.append(chunk)
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    bpp = 3 if colour_type == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    prev = bytes(stride)
    out = bytearray()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            # Chromium filters most rows with Up; an unchanged row (all zero) is a copy.
            line = bytearray(prev) if not any(line) else bytearray(map(_add, line, prev))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + (left + prev[i]) // 2) & 0xFF
        elif kind == 4:
            for i in range(bpp):
                line[i] = (line[i] + prev[i]) & 0xFF  # no left neighbour: Paeth picks the one above
            for i in range(bpp, stride):
                a, b, c = line[i - bpp], prev[i], prev[i - bpp]
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        else:
            assert kind == 0, f"unknown PNG filter {kind}"
        out += line
        prev = bytes(line)
    if bpp == 4:
        assert out[3::4].count(255) == width * height, "an opaque screenshot"
    return width, height, bpp, bytes(out)


def _add(a: int, b: int) -> int:
    return (a + b) & 0xFF
