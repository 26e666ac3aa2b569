"""Insights: the questions in sql/insights/ run against a warehouse, and the recommender export.

Each question is one SQL file whose first line says what it answers; this module only knows the
order they are shown in, a title and how the HTML report draws them (QUESTIONS). The same SQL
runs on DuckDB and PostgreSQL and parses as Redshift: the period is filled in as timestamp
literals built from dates, never from free text. docs/insights.md defines every answer; the text in
an answer is shown repaired of double-encoded UTF-8 (repair_text), while the SQL groups and ranks on
the text as logged.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from .. import sql
from ..errors import ConfigError, WarehouseError
from ..warehouse.base import Warehouse
from .display import repair_text
from .model import Chart, Report, Result

__all__ = [
    "QUESTIONS",
    "Chart",
    "NotReady",
    "Question",
    "Report",
    "Result",
    "export_interactions",
    "repair_text",
    "run",
]


@dataclass(frozen=True)
class Question:
    name: str
    title: str
    charts: tuple[Chart, ...] = ()


_TOP = 10


def _weekday_hour_heatmap(title: str) -> Chart:
    # The answer leaves out the cells without plays: they are 0, and every weekday and hour is shown.
    return Chart(
        "heatmap",
        title,
        ("plays",),
        x="hour",
        y="weekday",
        missing=0,
        x_values=tuple(range(24)),
        y_values=tuple(range(1, 8)),
    )


QUESTIONS: tuple[Question, ...] = (
    Question(
        "top_songs",
        "Top songs",
        (
            Chart("bar", "Plays", ("plays",), label=("song", "artist"), order="rank_by_plays", limit=_TOP),
            Chart(
                "bar", "Minutes listened", ("minutes",), label=("song", "artist"), order="rank_by_minutes", limit=_TOP
            ),
        ),
    ),
    Question(
        "top_artists",
        "Top artists",
        (
            Chart("bar", "Plays", ("plays",), label=("artist",), order="rank_by_plays", limit=_TOP),
            Chart("bar", "Minutes listened", ("minutes",), label=("artist",), order="rank_by_minutes", limit=_TOP),
        ),
    ),
    Question("daily_listening", "Listening per day", (Chart("line", "Plays per day", ("plays",), x="day"),)),
    Question(
        "listening_heatmap",
        "When people listen",
        (_weekday_hour_heatmap("Plays by weekday and hour (UTC)"),),
    ),
    Question(
        "listening_heatmap_local",
        "When people listen, in their local time",
        (_weekday_hour_heatmap("Plays by weekday and hour (listener's local time)"),),
    ),
    Question(
        "plays_by_time_zone",
        "Listening by time zone",
        (Chart("bar", "Plays", ("plays",), label=("time_zone",)),),
    ),
    Question(
        "active_users",
        "Active users",
        (Chart("line", "Daily, weekly and monthly active users", ("dau", "wau", "mau"), x="day"),),
    ),
    Question("sessions", "Sessions"),
    Question("free_vs_paid", "Free vs paid", (Chart("bar", "Plays per user", ("plays_per_user",), label=("level",)),)),
    Question(
        "levels_per_day",
        "Paid and free users per day",
        (Chart("line", "Users at each level at the end of the day", ("free_users", "paid_users"), x="day"),),
    ),
    Question("level_changes", "Conversions, downgrades and paid tenure"),
    Question(
        "skip_rates",
        "Skip rates",
        (Chart("bar", "Share of judged plays skipped", ("skip_rate",), label=("dimension", "value")),),
    ),
    Question(
        "most_skipped",
        "Most skipped songs and artists",
        (Chart("bar", "Skips", ("skips",), label=("kind", "artist", "song"), limit=2 * _TOP),),
    ),
    Question(
        "funnels",
        "Upgrade, downgrade and churn funnels",
        (Chart("funnel", "Users reaching each step", ("users",), label=("page",), group="funnel"),),
    ),
    Question(
        "retention",
        "Retention by registration week",
        (
            # No row before a cohort's week: those cells are empty, not 0%.
            Chart(
                "heatmap",
                "Share of each cohort active per week",
                ("retention",),
                x="activity_week",
                y="cohort_week",
                missing=None,
                y_columns=("cohort_users",),
                legend="Share of the cohort active",
            ),
        ),
    ),
    Question("plays_by_gender", "Listening by gender", (Chart("bar", "Plays", ("plays",), label=("gender",)),)),
    Question(
        "plays_by_location",
        "Listening by place",
        (Chart("bar", "Plays (top 15 places)", ("plays",), label=("city", "state"), limit=15),),
    ),
    Question(
        "plays_by_device",
        "Listening by device",
        (Chart("bar", "Plays", ("plays",), label=("browser", "os"), limit=15),),
    ),
    Question(
        "match_rate",
        "Song match rate",
        (Chart("line", "Share of plays matched to a catalogue song", ("match_rate",), x="day"),),
    ),
)


def _timestamp(day: dt.date) -> str:
    # A literal from a date object, so nothing a user types reaches the SQL text.
    return f"TIMESTAMP '{day.isoformat()} 00:00:00'"


def period_values(start: dt.date | None, end: dt.date | None) -> dict[str, str]:
    """{{start}}/{{end}} for the half-open period [start 00:00, end + 1 day 00:00); None = unbounded."""
    if start and end and end < start:
        raise ConfigError(f"the period ends ({end}) before it starts ({start})")
    return {
        "start": _timestamp(start or dt.date(1900, 1, 1)),
        "end": _timestamp(end + dt.timedelta(days=1) if end else dt.date(9999, 12, 31)),
    }


def purpose(name: str) -> str:
    """The file's first line, without the comment marker: what the question answers."""
    return sql.read(f"insights/{name}.sql").splitlines()[0].removeprefix("--").strip()


