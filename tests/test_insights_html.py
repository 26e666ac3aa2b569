"""The HTML insights report, opened in real headless Chromium: charts painted, marks laid out, text escaped.

One Chromium run takes the screenshot (decoded here with a stdlib PNG reader, to count painted pixels and look at
single ones), one dumps the DOM after the page's script counted the marks with a real layout (getBBox), recorded
where each chart was laid out (so a point of a chart is a pixel of the screenshot: both runs use one window size)
and counted overlapping texts. Everything else is checked on the HTML string without a browser.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from html.parser import HTMLParser
from typing import Any

import pytest

from music_analytics.insights import QUESTIONS
from music_analytics.insights.html import BAR, EMPTY, HEAT_LOW, PALETTE, format_value, render_html
from music_analytics.insights.model import Chart, Report, Result
from tests.browser import CHROMIUM_FLAGS, decode_png_pixels, rgb

WINDOW = (1280, 6400)
TITLE = "Halo <b>&'\" Beyoncé"  # markup, entities, both quotes and non-ASCII, as a song title may have
FIRST = dt.date(2018, 11, 1)
DAYS = [FIRST + dt.timedelta(d) for d in range(30)]
EMPTY_DAY = 14  # 2018-11-15: no event, so 0 plays and no match rate
COHORTS = [dt.date(2018, 10, 29) + dt.timedelta(7 * c) for c in range(4)]  # Mondays
WHITE, HEAT_ZERO = (255, 255, 255), HEAT_LOW

# aria-label of each chart -> how many marks it must lay out.
EXPECTED_MARKS = {
    "Top songs by plays": 10,  # 12 rows, limit 10
    "Top songs by minutes": 9,  # 3 rows have no rank_by_minutes
    "Plays by weekday and hour (UTC)": 7 * 24,  # 5 cells missing, drawn as 0 plays
    "Plays per day": 1,  # one path, down to 0 on the empty day
    "Active users": 3,  # one line per series
    "Funnels": 6,  # three funnels of two steps; the empty one draws zero-length bars
    "Share of each cohort active per week": 10,  # a triangle of 10 cells in a 4 x 4 grid; the rest stay empty
    "Share of plays matched to a catalogue song": 1,  # one path, broken on the empty day
}


def charts(name: str) -> tuple[Chart, ...]:
    """The report's own chart specs (QUESTIONS): what missing cells mean is part of them, not of this test."""
    return next(q.charts for q in QUESTIONS if q.name == name)


