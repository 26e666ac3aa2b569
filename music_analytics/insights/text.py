"""The insights report as terminal tables, markdown or JSON (the HTML report is html.py).

All three read the same Report and show it the same way as the page (display.py: number formats,
column headings, heatmaps as grids), so the terminal, a Prefect artifact and the HTML page never
disagree about a figure. JSON keeps the SQL column names as keys.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from .display import format_value, headers, pivot
from .model import Report, Result

# Rows shown per question in the terminal and markdown (the HTML and JSON forms hold all rows).
MAX_ROWS = 30
_NUMERIC = (int, float)


def _cells(result: Result, limit: int | None) -> tuple[list[list[str]], int]:
    rows = result.rows if limit is None else result.rows[:limit]
    formats = result.formats or result.columns
    return (
        [[format_value(c, v) for c, v in zip(formats, row, strict=True)] for row in rows],
        len(result.rows) - len(rows),
    )


def _right_aligned(result: Result) -> list[bool]:
    return [
        any(isinstance(row[i], _NUMERIC) and not isinstance(row[i], bool) for row in result.rows)
        for i in range(len(result.columns))
    ]


def result_table(result: Result, limit: int | None = MAX_ROWS) -> str:
    """One result as an aligned plain-text table."""
    if not result.rows:
        return "(no data for this period)"
    result = pivot(result)
    cells, more = _cells(result, limit)
    right = _right_aligned(result)
    heads = headers(result)
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(heads)]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True))

    out = [line(heads), "  ".join("-" * w for w in widths), *(line(r) for r in cells)]
    if more:
        out.append(f"... {more:,} more rows (--format json or html for all)")
    return "\n".join(s.rstrip() for s in out)


def to_table(report: Report) -> str:
    parts = [f"Music Analytics insights: {report.warehouse}, {report.period()}"]
    for result in report.results:
        parts += ["", f"== {result.title} ({result.name}) ==", result.purpose, result_table(result)]
    return "\n".join(parts) + "\n"


def result_markdown(result: Result, limit: int | None = MAX_ROWS) -> str:
    """One result as a GitHub-flavoured markdown table (also what the Prefect artifacts hold)."""
    if not result.rows:
        return "_no data for this period_"
    result = pivot(result)
    cells, more = _cells(result, limit)
    right = _right_aligned(result)

    def escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    out = [
        "| " + " | ".join(escape(h) for h in headers(result)) + " |",
        "|" + "|".join("---:" if r else "---" for r in right) + "|",
        *("| " + " | ".join(escape(v) for v in row) + " |" for row in cells),
    ]
    if more:
        out.append(f"\n_... {more:,} more rows_")
    return "\n".join(out)


def to_markdown(report: Report, limit: int | None = MAX_ROWS) -> str:
    parts = [f"# Music Analytics insights\n\nWarehouse `{report.warehouse}`, {report.period()}."]
    for result in report.results:
        parts += [f"## {result.title}\n\n{result.purpose}\n\n{result_markdown(result, limit)}"]
    return "\n\n".join(parts) + "\n"


def json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    # run() hands over floats; a Report built elsewhere may still hold the database's NUMERIC.
    if isinstance(value, Decimal):
        return int(value) if int(value.as_tuple().exponent) >= 0 else float(value)
    return value


def to_json(report: Report) -> str:
    """Every row of every result, as records; dates and times in ISO 8601."""
    data = {
        "warehouse": report.warehouse,
        "start": json_value(report.start),
        "end": json_value(report.end),
        "generated_at": report.generated_at.isoformat(),
        "results": {
            r.name: {
                "title": r.title,
                "purpose": r.purpose,
                "columns": list(r.columns),
                "rows": [{c: json_value(v) for c, v in zip(r.columns, row, strict=True)} for row in r.rows],
            }
            for r in report.results
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