def statement(name: str, **values: object) -> str:
    if "calendar" in sql.placeholders(sql.read(f"insights/{name}.sql")):
        # The day series several questions share, written once (sql/insights/_calendar.sql).
        values["calendar"] = sql.render("insights/_calendar.sql", **values)[0]
    statements = sql.render(f"insights/{name}.sql", **values)
    if len(statements) != 1:
        raise ValueError(f"sql/insights/{name}.sql must hold exactly one query")
    return statements[0]


def _shown(value: Any) -> Any:
    # PostgreSQL answers ratios as NUMERIC; DuckDB as DOUBLE: one Python type for both.
    if isinstance(value, Decimal):
        return float(value)
    # After the SQL: it grouped and ranked on the text as logged, the answer shows it repaired.
    return repair_text(value) if isinstance(value, str) else value


class NotReady(WarehouseError):
    """The warehouse cannot answer yet (no star schema, or events loaded only partly); says what to do."""


def _check_loaded(warehouse: Warehouse, tx: Any) -> None:
    """Fail with what to do, not with a missing-table error or silently partial answers."""
    try:
        [(songplays, event_plays)] = warehouse.fetch(tx, statement("checks/loaded"))
    except WarehouseError as exc:
        raise NotReady(
            f"warehouse {warehouse} holds no star schema to answer from; run the pipeline first "
            f"(music-analytics run). ({exc})"
        ) from exc
    if event_plays < songplays:
        raise NotReady(
            f"warehouse {warehouse}: the events table holds {event_plays:,} of the {songplays:,} plays: "
            "the warehouse was loaded before the events fact existed. Load it again once with "
            "--reload (music-analytics run --reload) to fill events from the raw files."
        )


def run(
    warehouse: Warehouse,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int = _TOP,
    questions: tuple[Question, ...] = QUESTIONS,
) -> Report:
    """Answer every question for the period, in one transaction that only reads."""
    if limit < 1:
        raise ConfigError(f"limit must be at least 1, not {limit}")
    values = {**period_values(start, end), "limit": limit}
    results = []
    with warehouse.transaction() as tx:
        _check_loaded(warehouse, tx)
        for q in questions:
            columns, rows = warehouse.fetch_with_columns(tx, statement(q.name, **values))
            results.append(
                Result(
                    q.name, q.title, purpose(q.name), columns, [tuple(_shown(v) for v in row) for row in rows], q.charts
                )
            )
    return Report(
        warehouse=str(warehouse),
        start=start,
        end=end,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        results=results,
    )


INTERACTIONS = "recommender/interactions"
LAST_PLAY = "recommender/last_play"
# The columns of sql/insights/recommender/interactions.sql, in order, as written to Parquet.
INTERACTIONS_SCHEMA = pa.schema(
    [
        ("split", pa.string()),
        ("user_id", pa.string()),
        ("song", pa.string()),
        ("artist", pa.string()),
        ("song_id", pa.string()),
        ("plays", pa.int64()),
        ("minutes", pa.float64()),
        ("thumbs_up", pa.int64()),
        ("playlist_adds", pa.int64()),
        ("skips", pa.int64()),
        ("last_ts", pa.int64()),
    ]
)


def export_interactions(
    warehouse: Warehouse, out: Path, test_days: int = 7, split_at: dt.date | None = None
) -> dict[str, Any]:
    """Write the user x song implicit-feedback matrix as out/train.parquet and out/test.parquet.

    The split is by time: events before `split_at` (default: the start of the last `test_days`
    days with plays) are train, the rest test. The rows come back through the adapter's bulk
    path (Arrow). Returns the manifest, also written as manifest.json.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if test_days < 1:
        raise ConfigError(f"test_days must be at least 1, not {test_days}")
    with warehouse.transaction() as tx:
        if split_at is None:
            last = warehouse.fetch(tx, statement(LAST_PLAY))[0][0]
            if last is None:
                raise ConfigError(f"warehouse {warehouse}: no plays to export (run the pipeline first)")
            split_at = last.date() - dt.timedelta(days=test_days - 1)
        table = warehouse.arrow(tx, statement(INTERACTIONS, split_at=_timestamp(split_at)), INTERACTIONS_SCHEMA)
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"split_at": dt.datetime.combine(split_at, dt.time()), "files": {}}
    for split in ("train", "test"):
        part = table.filter(pc.equal(table["split"], split)).drop_columns(["split"])
        path = out / f"{split}.parquet"
        pq.write_table(part, path)
        manifest["files"][split] = {
            "path": str(path),
            "rows": part.num_rows,
            "users": pc.count_distinct(part["user_id"]).as_py(),
            "songs": part.group_by(["song", "artist"]).aggregate([]).num_rows,
            "plays": pc.sum(part["plays"]).as_py() or 0,
        }
    (out / "manifest.json").write_text(json.dumps(manifest, default=str, indent=2) + "\n", encoding="utf-8")
    return manifest
