"""The GX Data Docs site: self-contained, rendered offline in real Chromium, and a history across runs and processes.

The site is built from real validations: gate 1 on the lake the real pipeline makes of the Sparkify sample
(songplays has a failing warning, so pages show both status icons). Statically, no page may load anything from the
network and every local resource must exist; in Chromium with the network cut, the index's bootstrap-table must
render the validations and a validation page its expectations with Font Awesome's icons. A control page shows the
cut is real: it cannot load the CDN jQuery the GX templates point at.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from music_analytics import pipeline, quality
from music_analytics.quality import datadocs
from music_analytics.quality.validate import build_docs
from tests.browser import decode_png, dump_dom, rgb, screenshot
from tests.helpers import REPO, make_config


@pytest.fixture(autouse=True)
def _great_expectations(gx: None) -> None:
    """Every test here runs Great Expectations (the `gates` tier)."""


ASSETS = REPO / "music_analytics" / "quality" / "docs_assets"
LAKE_SUITES = sorted(s.name for s in quality.suites("lake"))
SUCCESS_GREEN = rgb("#28a745")  # Bootstrap 4's .text-success: the check icons
_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]*)\1\s*\)""", re.I)


def gx_package() -> Path:
    import great_expectations

    return Path(great_expectations.__file__).parent


