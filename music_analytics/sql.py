"""Locate and read the SQL files under sql/ (the models and warehouse statements live there, not in Python)."""

from __future__ import annotations

import functools
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


@functools.cache
def read(relative: str) -> str:
    """The text of sql/<relative>; raises FileNotFoundError naming the path when it is missing."""
    path = SQL_DIR / relative
    return path.read_text(encoding="utf-8")


def statements(relative: str) -> list[str]:
    """The statements of a multi-statement file, split on ';' at line ends (files keep ';' out of strings)."""
    text = "\n".join(line for line in read(relative).splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";\n") if s.strip().rstrip(";").strip()]
