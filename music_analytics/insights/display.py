"""How an answer is shown: values, column headings, category names, grids and repaired text.

html.py (the page) and text.py (terminal, markdown, JSON) both read from here, so a figure, a heading or a grid
cell reads the same in the terminal, in a Prefect artifact and on the HTML page. JSON keeps the SQL column names
and raw values; everything else goes through label() and format_value().
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, Final

from .model import Chart, Result

RATE_COLUMNS = frozenset({"rate", "retention", "match_rate"})
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Column headings. A column not listed reads as its name in sentence case (rank_by_plays -> "Rank by plays");
# listed are the names that rule would garble: acronyms, units, abbreviations.
LABELS: Final[dict[str, str]] = {
    "dau": "DAU",
    "wau": "WAU",
    "mau": "MAU",
    "os": "OS",
    "hour": "Hour (UTC)",
    "avg_session_minutes": "Average session (minutes)",
    "avg_songs_per_session": "Average songs per session",
    "max_songs_per_session": "Most songs in a session",
}


def label(column: str) -> str:
    """A column's heading as shown in tables, axes and legends."""
    if column in LABELS:
        return LABELS[column]
    words = column.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def headers(result: Result) -> list[str]:
    """The headings of a result's table: its own (a grid's) or each column's label."""
    return list(result.headers) if result.headers else [label(c) for c in result.columns]


class _Blank:
    """A grid cell no row stands for, where the chart says there is no value (a week before a cohort
    registered): shown empty, which a NULL in a row (shown as a dash) is not."""

    def __repr__(self) -> str:
        return "BLANK"


BLANK: Final = _Blank()


def format_value(column: str, value: Any) -> str:
    """A value as shown in tables and tooltips: 1,234 / 3.14 / 45.7% (ratio columns) / 2018-11-05 / an em dash."""
    if value is BLANK:
        return ""
    if value is None:
        return "\u2014"
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, int | float | Decimal):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if is_rate(column):
        return f"{float(value):.1%}"
    # A Decimal with no fractional digits is an integer type in the database (PostgreSQL's SUM of bigint).
    if isinstance(value, int) or (isinstance(value, Decimal) and int(value.as_tuple().exponent) >= 0):
        return f"{int(value):,}"
    return f"{float(value):,.2f}"


def is_rate(column: str) -> bool:
    return column in RATE_COLUMNS or column.endswith("_rate")


def number(value: Any) -> float | None:
    """A drawable number, or None (NULL, text, a blank cell, NaN or infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def natural(value: Any) -> tuple[int, Any]:
    """Numbers numerically, then dates chronologically, then strings: 2 before 10, and no mixed-type TypeError."""
    n = number(value)
    if n is not None:
        return 0, n
    if isinstance(value, dt.date):
        return 1, value.isoformat()
    return 2, str(value)


def category(column: str, value: Any) -> str:
    # ISO weekdays (1 = Monday) are how the warehouse stores them; names read better on an axis.
    if column == "weekday" and isinstance(value, int) and 1 <= value <= 7:
        return WEEKDAYS[value - 1]
    return format_value(column, value)


def axis(declared: tuple[Any, ...], present: set[Any]) -> list[Any]:
    """A heatmap axis: the chart's declared categories in their order, then any others the rows hold."""
    return [*declared, *sorted(present - set(declared), key=natural)]


def missing_cell(chart: Chart) -> Any:
    """What a grid shows where no row stands: the chart's value for it (0 plays), else an empty cell."""
    return BLANK if chart.missing is None else chart.missing


def pivot(result: Result) -> Result:
    """A heatmap-shaped result (one row per x, y cell) as a grid: one row per y, one column per x.

    The terminal, markdown and the HTML page show the hour x weekday heatmap and the retention cohorts this way.
    Cells without a row follow the chart (Chart.missing): 0 plays, or empty before a cohort registered. The
    chart's y_columns (one value per y, like a cohort's size) follow the y label. Other results are returned
    unchanged.
    """
    chart = next((c for c in result.charts if c.kind == "heatmap"), None)
    if chart is None or not result.rows:
        return result
    records = result.records()
    value = chart.value[0]
    xs = axis(chart.x_values, {r[chart.x] for r in records})
    ys = axis(chart.y_values, {r[chart.y] for r in records})
    # The first row of a cell (or of a y) wins, as in the chart.
    cell: dict[tuple[Any, Any], Any] = {}
    per_y: dict[Any, tuple[Any, ...]] = {}
    for r in records:
        cell.setdefault((r[chart.y], r[chart.x]), r[value])
        per_y.setdefault(r[chart.y], tuple(r[c] for c in chart.y_columns))
    blank = missing_cell(chart)
    rows = [
        (category(chart.y, y), *per_y.get(y, (None,) * len(chart.y_columns)), *(cell.get((y, x), blank) for x in xs))
        for y in ys
    ]
    return Result(
        result.name,
        result.title,
        result.purpose,
        columns=(chart.y, *chart.y_columns, *(f"{chart.x}={x}" for x in xs)),
        rows=rows,
        # Each cell formats as the value it holds, so retention reads as percentages.
        formats=(chart.y, *chart.y_columns, *([value] * len(xs))),
        headers=(
            f"{label(chart.y)} \\ {label(chart.x)}",
            *(label(c) for c in chart.y_columns),
            *(category(chart.x, x) for x in xs),
        ),
    )


def repair_text(text: str) -> str:
    """Undo double-encoded UTF-8 (docs/insights.md, "Text as shown"): "BjÃ\\x83Â¶rk" -> "Björk".

    The real Sparkify logs hold names whose UTF-8 bytes were read as Latin-1 and encoded again (twice in the
    sample). While the text is all U+0000..U+00FF, holds a character of U+0080..U+00FF, and its Latin-1 bytes are
    valid UTF-8, it is replaced by that decoding (which always differs: a byte of 0x80 or more decodes only as part
    of a longer sequence). A correctly encoded name such as "Björk" stops the loop: its "ö" alone is not valid
    UTF-8.
    """
    while all(ord(c) <= 0xFF for c in text) and any(ord(c) >= 0x80 for c in text):
        try:
            text = text.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            break
    return text
