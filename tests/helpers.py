"""What several test modules share: real components, configs, data builders. Test modules import from
here (never from each other); conftest.py holds the fixtures and the markers that sort tests into tiers.

Anything a test needs that is absent fails loudly under CI=true and skips only on a developer's
machine (`need`), so a green CI never hides a skipped test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from music_analytics import pipeline
from music_analytics import tables as catalogue
from music_analytics import warehouse as wh
from music_analytics.config import Config, load_config
from music_analytics.warehouse.base import quote

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_HOST = os.environ.get("MA_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("MA_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("MA_TEST_PG_USER", "postgres")
# The `flow_cli` fixture: runs `python flows/main.py ARGS` in a process of its own.
FlowCli = Callable[..., subprocess.CompletedProcess[str]]


def need(condition: bool, what: str) -> None:
    """Skip locally, fail in CI, when a real component the test needs is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required for this test but missing in CI: {what}")
    pytest.skip(f"missing: {what}")


def sample_path() -> Path:
    env = os.environ.get("SPARKIFY_SAMPLE")
    return Path(env) if env else REPO.parent / "shared" / "data" / "sparkify-sample"


# -- PostgreSQL --------------------------------------------------------------------------------------


def pg_admin() -> psycopg2.extensions.connection:
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=5)
    conn.autocommit = True
    return conn


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped on exit."""
    name = f"ma_test_{uuid.uuid4().hex[:12]}"
    admin = pg_admin()
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    try:
        yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin = pg_admin()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# -- configs and runs --------------------------------------------------------------------------------


def make_config(tmp_path: Path, source: Path | str | None, warehouse: str, **flags: object) -> Config:
    """A Config isolated in tmp_path (no INI file, no environment overrides).

    Quality gates are off unless asked for (quality_gates="lake,warehouse"): they cost ~3 s a run
    and have their own tests (test_quality.py, and every flow run through flows/main.py).
    """
    flags.setdefault("quality_gates", "none")
    return load_config(
        environ={},
        source=str(source) if source else None,
        warehouse=warehouse,
        data_dir=str(tmp_path / "data"),
        **flags,
    )


def with_settings(cfg: Config, **values: object) -> Config:
    """The config with some settings changed, by their flag destination (reload=True,
    quality_gates=(), start=date, ...): typed values, not validated (a test's shortcut)."""
    from music_analytics.config import settings

    by_dest = {s.dest: s for s in settings()}
    for dest, value in values.items():
        s = by_dest[dest]
        section = getattr(cfg, s.section)
        cfg = dataclasses.replace(cfg, **{s.section: dataclasses.replace(section, **{s.key: value})})
    return cfg


def expectations_at(gate: str) -> int:
    """How many expectations a gate evaluates (from the suites in expectations/)."""
    from music_analytics import quality

    return sum(len(s.expectations) for s in quality.suites(gate))


# The star schema's tables (and the events fact, and rejected records), in merge order.
STAR = tuple(t.name for t in catalogue.STAR)
# ... and the tables the warehouse derives from them (user_levels, play_skips, sessions).
WAREHOUSE_TABLES = (*STAR, *(t.name for t in catalogue.DERIVED))


def query(warehouse: wh.Warehouse, statement: str) -> list[tuple[Any, ...]]:
    """Run one read-only query in its own transaction."""
    with warehouse.transaction() as tx:
        return warehouse.fetch(tx, statement)


def row_count(warehouse: wh.Warehouse, table: str) -> int:
    return int(query(warehouse, f"SELECT COUNT(*) FROM {quote(table)}")[0][0])


def table_rows(warehouse: wh.Warehouse, table: str) -> list[tuple[Any, ...]]:
    """All rows of a pipeline table in key order (comparisons of whole tables)."""
    t = catalogue.BY_NAME[table]
    cols = ", ".join(quote(c) for c in t.names)
    order = ", ".join(quote(k) for k in t.key)
    return query(warehouse, f"SELECT {cols} FROM {quote(table)} ORDER BY {order}")


def tables(cfg: Config) -> dict[str, list[tuple[Any, ...]]]:
    """Every pipeline table of the config's warehouse (star schema and derived), in key order."""
    w = wh.connect(cfg.warehouse)
    return {t: table_rows(w, t) for t in WAREHOUSE_TABLES}


def one_shot(tmp_path: Path, source: Path, **flags: object) -> dict[str, list[tuple[Any, ...]]]:
    """The tables of one plain run over `source` into a fresh DuckDB warehouse (the reference result)."""
    cfg = make_config(tmp_path / "one-shot", source, f"duckdb:///{tmp_path / 'one-shot.duckdb'}", **flags)
    pipeline.run(cfg)
    return tables(cfg)


def count(cfg: Config, sql: str) -> Any:
    return query(wh.connect(cfg.warehouse), sql)[0][0]


# -- raw files ---------------------------------------------------------------------------------------


def day_file(source: Path, day: dt.date) -> Path:
    return source / "log_data" / f"{day:%Y}" / f"{day:%m}" / f"{day:%Y-%m-%d}-events.json"


def plays_in(path: Path) -> int:
    """NextSong events of logged-in users in one raw file: the songplays it must give."""
    events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return sum(1 for e in events if e["page"] == "NextSong" and e["userId"] != "")


def append(path: Path, *lines: str) -> None:
    """Append records as lines (the sample's files do not all end with a newline)."""
    text = path.read_text()
    path.write_text(text + ("" if text.endswith("\n") else "\n") + "".join(line + "\n" for line in lines))


def copy_of(sample: Path, tmp_path: Path) -> Path:
    """A private copy of the sample for tests that change files (never the shared one)."""
    target = tmp_path / "source"
    shutil.copytree(sample, target)
    return target


def one_more_play(sample: Path, tmp_path: Path) -> Path:
    """The sample plus one more play of the last day's last user: a copy with one changed file."""
    source = tmp_path / "one-more-play"
    shutil.copytree(sample, source)
    day = sorted((source / "log_data").rglob("*-events.json"))[-1]
    last = json.loads(day.read_text().strip().splitlines()[-1])
    play = {
        **last,
        "page": "NextSong",
        "ts": last["ts"] + 1,
        "itemInSession": last["itemInSession"] + 1,
        "song": "Intro",
        "artist": "Nobody",
        "length": 100.0,
    }
    with day.open("a") as fh:
        fh.write("\n" + json.dumps(play) + "\n")
    return source


# -- a source of malformed and odd input (test_malformed, and Spark parity) ----------------------------

GOOD = {
    "artist": "Des'ree",
    "auth": "Logged In",
    "firstName": "Kaylee",
    "gender": "F",
    "itemInSession": 1,
    "lastName": "Summers",
    "length": 246.30812,
    "level": "free",
    "location": "Phoenix-Mesa-Scottsdale, AZ",
    "method": "PUT",
    "page": "NextSong",
    "registration": 1540344794796.0,
    "sessionId": 139,
    "song": "You Gotta Be",
    "status": 200,
    "ts": 1541106106796,
    "userAgent": '"Mozilla/5.0 (Windows NT 6.1; WOW64)"',
    "userId": "8",
}


def event(**changes: object) -> dict[str, object]:
    e = dict(GOOD)
    for key, value in changes.items():
        if value is ...:
            del e[key]
        else:
            e[key] = value
    return e


def line(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":")).replace("/", "\\/")