def sample_report() -> Report:
    songs = [
        (TITLE, "Beyoncé"),
        ("Olvidalo", "Café Tacvba"),
        ("Revelry", "Kings Of Leon"),
        ("Undo", "Björk"),
        ("Yellow", "Coldplay"),
        ("Fix You", "Coldplay"),
        ("Secrets", "OneRepublic"),
        ("Use Somebody", "Kings Of Leon"),
        ("Canada", "Five Iron Frenzy"),
        ("Invalid", "Tub Ring"),
        ("Horn Concerto No. 4 in E flat K495: II. Romance (Andante cantabile)", "Barry Tuckwell"),
        ("Sehr kosmisch", "Harmonia"),
    ]
    minute_ranks = [2, 1, 4, 3, 6, 5, 8, 7, 9, None, None, None]
    top_rows = [
        (i + 1, minute_ranks[i], song, artist, 120 - 9 * i, Decimal(f"{480 - 31.5 * i:.2f}"), 40 - 2 * i)
        for i, (song, artist) in enumerate(songs)
    ]
    heat_rows = [
        (wd, hour, 5 + (wd * 7 + hour * 3) % 40)
        for wd in range(1, 8)
        for hour in range(24)
        if (wd, hour) not in {(1, 3), (2, 4), (3, 5), (6, 2), (7, 23)}
    ]
    daily_rows = [
        (
            day,
            0 if d == EMPTY_DAY else 100 + 7 * (d % 5),
            0.0 if d == EMPTY_DAY else 400.0 + d,
            0 if d == EMPTY_DAY else 20,
        )
        for d, day in enumerate(DAYS)
    ]
    match_rows = [
        (day, 0, 0, None) if d == EMPTY_DAY else (day, 100, 40 + d % 3, (40 + d % 3) / 100)
        for d, day in enumerate(DAYS)
    ]
    active_rows = [(day, 20 + d % 7, 60 + d, 90 + 2 * d) for d, day in enumerate(DAYS)]
    funnel_rows: list[tuple[Any, ...]] = [
        ("upgrade", 1, "Upgrade", 40, 1.0),
        ("upgrade", 2, "Submit Upgrade", 18, 0.45),
        ("downgrade", 1, "Downgrade", 30, 1.0),
        ("downgrade", 2, "Submit Downgrade", 12, 0.4),
        ("cancel", 1, "Cancel", 0, None),
        ("cancel", 2, "Cancellation Confirmation", 0, None),
    ]
    # Cohort c has a row for each week from its own on; the first cohort's last week had nobody active (0%).
    retention_rows = [
        (cohort, COHORTS[w], w - c, 50, active, active / 50)
        for c, cohort in enumerate(COHORTS)
        for w in range(c, 4)
        for active in ((0 if (c, w) == (0, 3) else 50 - 10 * (w - c)),)
    ]
    return Report(
        warehouse="postgresql://analyst:***@warehouse.internal:5432/sparkify",
        start=FIRST,
        end=DAYS[-1],
        generated_at=dt.datetime(2018, 12, 1, 6, 30, tzinfo=dt.UTC),
        results=[
            Result(
                "top_songs",
                "Top songs",
                "Songs in the top 10 by plays or by minutes",
                ("rank_by_plays", "rank_by_minutes", "song", "artist", "plays", "minutes", "listeners"),
                top_rows,
                (
                    Chart("bar", "Top songs by plays", ("plays",), ("song", "artist"), order="rank_by_plays", limit=10),
                    Chart(
                        "bar",
                        "Top songs by minutes",
                        ("minutes",),
                        ("song", "artist"),
                        order="rank_by_minutes",
                        limit=10,
                    ),
                ),
            ),
            Result(
                "listening_heatmap",
                "When people listen",
                "Plays per ISO weekday and UTC hour",
                ("weekday", "hour", "plays"),
                heat_rows,
                charts("listening_heatmap"),
            ),
            Result(
                "daily_listening",
                "Listening per day",
                "Plays per day of the period",
                ("day", "plays", "minutes", "listeners"),
                daily_rows,
                charts("daily_listening"),
            ),
            Result(
                "retention",
                "Retention",
                "Weekly retention by registration cohort",
                (
                    "cohort_week",
                    "activity_week",
                    "weeks_since_registration",
                    "cohort_users",
                    "active_users",
                    "retention",
                ),
                retention_rows,
                charts("retention"),
            ),
            Result(
                "match_rate",
                "Catalogue match rate",
                "Plays matched to a catalogue song, per day",
                ("day", "plays", "matched_plays", "match_rate"),
                match_rows,
                charts("match_rate"),
            ),
            Result(
                "active_users",
                "Active users",
                "Daily, weekly and monthly active users",
                ("day", "dau", "wau", "mau"),
                active_rows,
                (Chart("line", "Active users", ("dau", "wau", "mau"), x="day"),),
            ),
            Result(
                "funnels",
                "Funnels",
                "Upgrade, downgrade and cancel funnels",
                ("funnel", "step", "page", "users", "rate"),
                funnel_rows,
                (Chart("funnel", "Funnels", ("users",), ("page",), group="funnel"),),
            ),
            Result(
                "plays_by_device",
                "Listening by device",
                "Plays per browser and OS",
                ("browser", "os", "listeners", "plays"),
                [],
                charts("plays_by_device"),
            ),
        ],
    )


# --- in the browser ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    html: str
    dom: Dom
    png: Png


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Opened:
    tmp = tmp_path_factory.mktemp("insights_html")
    page = tmp / "report.html"
    html = render_html(sample_report())
    page.write_text(html, encoding="utf-8")
    png = tmp / "report.png"

    def open_page(name: str, *args: str) -> str:
        proc = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp / name}", *args, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    # The same window for both runs, so the chart positions the DOM reports are the screenshot's pixels.
    window = f"--window-size={WINDOW[0]},{WINDOW[1]}"
    open_page("shot", f"--screenshot={png}", window)
    dom = Dom()
    dom.feed(open_page("dom", "--dump-dom", "--virtual-time-budget=2000", window))
    return Opened(html, dom, Png.decode(png.read_bytes()))


