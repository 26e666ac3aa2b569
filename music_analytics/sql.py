"""Locate and read the SQL files under sql/ (the models and warehouse statements live there, not in Python)."""

from __future__ import annotations

import functools
import re

from . import resources

SQL_DIR = resources.SQL


@functools.cache
def read(relative: str) -> str:
    """The text of sql/<relative>; raises FileNotFoundError naming the path when it is missing."""
    path = SQL_DIR / relative
    return path.read_text(encoding="utf-8")


def statements(relative: str) -> list[str]:
    """The statements of a multi-statement file, split on ';' at line ends (files keep ';' out of strings)."""
    text = "\n".join(line for line in read(relative).splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";\n") if s.strip().rstrip(";").strip()]


_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def placeholders(text: str) -> set[str]:
    """The names of the {{placeholders}} in a text."""
    return set(_PLACEHOLDER.findall(text))


def fill(statement: str, relative: str, values: dict[str, object]) -> str:
    """`statement` with every {{name}} replaced by str(values[name]); a missing value is an error."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"sql/{relative}: no value for {{{{{name}}}}}")
        return str(values[name])

    return _PLACEHOLDER.sub(one, statement)


def literal(text: str) -> str:
    """A SQL string literal (single quotes doubled), for values the code itself puts into SQL text."""
    return "'" + text.replace("'", "''") + "'"


def render(relative: str, **values: object) -> list[str]:
    """The statements of sql/<relative> with every {{name}} replaced by str(values[name]).

    Placeholders carry identifiers, literals and lists the engine builds from the contract and
    the run's files; a placeholder without a value is an error, never left in the SQL.
    """

    return [fill(s, relative, values) for s in statements(relative)]