SONG = {
    "num_songs": 1,
    "artist_id": "ARJIE2Y1187B994AB7",
    "artist_latitude": None,
    "artist_longitude": None,
    "artist_location": "",
    "artist_name": "Line Renaud",
    "song_id": "SOUPIRU12A6D4FA1E1",
    "title": "Der Kleine Dompfaff",
    "duration": 152.92036,
    "year": 0,
}


def song(**changes: object) -> dict[str, object]:
    s = dict(SONG)
    for key, value in changes.items():
        if value is ...:
            del s[key]
        else:
            s[key] = value
    return s


# (line text, expected reason or None for accepted) in file order; "" lines are blank (not records).
DAY1: list[tuple[str, str | None]] = [
    (line(event()), None),
    ("this is not json", "not_json"),
    (line(event(itemInSession=2))[:-20], "not_json"),  # truncated
    ("[1, 2, 3]", "not_object"),
    ('"just a string"', "not_object"),
    ("", None),
    (line(event(itemInSession=3, ts="1541106106796")), "invalid_ts"),
    (line(event(itemInSession=4, ts=...)), "missing_ts"),
    (line(event(itemInSession=5, ts=None)), "missing_ts"),
    (line(event(itemInSession=6, ts=12)), "invalid_ts"),  # seconds-scale: outside 2000..2100 in ms
    (line(event(itemInSession=7, page=...)), "missing_field"),
    (line(event(itemInSession=8, sessionId="139")), "invalid_type"),
    (line(event(itemInSession=9, length=None)), "incomplete_play"),
    (line(event(itemInSession=10, song="")), "incomplete_play"),
    (line(event()), "duplicate_event"),  # an exact copy of line 1
    ("   ", None),
    (line({}), "missing_ts"),
    (
        line(
            event(
                itemInSession=11,
                userId=...,
            )
        ),
        "missing_field",
    ),
    (line(event(itemInSession=12, status="200")), "invalid_type"),
    (line(event(itemInSession=13, itemInSession_extra=1)), None),  # unknown keys are ignored
    (
        line(
            event(
                itemInSession=14,
                userId="",
                page="Home",
                song=None,
                artist=None,
                length=None,
                firstName=None,
                lastName=None,
            )
        ),
        None,
    ),  # logged out: accepted, no songplay
    (line(event(itemInSession=15, ts=1541106106796.0)), None),  # integral float ts is accepted
]


