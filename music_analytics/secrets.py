"""Keep credentials out of output: every secret the config reads is registered here and masked.

Drivers and libraries sometimes echo connection strings in exceptions; everything the CLI
prints goes through `redact` so a password never reaches a terminal or a log file.
"""

from __future__ import annotations

import threading
from urllib.parse import quote, unquote

MASK = "***"
_lock = threading.Lock()
_secrets: set[str] = set()


def register(secret: str | None) -> None:
    """Remember a secret value (and its URL-encoded form) so `redact` can mask it."""
    if not secret:
        return
    with _lock:
        _secrets.add(secret)
        _secrets.add(quote(secret, safe=""))
        _secrets.add(unquote(secret))


def redact(text: str) -> str:
    """Replace every registered secret in `text` with a mask; longest first so prefixes don't leak."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text
