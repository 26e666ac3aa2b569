"""The Great Expectations project behind the gates, and its Data Docs site, readable without network.

Nothing here depends on what the data is (pandas frames, SQL tables, Spark DataFrames): callers
bring their own data source and batch definition; this module keeps the suites, validation
definitions and results, and turns them into the site.

Two kinds of context:

- persistent (`project_dir` given): a GX file project under `project_dir` (GX puts it in
  `project_dir/gx/`). Suites, validation definitions and every validation result persist across
  runs and processes, so the index lists every run. Each use holds an exclusive flock on
  `project_dir/music-analytics.lock`: runs on different warehouses may share a data folder, and GX
  rewrites great_expectations.yml and suite files without any locking of its own. The context is
  reopened under every lock because another process may have changed the files meanwhile; a gate
  holds one (session()) across its suites.
- ephemeral (`project_dir` None): in memory, one per docs folder and process, as before.

The site: GX renders only the pages of this process's new results and suites, then the index
(which reads every stored result: about 1 ms each). GX's page templates load Bootstrap, jQuery,
bootstrap-table, Font Awesome, ... from CDNs and the logo from S3; after each build the pages
written are rewritten to the copies vendored in docs_assets/ (installed under
`<docs_dir>/static/vendor/`) and to GX's own static files, so the site opens from file:// offline.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import os
import posixpath
import re
import threading
from collections.abc import Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

log = logging.getLogger(__name__)

SITE = "music_analytics"
LOCK_FILE = "music-analytics.lock"
VENDOR_DIR = "static/vendor"  # under the docs root

# Every CDN resource GX 1.24's page templates load -> the vendored file (under docs_assets/: each
# package's files at their path in the package, less a leading dist/, which .gitignore ignores).
# bootstrap-table's filter-control CSS is referenced at 1.19.0 while its JS is 1.19.1: the two
# releases' CSS are the same rules (only the banner's version differs), so 1.19.1's serves both.
VENDORED: dict[str, str] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": ("bootstrap-4.3.1/css/bootstrap.min.css"),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": ("bootstrap-4.3.1/js/bootstrap.min.js"),
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery-3.7.1/jquery.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": ("popper.js-1.12.9/umd/popper.min.js"),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table-1.19.1/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table-1.19.1/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table-1.19.1/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table-1.19.1/extensions/filter-control/bootstrap-table-filter-control.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table-1.19.1/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker-1.9.0/css/bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker-1.9.0/js/bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "fontawesome-free-6.6.0/css/all.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "bootstrap-dark-1.1.0/css/bootstrap-prefers-dark.css"
    ),
}
# Vega draws the charts of validation pages, which only one expectation type has and no suite
# uses (profiling pages draw some too; the gates never profile): dropped rather than vendored.
UNVENDORED = (
    "https://cdn.jsdelivr.net/npm/vega@5",
    "https://cdn.jsdelivr.net/npm/vega-lite@5",
    "https://cdn.jsdelivr.net/npm/vega-embed@6",
)
CHART_EXPECTATIONS = frozenset({"expect_column_kl_divergence_to_be_less_than"})
# GX's logo is loaded from S3 (with a timestamp and the context id as query); GX copies the same
# image into static/images/. The dark-mode logo is not in the package: the
# light one stands in.
GX_WEB_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
GX_IMAGES = {"logo-long.png": "static/images/logo-long.png", "full_logo_dark.png": "static/images/logo-long.png"}

_THREADS = threading.Lock()  # GX contexts are not thread-safe; flock alone does not cover threads
_SESSION = threading.local()  # the context a session() holds for its thread
_PENDING: dict[tuple[Path | None, Path | None], list[Any]] = {}  # resources whose pages are not built yet


def assets() -> Traversable:
    """The vendored static files (a package resource, so that it works from a wheel)."""
    return files("music_analytics.quality") / "docs_assets"


# -- the context -----------------------------------------------------------------------------------


@contextlib.contextmanager
def context(project_dir: Path | None, docs_dir: Path | None) -> Iterator[Any]:
    """A configured GX context, held exclusively (across processes when persistent) while in use.

    Inside a session() for the same folders, the session's context (already held) is used.
    """
    key = (_resolved(project_dir), _resolved(docs_dir))
    held = getattr(_SESSION, "held", None)
    if held is not None:
        if held[0] != key:  # waiting for our own thread's lock would never end
            raise RuntimeError(f"a GX session for {held[0]} is open in this thread, not for {key}")
        yield held[1]
        return
    with _THREADS:
        if project_dir is None:
            yield _ephemeral(key[1])
            return
        project_dir.mkdir(parents=True, exist_ok=True)
        with (project_dir / LOCK_FILE).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield _persistent(project_dir.resolve(), key[1])
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def session(project_dir: Path | None, docs_dir: Path | None) -> Iterator[None]:
    """Hold one context (and the lock) across a gate's validations and its build().

    Opening the file project costs ~0.1 s once it holds a few data assets (GX validates its whole
    configuration): once per gate rather than once per suite.
    """
    if getattr(_SESSION, "held", None) is not None:
        raise RuntimeError("a GX session is already open in this thread")
    with context(project_dir, docs_dir) as ctx:
        _SESSION.held = ((_resolved(project_dir), _resolved(docs_dir)), ctx)
        try:
            yield
        finally:
            _SESSION.held = None


def _resolved(path: Path | None) -> Path | None:
    return None if path is None else path.resolve()


def _quiet() -> None:
    # GX logs "Calculating Metrics" progress bars and INFO chatter on every validation.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


@functools.cache
def _ephemeral(docs_dir: Path | None) -> Any:
    import great_expectations as gx

    _quiet()
    ctx = gx.get_context(mode="ephemeral")
    _configure(ctx, docs_dir, persistent=False)
    return ctx


def _persistent(project_dir: Path, docs_dir: Path | None) -> Any:
    import great_expectations as gx

    _quiet()
    ctx = gx.get_context(mode="file", project_root_dir=str(project_dir))
    _configure(ctx, docs_dir, persistent=True)
    return ctx


def _configure(ctx: Any, docs_dir: Path | None, *, persistent: bool) -> None:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    # Only our site: GX's default local_site would build a second copy inside the project.
    sites = (
        {}
        if docs_dir is None
        else {
            SITE: {
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            }
        }
    )
    if (ctx.variables.data_docs_sites or {}) != sites:
        ctx.variables.data_docs_sites = sites
        if persistent:
            ctx.variables.save()


# -- suites, validation definitions, results -----------------------------------------------------------


def store_suite(ctx: Any, suite: Any) -> Any:
    """Add the suite, or replace the stored one of that name (its id stays: definitions refer to it)."""
    return ctx.suites.add_or_update(suite)


def definition(ctx: Any, name: str, batch_definition: Any, suite: Any) -> Any:
    """The validation definition `name` of `batch_definition` against `suite`, created when missing."""
    import great_expectations as gx
    from great_expectations.exceptions.exceptions import DataContextError

    try:
        found = ctx.validation_definitions.get(name)
    except DataContextError:
        found = None
    if (
        found is not None
        and found.suite.id == suite.id
        and found.batch_definition.id == batch_definition.id
        and found.is_fresh().success
    ):
        return found
    # Missing, or pointing at a suite or data that was replaced (e.g. a data source re-created).
    return ctx.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
    )


def record(ctx: Any, project_dir: Path | None, docs_dir: Path | None, result: Any) -> None:
    """Queue the pages of a validation result (and of its suite) for the next build()."""
    if docs_dir is None:
        return
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    suite: Any = ExpectationSuiteIdentifier(name=result.suite_name)
    identifier: Any = ValidationResultIdentifier
    # The result's key is (suite, run name, run time, batch id); GX does not return it, and the batch
    # id is the data source's business: list the one run folder instead.
    prefix = suite.to_tuple() + result.meta["run_id"].to_tuple()
    keys = [identifier.from_tuple(k) for k in ctx.validation_results_store.store_backend.list_keys(prefix)]
    pending = _PENDING.setdefault((_resolved(project_dir), _resolved(docs_dir)), [])
    pending += [k for k in [*keys, suite] if k not in pending]


# -- the site --------------------------------------------------------------------------------------


def build(project_dir: Path | None, docs_dir: Path | None) -> Path | None:
    """Render the queued pages and the index, made readable offline; returns the index.html."""
    if docs_dir is None:
        return None
    given, docs_dir = docs_dir, docs_dir.resolve()
    with context(project_dir, docs_dir) as ctx:
        pending = _PENDING.pop((_resolved(project_dir), docs_dir), [])
        index = docs_dir / "index.html"
        if not index.exists():
            # A new (or deleted) site: every stored result gets its page, not only this run's.
            ctx.build_data_docs(site_names=[SITE])
            pages = sorted(docs_dir.rglob("*.html"))
        elif pending:
            # An empty list would mean "everything" to GX: hence the branch above for a new site.
            ctx.build_data_docs(site_names=[SITE], resource_identifiers=pending)
            pages = [index, *filter(None, (_page(ctx, r) for r in pending))]
        else:
            pages = []
        install_assets(docs_dir)
        leftovers = {url for page in pages for url in localise(page, docs_dir)}
    if leftovers:
        log.warning(
            "Data Docs pages still load %d resources from the network: %s", len(leftovers), ", ".join(sorted(leftovers))
        )
    return given / "index.html" if index.exists() else None  # as the caller named the folder


def _page(ctx: Any, resource: Any) -> Path | None:
    (found,) = ctx.get_docs_sites_urls(resource_identifier=resource, site_name=SITE)
    url = found.get("site_url")
    return Path(unquote(urlparse(url).path)) if url else None


def install_assets(docs_dir: Path) -> None:
    """Copy the vendored files into the site (unchanged ones are left alone)."""

    def copy(source: Traversable, target: Path) -> None:
        for item in source.iterdir():
            if item.is_dir():
                copy(item, target / item.name)
                continue
            data = item.read_bytes()
            path = target / item.name
            if not path.exists() or path.stat().st_size != len(data) or path.read_bytes() != data:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)

    copy(assets(), docs_dir / VENDOR_DIR)


_TAG = re.compile(r"<(?:link|script|img)\b[^>]*>", re.I)
_URL_ATTR = re.compile(r"""(\s(?:src|href)\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
# Integrity is checked against the CDN copy's hash (tests do that for the vendored files); on a
# file:// page a crossorigin script fails CORS, so both go with the rewrite.
_SRI = re.compile(r"""\s(?:integrity|crossorigin)\s*=\s*(["']).*?\1""", re.I | re.S)
_CSS_URL = re.compile(r"""(url\(\s*)(["']?)([^"')]*)\2(\s*\))""", re.I)
_UNVENDORED = "|".join(re.escape(u) for u in UNVENDORED)
_DROPPED = re.compile(rf"""<script\b[^>]*\ssrc\s*=\s*["'](?:{_UNVENDORED})["'][^>]*>\s*</script>\s*""", re.I)
_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)