def write_source(root: Path) -> None:
    songs = root / "song_data" / "A" / "B" / "C"
    songs.mkdir(parents=True)
    (songs / "TRA0.json").write_text(json.dumps(song()))
    (songs / "TRA1.json").write_text(json.dumps(song(song_id="SONUM1", title=4.6, artist_name=311, artist_id="AR311")))
    # Several objects in one file: concatenated on one line, then pretty-printed.
    (songs / "TRA2.json").write_text(
        json.dumps(song(song_id="SOMULTI1"))
        + json.dumps(song(song_id="SOMULTI2"))
        + "\n"
        + json.dumps(song(song_id="SOMULTI3"), indent=2)
        + "\n"
    )
    (songs / "TRA3.json").write_text("{not json at all")
    (songs / "TRA4.json").write_text("[1, 2]")
    (songs / "TRA5.json").write_text(json.dumps(song(song_id=...)))
    (songs / "TRA6.json").write_text(json.dumps(song(title="A different title")))  # duplicate song_id
    (songs / "TRA7.json").write_text(json.dumps(song(song_id="SONEG", duration=-1.0)))
    (songs / "TRA8.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(song(song_id="SOBOM")).encode())
    (songs / "TRA9.json").write_text("")
    logs = root / "log_data" / "2018" / "11"
    logs.mkdir(parents=True)
    text = "\n".join(t for t, _ in DAY1)  # no newline at the end of the last line
    (logs / "2018-11-01-events.json").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    (logs / "2018-11-02-events.json").write_text("")
    (logs / "2018-11-03-events.json").write_text(line(event(itemInSession=20, ts=1541206106796)) + "\n\n")


EXPECTED_SONG_REJECTS = {
    ("song_data/A/B/C/TRA3.json", 1): "not_json",
    ("song_data/A/B/C/TRA4.json", 1): "not_object",
    ("song_data/A/B/C/TRA5.json", 1): "missing_field",
    ("song_data/A/B/C/TRA6.json", 1): "duplicate_song",
    ("song_data/A/B/C/TRA7.json", 1): "invalid_value",
}


# -- SQL generated from the table catalogue ----------------------------------------------------------


def named_statements(out: dict[str, str], name: str, statements: list[str]) -> None:
    """Add statements under `name` (several: name.1, name.2, ...), as the golden files are named."""
    if len(statements) == 1:
        out[name] = statements[0]
    else:
        out.update({f"{name}.{i}": s for i, s in enumerate(statements, 1)})


def generated_statements(dialect: Any) -> dict[str, str]:
    """Every statement generated from the catalogue in `dialect` (a render.Dialect), by name."""
    from music_analytics.warehouse import render

    out: dict[str, str] = {}
    for table in catalogue.ALL:
        out[f"create.{table.name}"] = render.create_table(table, dialect)
        named_statements(out, f"merge.{table.name}", render.merge(table, dialect))
        if dialect.merge_through_delta and table.merge == "upsert":
            out[f"merge.delta_counts.{table.name}"] = render.delta_counts(table)
    for migration in catalogue.MIGRATIONS:
        table = catalogue.BY_NAME[migration.table]
        named_statements(out, f"migrate.{migration.id}", render.migration(migration, table, dialect))
    return out