def test_charts_are_painted(opened: Opened) -> None:
    png = opened.png
    assert (png.width, png.height) == WINDOW
    colours = png.colours()
    assert colours[rgb(BAR)] > 20_000, "the bars of the two top-songs charts"
    assert colours[rgb(PALETTE[1])] > 1_000, "the second funnel's bars"
    heat = re.search(r'aria-label="Plays by weekday and hour \(UTC\)".*?</svg>', opened.html, re.S)
    assert heat is not None
    fills = {rgb(f) for f in re.findall(r'<rect class="mark"[^>]* fill="(#[0-9a-f]{6})"', heat.group())}
    assert sum(colours[f] for f in fills) > 7 * 24 * 200, "every heatmap cell painted (about 26 x 21 px each)"
    assert len(colours) > 20, "text and charts, not a blank page"
    assert opened.dom.body["data-page-height"] and int(opened.dom.body["data-page-height"]) <= WINDOW[1], (
        "the whole page is in the screenshot"
    )


def test_every_mark_is_laid_out_and_text_stays_text(opened: Opened) -> None:
    dom = opened.dom
    assert dom.body.get("data-rendered") == "yes"
    marks = {svg.attrs["aria-label"]: int(svg.attrs["data-rendered-marks"]) for svg in dom.svgs}
    assert marks == EXPECTED_MARKS
    assert {svg.attrs["data-chart"] for svg in dom.svgs} == {"bar", "heatmap", "line", "funnel"}
    assert dom.tags["b"] == 0, "the <b> in a song title must be text, not markup"
    assert TITLE in dom.text
    assert "Café Tacvba" in dom.text
    assert EMPTY in dom.text
    overlapping = {svg.attrs["aria-label"]: svg.attrs["data-overlapping-texts"] for svg in dom.svgs}
    assert set(overlapping.values()) == {"0"}, f"texts drawn over each other: {overlapping}"


def test_heatmap_colour_scales_say_what_the_colour_measures(opened: Opened) -> None:
    """The scale is titled with the measure, on a row of its own; the axis titles stay axis titles."""
    for title, measure, axes, ends in (
        ("Plays by weekday and hour (UTC)", "Plays", ["Weekday", "Hour (UTC)"], ["0", "44"]),
        (
            "Share of each cohort active per week",
            "Share of the cohort active",
            ["Cohort week", "Activity week"],
            ["0.0%", "100.0%"],
        ),
    ):
        svg = opened.dom.svg(title)
        assert svg.texts("axis-title") == axes, title
        scale = svg.group_texts("colour-scale")
        assert scale == [measure, *ends], title
        assert not set(axes) & set(scale), f"{title}: an axis title inside the colour scale"


def test_retention_weeks_before_a_cohort_registered_are_empty(opened: Opened) -> None:
    """No mark and no colour where a cohort had not registered yet; a week with nobody active is a 0% cell."""
    svg = opened.dom.svg("Share of each cohort active per week")
    cells = svg.cells()  # (y label, x label) -> the mark's box, in the svg's coordinates
    assert len(cells) == 10
    weeks = [w.isoformat() for w in COHORTS]
    assert set(cells) == {(weeks[c], weeks[w]) for c in range(4) for w in range(c, 4)}
    zero = cells[(weeks[0], weeks[3])]
    assert opened.png.at(svg.page(*zero.centre)) == HEAT_ZERO, "0% is the scale's lowest colour"
    for c in range(1, 4):
        for w in range(c):
            # The empty cell sits in cohort c's row and week w's column of the laid-out grid.
            x, y = cells[(weeks[0], weeks[w])].centre[0], cells[(weeks[c], weeks[c])].centre[1]
            assert opened.png.at(svg.page(x, y)) == WHITE, f"cohort {weeks[c]}, week {weeks[w]} painted"
    grid = opened.dom.table("retention")
    assert grid.head == ["Cohort week \\ Activity week", "Cohort users", *weeks]
    assert grid.rows == [
        [weeks[0], "50", "100.0%", "80.0%", "60.0%", "0.0%"],
        [weeks[1], "50", "", "100.0%", "80.0%", "60.0%"],
        [weeks[2], "50", "", "", "100.0%", "80.0%"],
        [weeks[3], "50", "", "", "", "100.0%"],
    ]