def local_target(url: str) -> str | None:
    """Where, relative to the docs root, the site keeps the resource GX loads from `url`."""
    if url in VENDORED:
        return f"{VENDOR_DIR}/{VENDORED[url]}"
    if url.startswith(GX_WEB_ASSETS):
        return GX_IMAGES.get(url[len(GX_WEB_ASSETS) :].split("?", 1)[0])
    # GX counts a validation page's depth one short for its favicon (../../../static/ from four
    # folders down): every relative link to static/ is re-anchored at the docs root.
    parts = url.split("?", 1)[0].split("/")
    while parts and parts[0] in ("..", "."):
        parts.pop(0)
    return "/".join(parts) if len(parts) > 1 and parts[0] == "static" else None


def localise(page: Path, docs_dir: Path) -> list[str]:
    """Point the page's stylesheets, scripts, images and CSS url()s at the site's own copies.

    Returns the resource URLs still external (none, unless GX changed its templates).
    """
    html = page.read_text(encoding="utf-8")
    base = page.parent.relative_to(docs_dir).as_posix()

    def relative(url: str) -> str | None:
        target = local_target(url.strip())
        return None if target is None else posixpath.relpath(target, base)

    def tag(match: re.Match[str]) -> str:
        text = match.group()
        found = _URL_ATTR.search(text)
        local = relative(found.group(3)) if found else None
        if found is None or local is None:
            return text
        text = text[: found.start(3)] + local + text[found.end(3) :]
        return _SRI.sub("", text)

    def css(match: re.Match[str]) -> str:
        opening, quote, url, closing = match.groups()
        local = relative(url)
        return match.group() if local is None else f"{opening}{quote}{local}{quote}{closing}"

    rewritten = _CSS_URL.sub(css, _TAG.sub(tag, _DROPPED.sub("", html)))
    if rewritten != html:
        tmp = page.with_name(page.name + ".tmp")
        tmp.write_text(rewritten, encoding="utf-8")
        os.replace(tmp, page)  # a reader never sees half a page
    return external_resources(rewritten)


def external_resources(html: str) -> list[str]:
    """URLs of stylesheets, scripts, images and CSS url()s the page would fetch from the network."""
    found = []
    for match in _TAG.finditer(html):
        attr = _URL_ATTR.search(match.group())
        if attr and _EXTERNAL.match(attr.group(3)):
            found.append(attr.group(3))
    found += [m.group(3) for m in _CSS_URL.finditer(html) if _EXTERNAL.match(m.group(3))]
    return found
