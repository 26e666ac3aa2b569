"""What an insights run produces: one Result per question (sql/insights/<name>.sql), in a Report.

Renderers (terminal table, markdown, JSON, HTML) only read these; they never query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Chart:
    """How the HTML report draws a result (and how the renderers lay out a heatmap-shaped one as a grid).

    kind:
      bar      one horizontal bar per row: label = the columns joined " - ", value[0] the length.
      line     x = a date column on the horizontal axis, one line per value column; a NULL value breaks
               the line (no value that day), it is neither drawn as 0 nor bridged.
      heatmap  x and y = the two category columns, value[0] the cell colour. Every renderer shows it as a
               grid of y rows by x columns (display.pivot).
      funnel   one group of bars per distinct `group` value, label = the step, value[0] the length.
    order/limit: rows are drawn sorted by `order` (ascending, rows where it is NULL are skipped),
    at most `limit` of them (bar charts only).
    Heatmaps only:
      missing   the value of a cell no row stands for: 0 where the answer leaves out zero counts (plays per
                hour), None where there is no value (a week before a cohort registered: drawn and shown
                empty).
      x_values, y_values  categories always on the axis, in this order, even without a row (hours 0..23);
                the rows' other categories follow, sorted.
      y_columns  columns with one value per y, shown next to it in the grid (a cohort's size).
      legend    what the colour measures, the title of the colour scale (default: the value column's label).
    """

    kind: str
    title: str
    value: tuple[str, ...]
    label: tuple[str, ...] = ()
    x: str = ""
    y: str = ""
    group: str = ""
    order: str = ""
    limit: int = 0
    missing: float | None = None
    x_values: tuple[Any, ...] = ()
    y_values: tuple[Any, ...] = ()
    y_columns: tuple[str, ...] = ()
    legend: str = ""


@dataclass(frozen=True)
class Result:
    name: str  # the file's stem: sql/insights/<name>.sql
    title: str  # a short heading
    purpose: str  # the file's one-line header
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    charts: tuple[Chart, ...] = ()
    # Per column, the column name whose formatting applies (a pivoted grid's cells format as the
    # value they hold); empty = each column formats as itself.
    formats: tuple[str, ...] = ()
    # Per column, its heading as shown (a grid's: categories); empty = each column's label (display.label).
    headers: tuple[str, ...] = ()

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Report:
    warehouse: str  # the warehouse URL, password masked
    start: dt.date | None  # the period (inclusive); None = from the first event
    end: dt.date | None  # None = to the last event
    generated_at: dt.datetime
    results: list[Result] = field(default_factory=list)

    def period(self) -> str:
        """The period as the renderers print it: "all data", or "2018-11-05 to 2018-11-11"."""
        if self.start is None and self.end is None:
            return "all data"
        start = self.start.isoformat() if self.start else "the first event"
        end = self.end.isoformat() if self.end else "the last event"
        return f"{start} to {end}"

    def result(self, name: str) -> Result:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)