def test_a_day_without_data_shows_as_zero_and_breaks_a_ratio_line(opened: Opened) -> None:
    """Plays drop to 0 on the empty day (its row is there); the match rate has no value that day, so its line
    stops and starts again instead of being drawn at 0 or straight across."""
    daily = opened.dom.svg("Plays per day")
    points = daily.points()
    assert len(points) == 30
    x0, y0, value = points[EMPTY_DAY]
    assert value == "0" and y0 == max(y for _, y, _ in points), "the empty day is the lowest point"
    assert opened.png.bluish(daily.page(x0, y0)), "the line reaches 0 on the empty day"
    assert daily.attrs_of("path", "mark")[0]["data-runs"] == "1"

    rate = opened.dom.svg("Share of plays matched to a catalogue song")
    points = rate.points()
    assert len(points) == 29, "no point on the empty day"
    assert rate.attrs_of("path", "mark")[0]["data-runs"] == "2"
    before, after = points[EMPTY_DAY - 1], points[EMPTY_DAY]
    gap_x = (before[0] + after[0]) / 2
    top, bottom = 34, 254  # the plot area
    column = [rate.page(gap_x + dx, y) for dx in (-2, -1, 0, 1, 2) for y in range(top, bottom)]
    assert not any(opened.png.bluish(p) for p in column), "the line is drawn across the empty day"
    # The same probe between two days with a value does cross the line: the test can see one.
    x = (points[3][0] + points[4][0]) / 2
    assert any(opened.png.bluish(rate.page(x, y)) for y in range(top, bottom))


def test_heatmap_shaped_tables_are_grids(opened: Opened) -> None:
    grid = opened.dom.table("listening_heatmap")
    assert grid.head == ["Weekday \\ Hour (UTC)", *map(str, range(24))]
    assert [r[0] for r in grid.rows] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert grid.rows[0][1:5] == ["12", "15", "18", "0"], "Monday 3h has no row: 0 plays"
    assert sum(int(n) for r in grid.rows for n in r[1:]) == sum(
        r[2] for r in sample_report().result("listening_heatmap").rows
    )


def test_table_headers_are_labels(opened: Opened) -> None:
    assert opened.dom.table("top_songs").head == [
        "Rank by plays",
        "Rank by minutes",
        "Song",
        "Artist",
        "Plays",
        "Minutes",
        "Listeners",
    ]
    assert opened.dom.table("active_users").head == ["Day", "DAU", "WAU", "MAU"]
    assert opened.dom.table("match_rate").head == ["Day", "Plays", "Matched plays", "Match rate"]
    assert opened.dom.table("match_rate").rows[EMPTY_DAY] == ["2018-11-15", "0", "0", "\u2014"]
    assert opened.dom.svg("Active users").texts("legend") == ["DAU", "WAU", "MAU"]


@dataclass
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    group: str  # the class of the <g> it is in, if any
    text: str = ""


