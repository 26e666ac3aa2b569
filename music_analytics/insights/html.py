"""The insights report as one self-contained HTML page.

Design:
- A pure function of the Report: no I/O, no clock, no randomness, so a report renders to the same bytes every
  time (diffable, cacheable, testable).
- Self-contained: inline CSS and charts drawn here as inline SVG; nothing is fetched (no scripts, fonts or images
  from anywhere), so the page works offline, as an e-mail attachment or a stored Prefect artifact.
- Every string that comes from the data or the SQL files goes through html.escape: song titles contain <, & and
  quotes.
- Each chart reads its columns from the Chart spec (model.py). Every mark (class "mark") carries data-value and a
  <title> tooltip, so the exact numbers are one hover away and tests can check what was drawn. The full table
  follows the charts, so a chart is never the only place a number appears; a heatmap-shaped result's table is
  its grid (display.pivot), as in the terminal.
- Values, headings and grids come from display.py, shared with the terminal and markdown renderers. A missing
  value is never drawn as 0 unless the chart says it is 0: a NULL breaks a line, an empty heatmap cell has no
  mark.
- The one small script only annotates the DOM for the browser tests (how many marks the browser laid out, where
  each chart is, whether any two texts overlap); the page is complete without it.
- Text is not measured: label gutters are sized from an average glyph width, which keeps the module dependency
  free at the cost of a little slack around labels.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from .display import axis, category, format_value, headers, is_rate, label, missing_cell, natural, number, pivot
from .model import Chart, Report, Result

# format_value and natural moved to display.py with the rest of how values are shown; still importable here.
__all__ = ["BAR", "EMPTY", "PALETTE", "format_value", "natural", "render_html"]

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#9c755f", "#edc948")
BAR = PALETTE[0]
HEAT_LOW, HEAT_HIGH = (0xEE, 0xF3, 0xF8), (0x1F, 0x4E, 0x79)
EMPTY = "no data for this period"

WIDTH = 760  # fits the content column at 1:1, so fills are painted in their exact colour
ROW = 24
CHAR_PX = 6.8  # average glyph width at 12 px in the system fonts
MAX_LABEL = 40  # characters; longer labels are clipped, the tooltip keeps them whole

Row = dict[str, Any]


def render_html(report: Report) -> str:
    """The whole report: header, a table of contents, then one section per result, in order."""
    period = report.period()
    toc = "".join(f'<li><a href="#{escape(r.name)}">{escape(r.title)}</a></li>' for r in report.results)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Music Analytics insights \u00b7 {escape(period)}</title>",
            f"<style>{_CSS}</style></head><body>",
            '<header><h1>Music Analytics insights</h1><dl class="meta">',
            f"<dt>Warehouse</dt><dd>{escape(report.warehouse)}</dd>",
            f"<dt>Period</dt><dd>{escape(period)}</dd>",
            f"<dt>Generated</dt><dd>{escape(report.generated_at.isoformat(sep=' ', timespec='seconds'))}</dd></dl>",
            f"<nav><ol>{toc}</ol></nav></header>",
            "<main>",
            *(_section(r) for r in report.results),
            "</main>",
            f"<script>{_SCRIPT}</script>",
            "</body></html>",
            "",
        ]
    )


def _section(result: Result) -> str:
    parts = [
        f'<section class="insight" id="{escape(result.name)}">',
        f"<h2>{escape(result.title)}</h2>",
        f'<p class="purpose">{escape(result.purpose)}</p>',
    ]
    if result.rows:
        parts.extend(_figure(result, chart) for chart in result.charts)
        grid = pivot(result)
        parts.append(_table(grid, compact=grid is not result))
    else:
        parts.append(f'<p class="empty">{EMPTY}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _table(result: Result, compact: bool = False) -> str:
    numeric = [any(number(row[i]) is not None for row in result.rows) for i in range(len(result.columns))]
    head = "".join(f"<th{_num(n)}>{escape(h)}</th>" for h, n in zip(headers(result), numeric, strict=True))
    formats = result.formats or result.columns
    body = "\n".join(
        "<tr>"
        + "".join(
            f"<td{_num(n)}>{escape(format_value(c, v))}</td>" for c, v, n in zip(formats, row, numeric, strict=True)
        )
        + "</tr>"
        for row in result.rows
    )
    # A grid (24 hours wide) is set tighter so it fits the page without scrolling.
    table = '<table class="grid">' if compact else "<table>"
    return f'<div class="table-wrap">{table}<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table></div>'


def _num(numeric: bool) -> str:
    return ' class="num"' if numeric else ""


# --- charts ------------------------------------------------------------------------------------------------------


def _figure(result: Result, chart: Chart) -> str:
    draw = _DRAW.get(chart.kind)
    if draw is None:
        raise ValueError(f"{result.name}: chart {chart.title!r} has unknown kind {chart.kind!r}")
    _check_columns(result, chart)
    body = draw(result, chart)
    if body is None:
        svg = f'<p class="empty">{EMPTY}</p>'
    else:
        content, height = body
        svg = (
            f'<svg class="chart chart-{chart.kind}" data-chart="{chart.kind}" role="img" '
            f'aria-label="{escape(chart.title)}" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" '
            f'height="{height:.0f}">\n{content}\n</svg>'
        )
    return f"<figure><figcaption>{escape(chart.title)}</figcaption>\n{svg}\n</figure>"


def _check_columns(result: Result, chart: Chart) -> None:
    required = {"line": (chart.x,), "heatmap": (chart.x, chart.y)}.get(chart.kind, ())
    named = (*chart.value, *chart.label, chart.x, chart.y, chart.group, chart.order, *chart.y_columns)
    unknown = [c for c in named if c and c not in result.columns]
    if not chart.value or unknown or not all(required):
        raise ValueError(
            f"{result.name}: chart {chart.title!r} needs value columns (and x/y for its kind) among "
            f"{result.columns}; unknown: {unknown}"
        )


def _rows(result: Result, chart: Chart) -> list[Row]:
    rows = result.records()
    if chart.order:
        rows = sorted((r for r in rows if r[chart.order] is not None), key=lambda r: natural(r[chart.order]))
    if chart.kind == "bar" and chart.limit > 0:
        rows = rows[: chart.limit]
    return rows


def _bar(result: Result, chart: Chart) -> tuple[str, float] | None:
    column = chart.value[0]
    bars = [(_label(chart, r), n, r[column]) for r in _rows(result, chart) if (n := number(r[column])) is not None]
    if not bars:
        return None
    gutter = _gutter(name for name, _, _ in bars)
    plot = WIDTH - gutter - 80
    ticks = _ticks(0, max(n for _, n, _ in bars))
    axis_y = 4 + len(bars) * ROW + 4
    out = _x_grid(ticks, gutter, plot, 4, axis_y, column)
    for i, (name, n, raw) in enumerate(bars):
        y = 4 + i * ROW
        length = max(n, 0) / ticks[-1] * plot
        out.append(_text(gutter - 8, y + 16, _clip(name), "end"))
        out.append(_rect(gutter, y + 4, length, ROW - 8, BAR, n, f"{name}: {format_value(column, raw)}"))
        out.append(_text(gutter + length + 6, y + 16, format_value(column, raw), cls="value"))
    return "\n".join(out), axis_y + 22


def _funnel(result: Result, chart: Chart) -> tuple[str, float] | None:
    column = chart.value[0]
    groups: dict[Any, list[tuple[str, float, Row]]] = {}
    for r in _rows(result, chart):
        if (n := number(r[column])) is not None:
            groups.setdefault(r[chart.group] if chart.group else None, []).append((_label(chart, r), n, r))
    if not groups:
        return None
    gutter = _gutter(name for steps in groups.values() for name, _, _ in steps)
    plot = WIDTH - gutter - 140
    out: list[str] = []
    y = 0.0
    for g, (group, steps) in enumerate(groups.items()):
        colour = PALETTE[g % len(PALETTE)]
        if chart.group:
            out.append(_text(0, y + 16, format_value(chart.group, group), cls="group"))
            y += ROW
        # Each funnel is scaled to its own largest step, so bar lengths read as conversion from that step.
        top = max(max(n for _, n, _ in steps), 0) or 1
        for name, n, r in steps:
            length = max(n, 0) / top * plot
            shown = format_value(column, r[column])
            if "rate" in r and r["rate"] is not None:
                shown += f" \u00b7 {format_value('rate', r['rate'])}"
            out.append(_text(gutter - 8, y + 16, _clip(name), "end"))
            out.append(_rect(gutter, y + 4, length, ROW - 8, colour, n, f"{name}: {shown}"))
            out.append(_text(gutter + length + 6, y + 16, shown, cls="value"))
            y += ROW
        y += 8
    return "\n".join(out), y


def _line(result: Result, chart: Chart) -> tuple[str, float] | None:
    rows = [r for r in _rows(result, chart) if r[chart.x] is not None]
    keys = [k for r in rows if (k := _position(r[chart.x])) is not None]
    if len(keys) < len(rows):
        keys = [float(i) for i in range(len(rows))]  # not dates or numbers: categories, in the query's order
    points = sorted(zip(keys, rows, strict=True), key=lambda p: p[0])
    # Per value column, the runs of consecutive points that have a value: a NULL (a day without plays has no
    # match rate) ends a run, so the line breaks there instead of dropping to 0 or bridging the gap.
    series: list[list[list[tuple[float, float, Row]]]] = []
    for c in chart.value:
        runs: list[list[tuple[float, float, Row]]] = [[]]
        for k, r in points:
            if (n := number(r[c])) is not None:
                runs[-1].append((k, n, r))
            elif runs[-1]:
                runs.append([])
        series.append([run for run in runs if run])
    values = [n for runs_ in series for run in runs_ for _, n, _ in run]
    if not values:
        return None
    ticks = _ticks(min(0.0, *values), max(values))
    gutter = _gutter(_tick_label(chart.value[0], t) for t in ticks)
    top, plot_h, plot_w = 34.0, 220.0, WIDTH - gutter - 16
    low, high = min(keys), max(keys)

    def sx(k: float) -> float:
        return gutter + (plot_w / 2 if high == low else (k - low) / (high - low) * plot_w)

    def sy(n: float) -> float:
        return top + plot_h - (n - ticks[0]) / (ticks[-1] - ticks[0]) * plot_h

    out = []
    for t in ticks:
        out.append(_grid(gutter, sy(t), gutter + plot_w, sy(t)))
        out.append(_text(gutter - 6, sy(t) + 4, _tick_label(chart.value[0], t), "end", "axis"))
    # Left to right, a date label is drawn only where it clears the previous one; all stay within the chart.
    last_end = -math.inf
    for k, text in sorted({(k, format_value(chart.x, r[chart.x])) for k, r in points}):
        half = len(text) * CHAR_PX / 2
        x = min(max(sx(k), gutter + half), WIDTH - half)
        if x - half >= last_end + 12:
            out.append(_text(x, top + plot_h + 18, text, "middle", "axis"))
            last_end = x + half
    legend_x = float(gutter)
    for i, (column, runs_) in enumerate(zip(chart.value, series, strict=True)):
        colour, name = PALETTE[i % len(PALETTE)], label(column)
        out.append(
            f'<line x1="{legend_x:.1f}" x2="{legend_x + 18:.1f}" y1="12" y2="12" stroke="{colour}" stroke-width="3"/>'
        )
        out.append(_text(legend_x + 24, 16, name, cls="legend"))
        legend_x += 24 + len(name) * CHAR_PX + 20
        if not runs_:
            continue
        # One path per series, one subpath per run: a single mark whose gaps are the NULLs.
        path = " ".join("M" + " L".join(f"{sx(k):.1f},{sy(n):.1f}" for k, n, _ in run) for run in runs_)
        drawn = [p for run in runs_ for p in run]
        last = drawn[-1]
        out.append(
            f'<path class="mark" d="{path}" fill="none" stroke="{colour}" stroke-width="2" '
            f'stroke-linejoin="round" data-series="{escape(column)}" data-runs="{len(runs_)}" '
            f'data-value="{_data(last[1])}"><title>{escape(name)}: {len(drawn)} points, last '
            f"{escape(format_value(column, last[2][column]))}</title></path>"
        )
        dense = " dense" if len(drawn) > 60 else ""
        out.extend(
            f'<circle class="point{dense}" cx="{sx(k):.1f}" cy="{sy(n):.1f}" r="3" fill="{colour}" '
            f'data-value="{_data(n)}"><title>{escape(format_value(chart.x, r[chart.x]))} '
            f"{escape(name)}: {escape(format_value(column, r[column]))}</title></circle>"
            for k, n, r in drawn
        )
    return "\n".join(out), top + plot_h + 28


def _heatmap(result: Result, chart: Chart) -> tuple[str, float] | None:
    column = chart.value[0]
    cells: dict[tuple[Any, Any], Row] = {}
    for r in _rows(result, chart):
        if r[chart.x] is not None and r[chart.y] is not None:
            cells.setdefault((r[chart.x], r[chart.y]), r)
    if not cells:
        return None
    xs = axis(chart.x_values, {x for x, _ in cells})
    ys = axis(chart.y_values, {y for _, y in cells})
    x_labels = [category(chart.x, x) for x in xs]
    y_labels = [category(chart.y, y) for y in ys]
    x_title, y_title, measure = label(chart.x), label(chart.y), chart.legend or label(column)
    drawable = [r[column] for r in cells.values() if number(r[column]) is not None]
    hottest_raw = max(drawable, key=lambda v: number(v) or 0.0, default=0)
    hottest = max(number(hottest_raw) or 0.0, 0.0)
    # The row's other columns go into the tooltip (retention: weeks since registration, cohort size, users).
    others = [c for c in result.columns if c not in (chart.x, chart.y, column)]
    gutter = _gutter([*y_labels, y_title])
    top, cell_h = 22.0, 22.0
    cell_w = min(56.0, (WIDTH - gutter - 8) / len(xs))
    bottom = top + len(ys) * cell_h
    out = [_text(gutter - 8, 14, y_title, "end", "axis axis-title")]
    for j, (y, y_label) in enumerate(zip(ys, y_labels, strict=True)):
        out.append(_text(gutter - 8, top + j * cell_h + 15, y_label, "end", "axis"))
        for i, (x, x_label) in enumerate(zip(xs, x_labels, strict=True)):
            row = cells.get((x, y))
            raw = row[column] if row is not None else missing_cell(chart)
            n = number(raw)
            if n is None:
                continue  # no value (Chart.missing None, or NULL): the cell stays empty, it is not 0
            tip = f"{y_title} {y_label}, {x_title} {x_label}: {format_value(column, raw)}"
            if row is not None:
                tip += "".join(f" \u00b7 {label(c)} {format_value(c, row[c])}" for c in others)
            out.append(
                _rect(
                    gutter + i * cell_w,
                    top + j * cell_h,
                    cell_w - 1,
                    cell_h - 1,
                    _heat(n / hottest if hottest > 0 else 0.0),
                    n,
                    tip,
                )
            )
    every = max(1, math.ceil((max(len(text) for text in x_labels) * CHAR_PX + 6) / cell_w))
    for i in range(0, len(xs), every):
        out.append(_text(gutter + (i + 0.5) * cell_w, bottom + 14, x_labels[i], "middle", "axis"))
    out.append(_text(gutter + len(xs) * cell_w / 2, bottom + 32, x_title, "middle", "axis axis-title"))
    # The colour scale has a row of its own, titled with what the colour measures: next to the x axis' title
    # it read as a scale of hours.
    scale_y = bottom + 56
    out.append(f'<g class="colour-scale" data-measure="{escape(measure)}">')
    out.append(_text(gutter, scale_y, measure, cls="legend"))
    scale_x = gutter + len(measure) * CHAR_PX + 12
    low = format_value(column, 0)
    out.append(_text(scale_x, scale_y, low, cls="axis"))
    scale_x += len(low) * CHAR_PX + 6
    for s in range(5):
        out.append(
            f'<rect class="legend" x="{scale_x + s * 16:.1f}" y="{scale_y - 9:.1f}" width="16" height="10" '
            f'fill="{_heat(s / 4)}"/>'
        )
    out.append(
        _text(scale_x + 5 * 16 + 6, scale_y, format_value(column, hottest_raw if hottest > 0 else 0), cls="axis")
    )
    out.append("</g>")
    return "\n".join(out), scale_y + 8


_DRAW: dict[str, Callable[[Result, Chart], tuple[str, float] | None]] = {
    "bar": _bar,
    "line": _line,
    "heatmap": _heatmap,
    "funnel": _funnel,
}


# --- helpers -----------------------------------------------------------------------------------------------------


def _position(value: Any) -> float | None:
    """Where an x value sits on a time axis, in days; None when it is not a date, a number or an ISO date string."""
    if isinstance(value, dt.datetime):
        return value.toordinal() + (value - value.replace(hour=0, minute=0, second=0, microsecond=0)) / dt.timedelta(1)
    if isinstance(value, dt.date):
        return float(value.toordinal())
    if isinstance(value, str):
        try:
            return float(dt.date.fromisoformat(value).toordinal())
        except ValueError:
            return None
    return number(value)


def _label(chart: Chart, row: Row) -> str:
    return " - ".join(format_value(c, row[c]) for c in chart.label)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from at or below `low` to at or above `high` (steps of 1, 2, 2.5 or 5 times 10^k)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9) * step
    return [round(first + i * step, 10) for i in range(math.ceil((high - first) / step - 1e-9) + 1)]


def _tick_label(column: str, value: float) -> str:
    if is_rate(column):
        return f"{value:.0%}"
    # Thousands are abbreviated from 10,000 on (5,000 reads fine as it is).
    for threshold, size, suffix in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / size:g}{suffix}"
    return f"{value:,g}"


def _x_grid(ticks: list[float], left: float, width: float, top: float, bottom: float, column: str) -> list[str]:
    out = []
    for t in ticks:
        x = left + t / ticks[-1] * width
        out.append(_grid(x, top, x, bottom))
        out.append(_text(x, bottom + 14, _tick_label(column, t), "middle", "axis"))
    return out


def _grid(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line class="grid" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'


def _gutter(texts: Iterable[str]) -> float:
    return 12 + CHAR_PX * min(max((len(text) for text in texts), default=0), MAX_LABEL)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "\u2026"


def _heat(t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    return "#" + "".join(f"{round(lo + (hi - lo) * t):02x}" for lo, hi in zip(HEAT_LOW, HEAT_HIGH, strict=True))


def _data(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _rect(x: float, y: float, width: float, height: float, fill: str, value: float, tip: str) -> str:
    return (
        f'<rect class="mark" x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{height:.1f}" '
        f'fill="{fill}" data-value="{_data(value)}"><title>{escape(tip)}</title></rect>'
    )


def _text(x: float, y: float, text: str, anchor: str = "start", cls: str = "") -> str:
    attrs = (f' text-anchor="{anchor}"' if anchor != "start" else "") + (f' class="{cls}"' if cls else "")
    return f'<text x="{x:.1f}" y="{y:.1f}"{attrs}>{escape(text)}</text>'


_CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --page: #f5f7fa; --accent: #4e79a7; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main { max-width: 880px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 32px; }
h1 { font-size: 26px; margin: 0 0 12px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; color: var(--muted); }
.meta dt { font-weight: 600; }
.meta dd { margin: 0; overflow-wrap: anywhere; }
nav ol { columns: 2; margin: 16px 0 0; padding-left: 20px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.insight { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 20px 24px; margin: 20px 0; }
h2 { font-size: 19px; margin: 0 0 4px; }
.purpose { color: var(--muted); margin: 0 0 16px; }
figure { margin: 0 0 20px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg.chart { display: block; width: 100%; max-width: 760px; height: auto; overflow: visible; }
svg.chart text { fill: var(--ink); font-size: 12px; }
svg.chart text.axis { fill: var(--muted); font-size: 11px; }
svg.chart text.axis-title { fill: var(--ink); font-weight: 600; }
svg.chart text.value { fill: var(--muted); }
svg.chart text.group { font-weight: 600; }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .mark:hover, svg.chart .point:hover { opacity: .75; }
svg.chart .point.dense { opacity: 0; }
svg.chart .point.dense:hover { opacity: 1; }
.empty { color: var(--muted); font-style: italic; }
.table-wrap { max-height: 420px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; text-align: left; border-bottom: 1px solid var(--line); }
th { position: sticky; top: 0; background: #f1f3f5; font-weight: 600; vertical-align: bottom; }
tbody tr:nth-child(even) { background: #fafbfc; }
.num { text-align: right; white-space: nowrap; }
th.num { white-space: normal; }
table.grid { font-size: 11px; }
table.grid th, table.grid td { padding: 3px 4px; }
@media print {
  body { background: #fff; }
  .table-wrap { max-height: none; overflow: visible; }
  .insight { break-inside: avoid-page; }
}
"""

_SCRIPT = """
addEventListener("load", () => {
  for (const svg of document.querySelectorAll("svg.chart")) {
    const marks = [...svg.querySelectorAll(".mark")].filter((m) => {
      const box = m.getBBox();
      return box.width > 0 || box.height > 0;
    });
    svg.dataset.renderedMarks = String(marks.length);
    const box = svg.getBoundingClientRect();
    svg.dataset.box = [box.left + scrollX, box.top + scrollY, box.width, box.height].map(Math.round).join(",");
    const texts = [...svg.querySelectorAll("text")].map((t) => t.getBoundingClientRect());
    let overlaps = 0;
    texts.forEach((a, i) => texts.slice(i + 1).forEach((b) => {
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps += 1;
    }));
    svg.dataset.overlappingTexts = String(overlaps);
  }
  document.body.dataset.pageHeight = String(document.documentElement.scrollHeight);
  document.body.dataset.rendered = "yes";
});
"""
