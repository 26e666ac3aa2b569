"""The HTML insights report, opened in real headless Chromium: charts painted, marks laid out, text escaped.

One Chromium run takes the screenshot (decoded here with a stdlib PNG reader, to count painted pixels), one dumps
the DOM after the page's script counted the marks with a real layout (getBBox). Everything else is checked on the
HTML string without a browser.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from html.parser import HTMLParser
from typing import Any

import pytest

from music_analytics.insights.html import BAR, EMPTY, PALETTE, format_value, render_html
from music_analytics.insights.model import Chart, Report, Result
from tests.conftest import need

CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")
WINDOW = (1280, 4600)
TITLE = "Halo <b>&'\" Beyoncé"  # markup, entities, both quotes and non-ASCII, as a song title may have

# aria-label of each chart -> how many marks it must lay out.
EXPECTED_MARKS = {
    "Top songs by plays": 10,  # 12 rows, limit 10
    "Top songs by minutes": 9,  # 3 rows have no rank_by_minutes
    "Plays by hour and weekday": 7 * 24,  # 5 cells missing, drawn as 0
    "Active users": 3,  # one line per series
    "Funnels": 6,  # three funnels of two steps; the empty one draws zero-length bars
    "Retention by cohort week": 4 * 4,  # a triangle of 10 cells in a 4 x 4 grid
}


def sample_report() -> Report:
    songs = [(TITLE, "Beyoncé"), ("Olvidalo", "Café Tacvba"), ("Revelry", "Kings Of Leon"),
             ("Undo", "Björk"), ("Yellow", "Coldplay"), ("Fix You", "Coldplay"), ("Secrets", "OneRepublic"),
             ("Use Somebody", "Kings Of Leon"), ("Canada", "Five Iron Frenzy"), ("Invalid", "Tub Ring"),
             ("Horn Concerto No. 4 in E flat K495: II. Romance (Andante cantabile)", "Barry Tuckwell"),
             ("Sehr kosmisch", "Harmonia")]
    minute_ranks = [2, 1, 4, 3, 6, 5, 8, 7, 9, None, None, None]
    top_rows = [(i + 1, minute_ranks[i], song, artist, 120 - 9 * i, Decimal(f"{480 - 31.5 * i:.2f}"), 40 - 2 * i)
                for i, (song, artist) in enumerate(songs)]
    heat_rows = [(wd, hour, 5 + (wd * 7 + hour * 3) % 40) for wd in range(1, 8) for hour in range(24)
                 if (wd, hour) not in {(1, 3), (2, 4), (3, 5), (6, 2), (7, 23)}]
    first = dt.date(2018, 11, 1)
    days = [first + dt.timedelta(d) for d in range(30)]
    active_rows = [(day, 20 + d % 7, 60 + d, 90 + 2 * d) for d, day in enumerate(days)]
    funnel_rows: list[tuple[Any, ...]] = [
        ("upgrade", 1, "Upgrade", 40, 1.0), ("upgrade", 2, "Submit Upgrade", 18, 0.45),
        ("downgrade", 1, "Downgrade", 30, 1.0), ("downgrade", 2, "Submit Downgrade", 12, 0.4),
        ("cancel", 1, "Cancel", 0, None), ("cancel", 2, "Cancellation Confirmation", 0, None)]
    cohorts = [first + dt.timedelta(7 * c) for c in range(4)]
    retention_rows = [(cohort, cohort + dt.timedelta(7 * w), w, 50, 50 - 10 * w, (50 - 10 * w) / 50)
                      for c, cohort in enumerate(cohorts) for w in range(4 - c)]
    return Report(
        warehouse="postgresql://analyst:***@warehouse.internal:5432/sparkify",
        start=first, end=days[-1], generated_at=dt.datetime(2018, 12, 1, 6, 30, tzinfo=dt.UTC),
        results=[
            Result("top_songs", "Top songs", "Songs in the top 10 by plays or by minutes",
                   ("rank_by_plays", "rank_by_minutes", "song", "artist", "plays", "minutes", "listeners"), top_rows,
                   (Chart("bar", "Top songs by plays", ("plays",), ("song", "artist"), order="rank_by_plays",
                          limit=10),
                    Chart("bar", "Top songs by minutes", ("minutes",), ("song", "artist"), order="rank_by_minutes",
                          limit=10))),
            Result("listening_heatmap", "When people listen", "Plays per ISO weekday and UTC hour",
                   ("weekday", "hour", "plays"), heat_rows,
                   (Chart("heatmap", "Plays by hour and weekday", ("plays",), x="hour", y="weekday"),)),
            Result("active_users", "Active users", "Daily, weekly and monthly active users",
                   ("day", "dau", "wau", "mau"), active_rows,
                   (Chart("line", "Active users", ("dau", "wau", "mau"), x="day"),)),
            Result("funnels", "Funnels", "Upgrade, downgrade and cancel funnels",
                   ("funnel", "step", "page", "users", "rate"), funnel_rows,
                   (Chart("funnel", "Funnels", ("users",), ("page",), group="funnel"),)),
            Result("retention", "Retention", "Weekly retention by registration cohort",
                   ("cohort_week", "activity_week", "weeks_since_registration", "cohort_users", "active_users",
                    "retention"), retention_rows,
                   (Chart("heatmap", "Retention by cohort week", ("retention",), x="weeks_since_registration",
                          y="cohort_week"),)),
            Result("match_rate", "Catalogue match rate", "Plays matched to a catalogue song, per day",
                   ("day", "plays", "matched_plays", "match_rate"), [],
                   (Chart("line", "Match rate", ("match_rate",), x="day"),)),
        ])


# --- in the browser ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Opened:
    html: str
    dom: str
    png: bytes


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> Opened:
    need(CHROMIUM is not None, "Chromium (the chromium command, /usr/bin/chromium on Debian)")
    assert CHROMIUM is not None
    tmp = tmp_path_factory.mktemp("insights_html")
    page = tmp / "report.html"
    html = render_html(sample_report())
    page.write_text(html, encoding="utf-8")
    png = tmp / "report.png"

    def chromium(name: str, *args: str) -> str:
        proc = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp / name}", *args, page.as_uri()],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    chromium("shot", f"--screenshot={png}", f"--window-size={WINDOW[0]},{WINDOW[1]}")
    dom = chromium("dom", "--dump-dom", "--virtual-time-budget=2000")
    return Opened(html, dom, png.read_bytes())


def test_charts_are_painted(opened: Opened) -> None:
    width, height, colours = decode_png(opened.png)
    assert (width, height) == WINDOW
    assert colours[rgb(BAR)] > 20_000, "the bars of the two top-songs charts"
    assert colours[rgb(PALETTE[1])] > 1_000, "the second funnel's bars"
    heat = re.search(r'aria-label="Plays by hour and weekday".*?</svg>', opened.html, re.S)
    assert heat is not None
    fills = {rgb(f) for f in re.findall(r'<rect class="mark"[^>]* fill="(#[0-9a-f]{6})"', heat.group())}
    assert sum(colours[f] for f in fills) > 7 * 24 * 200, "every heatmap cell painted (about 26 x 21 px each)"
    assert len(colours) > 20, "text and charts, not a blank page"


def test_every_mark_is_laid_out_and_text_stays_text(opened: Opened) -> None:
    dom = Dom()
    dom.feed(opened.dom)
    assert dom.body.get("data-rendered") == "yes"
    marks = {svg["aria-label"]: int(svg["data-rendered-marks"]) for svg in dom.svgs}
    assert marks == EXPECTED_MARKS
    assert {svg["data-chart"] for svg in dom.svgs} == {"bar", "heatmap", "line", "funnel"}
    assert dom.tags["b"] == 0, "the <b> in a song title must be text, not markup"
    assert TITLE in dom.text
    assert "Café Tacvba" in dom.text
    assert EMPTY in dom.text


class Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.body: dict[str, str] = {}
        self.svgs: list[dict[str, str]] = []
        self.tags: Counter[str] = Counter()
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        values = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.body = values
        elif tag == "svg":
            self.svgs.append(values)

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def decode_png(data: bytes) -> tuple[int, int, Counter[tuple[int, int, int]]]:
    """Width, height and pixel count per RGB colour of an 8-bit, non-interlaced RGB or RGBA PNG (Chromium's)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, header, idat = 8, b"", []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
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
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
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
    channels = [out[i::bpp] for i in range(bpp)]
    if bpp == 4:
        assert channels[3].count(255) == width * height, "an opaque screenshot"
    return width, height, Counter(zip(channels[0], channels[1], channels[2], strict=True))


def _add(a: int, b: int) -> int:
    return (a + b) & 0xFF


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
    assert "<td class=\"num\">480.00</td>" in top.group()
    retention = re.search(r'id="retention".*?</section>', html, re.S)
    assert retention is not None and "<td class=\"num\">60.0%</td>" in retention.group()


@pytest.mark.parametrize(("column", "value", "shown"), [
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
])
def test_format_value(column: str, value: Any, shown: str) -> None:
    assert format_value(column, value) == shown


def test_everything_user_provided_is_escaped() -> None:
    evil = "<script>alert(\"x\")</script>&'"
    chart = Chart("bar", evil, (evil,), (evil,))
    result = Result(evil, evil, evil, (evil,), [(1,), (2,)], (chart,))
    html = render_html(Report(evil, None, None, dt.datetime(2018, 12, 1), [result]))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#x27;" in html
    assert f'id="{escape(evil)}"' in html and f'aria-label="{escape(evil)}"' in html


def test_empty_results_and_undrawable_charts_say_so() -> None:
    empty = Result("match_rate", "Match rate", "per day", ("day", "match_rate"), [],
                   (Chart("line", "Match rate", ("match_rate",), x="day"),))
    undrawable = Result("top_songs", "Top songs", "top", ("song", "plays", "rank"), [("a", None, 1), ("b", 3, None)],
                        (Chart("bar", "By plays", ("plays",), ("song",), order="rank"),))
    html = render_html(Report("duckdb:///w.duckdb", None, None, dt.datetime(2018, 12, 1), [empty, undrawable]))
    assert html.count(EMPTY) == 2
    assert "<svg" not in html
    assert "<table>" in html and "<table>" not in html.split('id="top_songs"')[0], "only the result with rows"


def test_heatmap_categories_sort_naturally() -> None:
    rows = [(10, "b", 1), (2, "a", 5), (9, "b", 3)]
    result = Result("h", "H", "h", ("hour", "name", "plays"), rows, (Chart("heatmap", "H", ("plays",), x="hour",
                                                                          y="name"),))
    html = render_html(Report("duckdb:///w.duckdb", None, None, dt.datetime(2018, 12, 1), [result]))
    labels = re.findall(r'class="axis">([^<]*)</text>', html)
    assert labels[:3] == ["name", "a", "b"] and labels[3:6] == ["2", "9", "10"]
    assert html.count('<rect class="mark"') == 6, "a full grid: missing cells drawn as 0"
    assert 'data-value="0"><title>name b, hour 2: 0</title>' in html


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


@pytest.mark.parametrize(("value", "shown"), [(0, "0"), (2500, "2,500"), (5000, "5,000"), (10_000, "10k"),
                                               (15_000, "15k"), (2_500_000, "2.5M"), (3e9, "3B")])
def test_axis_tick_labels(value: float, shown: str) -> None:
    from music_analytics.insights.html import _tick_label

    assert _tick_label("plays", value) == shown
    assert _tick_label("match_rate", 0.25) == "25%"