@dataclass
class Svg:
    attrs: dict[str, str]
    elements: list[Element] = field(default_factory=list)

    def texts(self, cls: str) -> list[str]:
        return [e.text for e in self.elements if e.tag == "text" and cls in e.attrs.get("class", "").split()]

    def group_texts(self, group: str) -> list[str]:
        return [e.text for e in self.elements if e.tag == "text" and e.group == group]

    def attrs_of(self, tag: str, cls: str) -> list[dict[str, str]]:
        return [e.attrs for e in self.elements if e.tag == tag and cls in e.attrs.get("class", "").split()]

    def cells(self) -> dict[tuple[str, str], Box]:
        """A heatmap's marks by their tooltip's (y, x) categories ("Cohort week A, Activity week B: ...")."""
        out = {}
        for e in self.elements:
            if e.tag == "rect" and e.attrs.get("class") == "mark":
                y_part, x_part = e.text.split(":", 1)[0].split(", ")
                out[(y_part.rsplit(" ", 1)[1], x_part.rsplit(" ", 1)[1])] = Box(
                    *(float(e.attrs[k]) for k in ("x", "y", "width", "height"))
                )
        return out

    def points(self) -> list[tuple[float, float, str]]:
        return [(float(a["cx"]), float(a["cy"]), a["data-value"]) for a in self.attrs_of("circle", "point")]

    def page(self, x: float, y: float) -> tuple[int, int]:
        """A point of the chart in page pixels (the charts are drawn at 1:1 in the 1280 px window)."""
        left, top, width, _ = (int(n) for n in self.attrs["data-box"].split(","))
        assert width == int(self.attrs["width"]), "the chart is not drawn at 1:1"
        return math.floor(left + x), math.floor(top + y)


@dataclass
class Table:
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


class Dom(HTMLParser):
    """The DOM Chromium dumped: body attributes, each chart's elements, each section's table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.body: dict[str, str] = {}
        self.svgs: list[Svg] = []
        self.tables: dict[str, Table] = {}
        self.tags: Counter[str] = Counter()
        self.chunks: list[str] = []
        self._section = ""
        self._in_svg = False
        self._groups: list[str] = []
        self._element: Element | None = None
        self._cell: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        values = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.body = values
        elif tag == "section":
            self._section = values.get("id", "")
        elif tag == "svg":
            self.svgs.append(Svg(values))
            self._in_svg = True
        elif self._in_svg and tag == "g":
            self._groups.append(values.get("class", ""))
        elif self._in_svg and tag in ("text", "rect", "circle", "path"):
            self._element = Element(tag, values, self._groups[-1] if self._groups else "")
            self.svgs[-1].elements.append(self._element)
        elif tag == "table":
            self.tables[self._section] = Table()
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head and self._section in self.tables:
            self.tables[self._section].rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in_svg = False
        elif tag == "g" and self._in_svg and self._groups:
            self._groups.pop()
        elif tag in ("th", "td") and self._cell is not None:
            table = self.tables[self._section]
            (table.head if self._in_head else table.rows[-1]).append("".join(self._cell))
            self._cell = None
        elif tag == "thead":
            self._in_head = False
        elif self._element is not None and tag == self._element.tag:
            self._element = None

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        if self._element is not None:
            self._element.text += data
        if self._cell is not None:
            self._cell.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def svg(self, label: str) -> Svg:
        return next(s for s in self.svgs if s.attrs.get("aria-label") == label)

    def table(self, section: str) -> Table:
        return self.tables[section]


@dataclass(frozen=True)
class Png:
    """A decoded screenshot."""

    width: int
    height: int
    bpp: int  # bytes per pixel: RGB or RGBA
    pixels: bytes  # row after row

    @classmethod
    def decode(cls, data: bytes) -> Png:
        return cls(*decode_png_pixels(data))

    def at(self, point: tuple[int, int]) -> tuple[int, int, int]:
        x, y = point
        i = (y * self.width + x) * self.bpp
        return self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]

    def bluish(self, point: tuple[int, int]) -> bool:
        """Painted by a line of the first palette colour (also anti-aliased), not grid grey or the white page."""
        r, _, b = self.at(point)
        return b - r >= 30

    def colours(self) -> Counter[tuple[int, int, int]]:
        p, n = self.pixels, self.bpp
        return Counter(zip(p[0::n], p[1::n], p[2::n], strict=True))


# --- on the HTML alone -------------------------------------------------------------------------------------------


def test_header_and_sections() -> None:
    report = sample_report()
    html = render_html(report)
    assert "<h1>Music Analytics insights</h1>" in html
    assert "postgresql://analyst:***@warehouse.internal:5432/sparkify" in html
    assert "2018-11-01 to 2018-11-30" in html and "2018-12-01 06:30:00+00:00" in html
    ids = re.findall(r'<section class="insight" id="([^"]+)">', html)
    assert ids == [r.name for r in report.results]
    assert html == render_html(sample_report()), "deterministic"
    everything = Report("duckdb:///w.duckdb", None, None, report.generated_at, [])
    assert "<dd>all data</dd>" in render_html(everything)


def test_no_external_resources() -> None:
    html = render_html(sample_report())
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?//""", html, re.I)
    assert not re.search(r"url\(|@import|<link\b|<img\b|<iframe\b", html, re.I)
    assert re.findall(r"<script\b[^>]*>", html) == ["<script>"], "only the inline verification script"


