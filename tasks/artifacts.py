"""What a run publishes in the Prefect UI: the gates, the summary, a backfill's days, the insights.

Called through the pipeline's publish hook (music_analytics.pipeline.Hooks.publish) inside the
flow run. Links only point where the UI can follow them: where data_dir is served over HTTP
([reports] base_url); a file:// path on the worker would open nowhere.
"""

from __future__ import annotations

import socket
from typing import Any

from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact

from music_analytics.config import Config
from music_analytics.insights import display, text
from music_analytics.pipeline import Backfill, InsightsOutcome, RunSummary
from music_analytics.quality import GateResult
from music_analytics.summary import as_dict, backfill_rows, to_markdown

# Insights also published as table artifacts (sortable in the Prefect UI); all are in the markdown.
INSIGHT_TABLES = ("top_songs", "top_artists", "funnels", "active_users", "levels_per_day", "skip_rates")
ARTIFACT_ROWS = 15
INSIGHTS_KEY = "music-analytics-insights"


def gate(result: GateResult) -> None:
    create_markdown_artifact(
        key=f"music-analytics-quality-{result.gate}", markdown=result.markdown(), description=result.headline()
    )


def summary(cfg: Config, s: RunSummary) -> None:
    create_markdown_artifact(
        key="music-analytics-run-summary", markdown=to_markdown(s), description="Music Analytics run summary"
    )
    data = as_dict(s)
    rows = [{"table": table, **counts} for table, counts in data.get("tables", {}).items()]
    if rows:
        create_table_artifact(
            key="music-analytics-tables", table=rows, description="Rows staged, inserted and updated per table"
        )
    create_table_artifact(
        key="music-analytics-stage-seconds",
        table=[{"stage": stage, "seconds": seconds} for stage, seconds in data["seconds"].items()],
        description="Wall time per stage",
    )
    docs = next((g.docs for g in reversed(s.quality) if g.docs), None)
    url = cfg.public_url(docs) if docs is not None else None
    if url is not None:
        create_link_artifact(
            key="music-analytics-quality-report",
            link=url,
            link_text="Great Expectations Data Docs",
            description="Quality gate report",
        )


def backfill(b: Backfill) -> None:
    create_table_artifact(key="music-analytics-backfill", table=backfill_rows(b), description="Backfill days, in order")


def artifact_value(column: str, value: Any) -> Any:
    """A cell of a table artifact: numbers stay numbers (the UI sorts them), floats rounded as shown."""
    if isinstance(value, float):
        return round(value, 4 if display.is_rate(column) else 2)
    return text.json_value(value)


def insights(cfg: Config, outcome: InsightsOutcome) -> None:
    if outcome.report is None:
        create_markdown_artifact(
            key=INSIGHTS_KEY,
            markdown=f"**Insights skipped:** {outcome.skipped}",
            description="Insights over the whole warehouse after this run",
        )
        return
    report = outcome.report
    where = outcome.url or f"`{cfg.report_path.resolve()}` on `{socket.gethostname()}`"
    markdown = text.to_markdown(report, ARTIFACT_ROWS) + f"\n\nThe whole report (charts, every row): {where}\n"
    create_markdown_artifact(
        key=INSIGHTS_KEY, markdown=markdown, description="Insights over the whole warehouse after this run"
    )
    for name in INSIGHT_TABLES:
        result = report.result(name)
        create_table_artifact(
            key=f"music-analytics-{name.replace('_', '-')}",
            table=[
                {display.label(c): artifact_value(c, v) for c, v in zip(result.columns, row, strict=True)}
                for row in result.rows
            ],
            description=result.purpose,
        )
    if outcome.url is not None:
        create_link_artifact(
            key=f"{INSIGHTS_KEY}-report",
            link=outcome.url,
            link_text="Insights report (HTML)",
            description="Charts and tables of every insight",
        )