@pytest.fixture(scope="module")
def lake(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("docs_lake")
    cfg = make_config(tmp, sample, f"duckdb:///{tmp / 'w.duckdb'}")
    return pipeline.transform(cfg, str(sample)).lake


@dataclass(frozen=True)
class Site:
    docs: Path
    project: Path
    gate: quality.GateResult


@pytest.fixture(scope="module")
def site(lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Site:
    tmp = tmp_path_factory.mktemp("docs_site")
    gate = quality.check_lake(lake, run_id="docs-run", docs_dir=tmp / "docs", project_dir=tmp / "gx")
    assert gate.passed and [quality_key(w) for w in gate.warnings] == ["songplays:song_id"]
    return Site(tmp / "docs", tmp / "gx", gate)


def quality_key(o: quality.Outcome) -> str:
    return f"{o.suite}:{o.column}"


# -- statically ------------------------------------------------------------------------------------


class Resources(HTMLParser):
    """Every URL a page makes the browser fetch: stylesheets, scripts, images, frames, CSS url() and @import."""

    SRC_TAGS = frozenset({"script", "img", "iframe", "embed", "source", "video", "audio", "track", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "link" and "href" in values:
            self.urls.append(values["href"])
        if tag in self.SRC_TAGS and "src" in values:
            self.urls.append(values["src"])
        if tag == "object" and "data" in values:
            self.urls.append(values["data"])
        if "srcset" in values:
            self.urls += [part.split()[0] for part in values["srcset"].split(",") if part.strip()]
        if "style" in values:
            self.urls += css_urls(values["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += css_urls(data)


def css_urls(css: str) -> list[str]:
    imports = re.findall(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""", css, re.I)
    return [m.group(2) for m in _CSS_URL.finditer(css)] + imports


def resources(page: Path) -> list[str]:
    parser = Resources()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.urls


def resolve(base: Path, url: str) -> Path:
    return (base / unquote(url.split("#", 1)[0].split("?", 1)[0])).resolve()


def pages(docs: Path) -> list[Path]:
    return sorted(docs.rglob("*.html"))


def test_no_page_loads_anything_from_the_network(site: Site) -> None:
    found = pages(site.docs)
    # The index, a page per suite and one per validation (nested four folders down).
    assert len(found) == 1 + 2 * len(LAKE_SUITES)
    assert {p.relative_to(site.docs).parts[0] for p in found} == {"index.html", "expectations", "validations"}
    for page in found:
        urls = resources(page)
        assert not [u for u in urls if _EXTERNAL.match(u)], page
        local = [u for u in urls if not u.startswith(("data:", "#"))]
        assert len(local) >= 15, f"{page}: the stylesheets, scripts, favicon and logo"
        for url in local:
            target = resolve(page.parent, url)
            assert target.is_file() and site.docs in target.parents, f"{page}: {url}"
        loaded = {resolve(page.parent, u).relative_to(site.docs).as_posix() for u in local}
        # Every vendored file but one of the two filter-control stylesheets (the index links the minified one).
        vendored = {f"{datadocs.VENDOR_DIR}/{v}" for v in datadocs.VENDORED.values()}
        assert len(vendored - loaded) == 1 and "filter-control" in min(vendored - loaded), page
        text = page.read_text(encoding="utf-8")
        assert "integrity=" not in text and "crossorigin=" not in text, "file:// pages fail CORS-mode loads"


def test_vendored_stylesheets_find_their_fonts(site: Site) -> None:
    sheets = sorted((site.docs / datadocs.VENDOR_DIR).rglob("*.css"))
    assert len(sheets) == 7
    fonts = set()
    for sheet in sheets:
        for url in css_urls(sheet.read_text(encoding="utf-8")):
            if url.startswith("data:"):
                continue
            assert not _EXTERNAL.match(url), (sheet, url)
            target = resolve(sheet.parent, url)
            assert target.is_file(), (sheet, url)
            fonts.add(target.name)
    assert "fa-solid-900.woff2" in fonts


def template_resources() -> list[tuple[str, str]]:
    """(tag, url) of every network resource in GX's page templates and default styles."""
    found = []
    root = gx_package() / "render" / "view"
    for path in sorted((root / "templates").glob("*.j2")) + sorted((root / "static" / "styles").glob("*.css")):
        text = path.read_text(encoding="utf-8")
        for tag in re.finditer(r"<(link|script|img)\b[^>]*>", text):
            attr = re.search(r"""\s(?:src|href)\s*=\s*["']([^"']*)["']""", tag.group())
            if attr and _EXTERNAL.match(attr.group(1)):
                found.append((tag.group(1), attr.group(1)))
        found += [("css", u) for u in css_urls(text) if _EXTERNAL.match(u)]
        # The navbar's logo is `static_images_dir + "logo-long.png"`, with the S3 base set in the template.
        for base in re.findall(r"""set static_images_dir = ["'](https?://[^"']+)["']""", text):
            found.append(("img", base + "logo-long.png"))
    return found


def test_every_cdn_resource_of_the_gx_templates_is_vendored_or_dropped() -> None:
    found = template_resources()
    assert len({u for _, u in found}) >= len(datadocs.VENDORED) + len(datadocs.UNVENDORED), found
    for tag, url in found:
        if url in datadocs.UNVENDORED:
            assert tag == "script"
            continue
        target = datadocs.local_target(url + ("?d=20240101T000000Z" if tag == "img" else ""))
        assert target is not None, f"GX's templates load {url}: vendor it (docs_assets) and map it (VENDORED)"
        path = (
            ASSETS / target.removeprefix(datadocs.VENDOR_DIR + "/")
            if target.startswith(datadocs.VENDOR_DIR)
            else gx_package() / "render" / "view" / target
        )
        assert path.is_file(), (url, path)


def test_vendored_files_are_the_cdn_files() -> None:
    """The templates pin two scripts by SRI hash: the vendored copies must match it byte for byte."""
    text = (gx_package() / "render" / "view" / "templates" / "js_script_imports.j2").read_text()
    pinned = re.findall(r'src="([^"]+)" integrity="sha384-([^"]+)"', text)
    assert len(pinned) == 2
    for url, digest in pinned:
        data = (ASSETS / datadocs.VENDORED[url]).read_bytes()
        assert base64.b64encode(hashlib.sha384(data).digest()).decode() == digest, url


def test_vendored_files_are_used_licensed_and_listed() -> None:
    readme = (ASSETS / "README.md").read_text(encoding="utf-8")
    used = set(datadocs.VENDORED.values())
    for sheet in ASSETS.rglob("*.css"):
        used |= {
            resolve(sheet.parent, u).relative_to(ASSETS).as_posix()
            for u in css_urls(sheet.read_text(encoding="utf-8"))
            if not u.startswith("data:")
        }
    files = {p.relative_to(ASSETS).as_posix() for p in ASSETS.rglob("*") if p.is_file()}
    licences = {f for f in files if f.split("/")[-1].startswith("LICENSE")}
    assert files - licences - {"README.md"} == used, "every vendored file is loaded by a page or a stylesheet"
    packages = {f.split("/")[0] for f in files - {"README.md"}}
    assert packages == {f.split("/")[0] for f in licences}, "a licence per package"
    for package in packages:
        assert f"`{package}/`" in readme, package
    if shutil.which("git") and (REPO / ".git").exists():
        # .gitignore ignores dist/ and build/ anywhere: a vendored file there would never be committed.
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(REPO),
                "check-ignore",
                "--no-index",
                "--verbose",
                *(str(ASSETS / f) for f in sorted(files)),
            ],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 1 and not proc.stdout, proc.stdout


def test_no_page_draws_a_chart_so_vega_is_not_needed(site: Site) -> None:
    for page in pages(site.docs):
        assert "vegaEmbed" not in page.read_text(encoding="utf-8"), page
    # A validation page's charts are the graph content blocks (graph.j2) of an expectation's renderers.
    drawing = {
        p.stem
        for p in (gx_package() / "expectations").rglob("expect_*.py")
        if re.search(r'content_block_type="graph"|"graph":', p.read_text(encoding="utf-8"))
    }
    assert drawing == datadocs.CHART_EXPECTATIONS
    used = {e["type"] for s in quality.suites() for e in s.expectations}
    assert not used & datadocs.CHART_EXPECTATIONS


# -- in Chromium, offline --------------------------------------------------------------------------

# Appended to a copy of a page in the same folder (so every relative URL resolves the same): once the
# page's scripts ran and its fonts settled, it writes what rendered into <pre id="probe">. jQuery runs
# ready handlers (bootstrap-table builds its tables in one) from a timer, possibly after `load`: the
# probe queues behind them, then waits a (virtual) second more.
PROBE = """
<script>
window.addEventListener("load", function () {
  var later = function (f) { setTimeout(f, 1000); };
  var settled = function () { document.fonts.ready.then(function () { later(report); }); };
  if (window.jQuery) { window.jQuery(function () { later(settled); }); } else { later(settled); }
  function report() {
    var shown = function (e) { var r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    var icons = Array.from(document.querySelectorAll("td i.fas")).filter(shown);
    var rows = document.querySelectorAll("#Validation-Results tbody tr.clickable-row");
    var alert = document.querySelector(".alert-secondary");
    var probe = {
      jquery: typeof window.jQuery === "function",
      bootstrapTable: !!(window.jQuery && window.jQuery.fn.bootstrapTable),
      tables: document.querySelectorAll("div.bootstrap-table").length,
      validationRows: Array.from(rows).filter(shown).length,
      pagination: Array.from(document.querySelectorAll(".pagination-info")).map(function (e) {
        return e.textContent.trim(); }),
      icons: icons.map(function (i) { return i.className.split(" ").filter(function (c) {
        return c.indexOf("fa-") === 0; }).join(" "); }),
      glyph: icons.length ? getComputedStyle(icons[0], "::before").content : "",
      iconFont: icons.length ? getComputedStyle(icons[0]).fontFamily : "",
      fonts: Array.from(document.fonts).filter(function (f) { return f.status === "loaded"; }).map(function (f) {
        return f.family.replace(/"/g, "") + " " + f.weight; }),
      alertBackground: alert ? getComputedStyle(alert).backgroundColor : ""
    };
    var pre = document.createElement("pre");
    pre.id = "probe";
    pre.textContent = JSON.stringify(probe);
    document.body.appendChild(pre);
  }
});
</script>
"""


def probe(page: Path, profile: Path) -> dict[str, Any]:
    copy = page.with_name(f"probe-{page.name}")
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    try:
        dom = dump_dom(copy, profile, offline=True)
    finally:
        copy.unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, f"the probe did not run: {dom[-1500:]}"
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


@pytest.fixture
def browser(tmp_path: Path, chromium: str) -> Path:
    return tmp_path


def test_the_network_is_really_cut(browser: Path) -> None:
    control = browser / "control.html"
    control.write_text(
        '<html><body><script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
        '<script src="//unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js"></script>'
        "</body></html>"
    )
    found = probe(control, browser / "profile")
    assert found["jquery"] is False and found["bootstrapTable"] is False


def test_the_index_renders_its_validations_offline(site: Site, browser: Path) -> None:
    found = probe(site.docs / "index.html", browser / "profile")
    n = len(LAKE_SUITES)
    assert found["jquery"] and found["bootstrapTable"]
    assert found["tables"] == 2, "bootstrap-table built the validations and the suites tables"
    assert found["pagination"] == [f"Showing 1 to {min(n, 10)} of {n} rows", f"Showing 1 to {n} of {n} rows"]
    assert found["validationRows"] == min(n, 10), "the rows are laid out, not just in the DOM"
    assert found["alertBackground"] == "rgb(226, 227, 229)", "Bootstrap's stylesheet applied"
    assert "Font Awesome 6 Free 900" in found["fonts"]
    assert found["icons"].count("fa-check-circle") == min(n, 10) - 1, "the songplays warning failed"
    assert found["icons"].count("fa-times") == 1
    png = screenshot(site.docs / "index.html", browser / "shot", browser / "index.png", (1280, 1000), offline=True)
    width, height, colours = decode_png(png)
    assert (width, height) == (1280, 1000)
    assert len(colours) > 50, "text, table and logo, not a blank page"
    assert colours[SUCCESS_GREEN] > 100, "the status icons are painted"
    assert sum(c for colour, c in colours.items() if colour != (255, 255, 255)) > 0.05 * width * height


def test_a_validation_page_shows_its_expectations_offline(site: Site, browser: Path) -> None:
    (page,) = (site.docs / "validations" / "songplays").rglob("*.html")
    found = probe(page, browser / "profile")
    expectations = len(next(s for s in quality.suites() if s.name == "songplays").expectations)
    assert found["jquery"] and found["bootstrapTable"]
    assert found["tables"] >= 2, "bootstrap-table initialised the page's data-toggle tables"
    assert sorted(found["icons"]) == ["fa-check-circle"] * (expectations - 1) + ["fa-times"], found["icons"]
    assert found["glyph"] not in ("", "none", "normal"), "Font Awesome's stylesheet gives the icon its glyph"
    assert "Font Awesome 6 Free" in found["iconFont"] and "Font Awesome 6 Free 900" in found["fonts"]
    assert found["alertBackground"] == "rgb(226, 227, 229)"
    png = screenshot(page, browser / "shot", browser / "page.png", (1280, 2400), offline=True)
    width, height, colours = decode_png(png)
    assert (width, height) == (1280, 2400)
    assert len(colours) > 50
    assert colours[SUCCESS_GREEN] > 100


# -- history across runs and processes -------------------------------------------------------------

CHILD = """
import sys
from pathlib import Path
from music_analytics import quality

lake, project, docs, run_id = sys.argv[1:]
gate = quality.check_lake(Path(lake), run_id=run_id, docs_dir=Path(docs), project_dir=Path(project),
                          only={"songs", "users"})
print(gate.headline())
"""


def run_children(lake: Path, project: Path, docs: Path, run_ids: list[str]) -> None:
    """The gate in one process per run id, all at once (they share the project: the lock serialises them)."""
    script = project.parent / "child.py"  # a file, not -c: pyspark (imported by GX) exits early under -c
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    children = [
        subprocess.Popen(
            [sys.executable, str(script), str(lake), str(project), str(docs), run_id],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for run_id in run_ids
    ]
    # Counted from the suite files, so adding an expectation to one needs no edit here.
    expectations = sum(len(s.expectations) for s in quality.suites("lake") if s.name in {"songs", "users"})
    headline = f"quality gate 'lake' passed: 2 suites, {expectations} expectations, 0 failed, 0 warnings"
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err[-3000:]
        assert out.strip() == headline, out
        # GX stays quiet: no progress bars, no INFO lines.
        assert "Calculating Metrics" not in err + out and "INFO" not in err + out, err[-3000:]


def index_runs(docs: Path) -> list[str]:
    text = (docs / "index.html").read_text(encoding="utf-8")
    return sorted(re.findall(r"'run_name': '([^']*)'", text))


def stored_results(project: Path, suite: str) -> list[str]:
    results = project / "gx" / "uncommitted" / "validations" / suite
    return sorted(p.parent.parent.name for p in results.rglob("*.json"))


def test_every_run_of_every_process_stays_in_the_project_and_the_index(lake: Path, tmp_path: Path) -> None:
    project, docs = tmp_path / "gx", tmp_path / "docs"
    run_children(lake, project, docs, ["run-a", "run-b"])
    assert index_runs(docs) == ["run-a lake"] * 2 + ["run-b lake"] * 2
    for suite in ("songs", "users"):
        assert stored_results(project, suite) == ["run-a lake", "run-b lake"]
        assert sorted(p.parent.parent.name for p in (docs / "validations" / suite).rglob("*.html")) == [
            "run-a lake",
            "run-b lake",
        ], "each suite's pages: one per run"
    gx_dir = project / "gx"
    # One GX suite per suite file and one validation definition per gate and suite, whatever the run.
    assert sorted(p.name for p in (gx_dir / "expectations").glob("*.json")) == ["songs.json", "users.json"]
    assert sorted(p.name for p in (gx_dir / "validation_definitions").glob("*.json")) == [
        "lake-songs.json",
        "lake-users.json",
    ]
    old_pages = {p: p.stat().st_mtime_ns for p in (docs / "validations").rglob("*.html")}
    not_null = (docs / "expectations" / "users.html").read_text(encoding="utf-8").count("values must never be null")
    definition = json.loads((gx_dir / "validation_definitions" / "lake-users.json").read_text())

    # A third run, with the suite file changed: the stored suite follows the file, and keeps its id.
    spec = json.loads((quality.EXPECTATIONS_DIR / "users.json").read_text())
    spec["expectations"].append(
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "level"},
            "severity": "critical",
            "meta": {},
        }
    )
    changed = tmp_path / "suites" / "users.json"
    changed.parent.mkdir()
    changed.write_text(json.dumps(spec))
    gate = quality.check_lake(lake, run_id="run-c", docs_dir=docs, project_dir=project, suites_dir=changed.parent)
    (result,) = gate.suites
    assert len(result.outcomes) == len(spec["expectations"]) and all(o.success for o in result.outcomes)
    assert build_docs(docs, project_dir=project) == docs / "index.html"
    stored = json.loads((gx_dir / "expectations" / "users.json").read_text())
    assert len(stored["expectations"]) == len(spec["expectations"])
    assert stored["id"] == definition["suite"]["id"], "the validation definition still points at it"
    assert json.loads((gx_dir / "validation_definitions" / "lake-users.json").read_text())["id"] == definition["id"]
    assert stored_results(project, "users") == ["run-a lake", "run-b lake", "run-c lake"]
    assert index_runs(docs) == ["run-a lake"] * 2 + ["run-b lake"] * 2 + ["run-c lake"]
    suite_page = (docs / "expectations" / "users.html").read_text(encoding="utf-8")
    assert suite_page.count("values must never be null") == not_null + 1, "the suite's page shows the new one"
    # Only the new run's pages were rendered: the earlier ones are untouched.
    assert {p: p.stat().st_mtime_ns for p in old_pages} == old_pages
    assert len(list((docs / "validations").rglob("*.html"))) == len(old_pages) + 1

    # A new docs folder for the same project gets every stored run, not only the next one.
    fresh = tmp_path / "fresh-docs"
    assert build_docs(fresh, project_dir=project) == fresh / "index.html"
    assert index_runs(fresh) == index_runs(docs)
    assert not [u for p in pages(fresh) for u in resources(p) if _EXTERNAL.match(u)]


def test_the_project_is_locked_while_in_use(tmp_path: Path) -> None:
    project = tmp_path / "gx"
    project.mkdir()
    entered = threading.Event()

    def use() -> None:
        with datadocs.context(project, None):
            entered.set()

    with (project / datadocs.LOCK_FILE).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as another process in the middle of a gate
        thread = threading.Thread(target=use)
        thread.start()
        assert not entered.wait(1.0), "the context must wait for the lock"
        fcntl.flock(held, fcntl.LOCK_UN)
    assert entered.wait(120)
    thread.join()