def test_tables_hold_every_row_formatted() -> None:
    report = sample_report()
    html = render_html(report)
    top = re.search(r'id="top_songs".*?</section>', html, re.S)
    assert top is not None
    assert top.group().count("<tr>") == 1 + len(report.result("top_songs").rows)
    assert '<td class="num">480.00</td>' in top.group()
    retention = re.search(r'id="retention".*?</section>', html, re.S)
    assert retention is not None and '<td class="num">60.0%</td>' in retention.group()


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("plays", 1234567, "1,234,567"),
        ("minutes", 3.14159, "3.14"),
        ("minutes", 1234.5, "1,234.50"),
        ("minutes", Decimal("12.50"), "12.50"),
        ("plays", Decimal("1200"), "1,200"),
        ("rate", 0.4567, "45.7%"),
        ("retention", 1.0, "100.0%"),
        ("match_rate", Decimal("0.125"), "12.5%"),
        ("rate", None, "\u2014"),
        ("day", dt.date(2018, 11, 5), "2018-11-05"),
        ("start_time", dt.datetime(2018, 11, 5, 7, 8, 9, 123), "2018-11-05 07:08:09"),
        ("song", "Café <Tacvba>", "Café <Tacvba>"),  # escaping is the renderer's job, not the formatter's
    ],
)
def test_format_value(column: str, value: Any, shown: str) -> None:
    assert format_value(column, value) == shown


def test_everything_user_provided_is_escaped() -> None:
    evil = '<script>alert("x")</script>&\''
    chart = Chart("bar", evil, (evil,), (evil,))
    result = Result(evil, evil, evil, (evil,), [(1,), (2,)], (chart,))
    html = render_html(Report(evil, None, None, dt.datetime(2018, 12, 1), [result]))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#x27;" in html
    assert f'id="{escape(evil)}"' in html and f'aria-label="{escape(evil)}"' in html


def test_empty_results_and_undrawable_charts_say_so() -> None:
    empty = Result(
        "match_rate",
        "Match rate",
        "per day",
        ("day", "match_rate"),
        [],
        (Chart("line", "Match rate", ("match_rate",), x="day"),),
    )
    undrawable = Result(
        "top_songs",
        "Top songs",
        "top",
        ("song", "plays", "rank"),
        [("a", None, 1), ("b", 3, None)],
        (Chart("bar", "By plays", ("plays",), ("song",), order="rank"),),
    )
    html = render_html(Report("duckdb:///w.duckdb", None, None, dt.datetime(2018, 12, 1), [empty, undrawable]))
    assert html.count(EMPTY) == 2
    assert "<svg" not in html
    assert "<table>" in html and "<table>" not in html.split('id="top_songs"')[0], "only the result with rows"


def test_heatmap_categories_sort_naturally() -> None:
    rows = [(10, "b", 1), (2, "a", 5), (9, "b", 3)]
    result = Result(
        "h",
        "H",
        "h",
        ("hour", "name", "plays"),
        rows,
        (Chart("heatmap", "H", ("plays",), x="hour", y="name", missing=0),),
    )
    html = render_html(Report("duckdb:///w.duckdb", None, None, dt.datetime(2018, 12, 1), [result]))
    labels = re.findall(r'class="axis">([^<]*)</text>', html)
    assert labels[:2] == ["a", "b"] and labels[2:5] == ["2", "9", "10"]
    assert html.count('<rect class="mark"') == 6, "a full grid: missing cells drawn as 0, as the chart says"
    assert 'data-value="0"><title>Name b, Hour (UTC) 2: 0</title>' in html


def test_missing_heatmap_cells_follow_the_chart() -> None:
    """Chart.missing: a number fills the cells no row stands for, None leaves them empty (no mark, a blank
    grid cell); a NULL value in a row is no value either."""
    rows = [(1, "a", 5), (2, "b", None)]
    for missing, marks, grid in (
        (0, 3, [["a", "5", "0"], ["b", "0", "\u2014"]]),
        (None, 1, [["a", "5", ""], ["b", "", "\u2014"]]),
    ):
        result = Result(
            "h",
            "H",
            "h",
            ("x", "y", "plays"),
            rows,
            (Chart("heatmap", "H", ("plays",), x="x", y="y", missing=missing),),
        )
        html = render_html(Report("duckdb:///w.duckdb", None, None, dt.datetime(2018, 12, 1), [result]))
        assert html.count('<rect class="mark"') == marks, missing
        cells = [re.findall(r"<td[^>]*>([^<]*)</td>", tr) for tr in re.findall(r"<tr>(.*?)</tr>", html)[1:]]
        assert cells == grid, missing


def test_the_report_declares_its_missing_cells() -> None:
    """The hour x weekday answer leaves out cells without plays (0 plays); retention has no row before a
    cohort registered (no value). The full 7 x 24 grid is always shown."""
    [heat], [retention] = charts("listening_heatmap"), charts("retention")
    assert (heat.missing, heat.x_values, heat.y_values) == (0, tuple(range(24)), tuple(range(1, 8)))
    assert retention.missing is None and retention.y_columns == ("cohort_users",)


def test_bad_chart_specs_fail_loudly() -> None:
    def render(chart: Chart) -> str:
        result = Result("r", "R", "r", ("a", "b"), [(1, 2)], (chart,))
        return render_html(Report("duckdb:///w.duckdb", None, None, dt.datetime(2018, 12, 1), [result]))

    with pytest.raises(ValueError, match="unknown kind 'pie'"):
        render(Chart("pie", "P", ("a",)))
    with pytest.raises(ValueError, match="unknown: \\['c'\\]"):
        render(Chart("bar", "B", ("c",), ("a",)))
    with pytest.raises(ValueError, match="x/y"):
        render(Chart("heatmap", "H", ("a",), x="b"))


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (2500, "2,500"), (5000, "5,000"), (10_000, "10k"), (15_000, "15k"), (2_500_000, "2.5M"), (3e9, "3B")],
)
def test_axis_tick_labels(value: float, shown: str) -> None:
    from music_analytics.insights.html import _tick_label

    assert _tick_label("plays", value) == shown
    assert _tick_label("match_rate", 0.25) == "25%"


def test_terminal_and_markdown_show_grids_and_labels_like_the_page() -> None:
    """The same headings and grids as the HTML report: retention weeks before a cohort registered are empty
    cells, a week nobody was active is 0.0%; JSON keeps the SQL names and the rows as they are."""
    from music_analytics.insights import text

    report = sample_report()
    md = text.result_markdown(report.result("retention"))
    assert md.splitlines()[0] == (
        "| Cohort week \\ Activity week | Cohort users | 2018-10-29 | 2018-11-05 | 2018-11-12 | 2018-11-19 |"
    )
    assert md.splitlines()[2:] == [
        "| 2018-10-29 | 50 | 100.0% | 80.0% | 60.0% | 0.0% |",
        "| 2018-11-05 | 50 |  | 100.0% | 80.0% | 60.0% |",
        "| 2018-11-12 | 50 |  |  | 100.0% | 80.0% |",
        "| 2018-11-19 | 50 |  |  |  | 100.0% |",
    ]
    table = text.result_table(report.result("retention")).splitlines()
    assert table[-1] == "2018-11-19                             50                                          100.0%"
    daily = text.result_table(report.result("match_rate")).splitlines()
    assert daily[0] == "Day         Plays  Matched plays  Match rate"
    assert "2018-11-15      0              0           \u2014" in daily
    data = json.loads(text.to_json(report))["results"]["retention"]
    assert data["columns"][:2] == ["cohort_week", "activity_week"] and len(data["rows"]) == 10
