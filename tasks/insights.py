"""Answer the insight questions after the load and publish them as Prefect artifacts.

The answers cover everything the warehouse holds (not only the run's days), so every run's
artifacts show the current state. The HTML report is written next to the lake and linked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from music_analytics import insights, secrets, warehouse
from music_analytics.config import Config
from music_analytics.insights import html, text

from .retry import retrying

# Results also published as table artifacts (sortable in the Prefect UI); all are in the markdown.
TABLES = ("top_songs", "top_artists", "funnels", "active_users")
ARTIFACT_ROWS = 15


def report_path(cfg: Config) -> Path:
    return cfg.data_dir / "reports" / "insights.html"


@task(name="insights", cache_policy=NO_CACHE, **retrying())
def publish_insights(cfg: Config) -> dict[str, Any]:
    try:
        report = insights.run(warehouse.for_config(cfg))
    except insights.NotReady as exc:
        # The run's data is published and the ledger says so; a warehouse that cannot answer yet
        # (loaded before the events fact) is reported, not turned into a failed run every day.
        message = secrets.redact(str(exc))
        get_run_logger().warning(f"insights skipped: {message}")
        create_markdown_artifact(key="music-analytics-insights", markdown=f"**Insights skipped:** {message}",
                                 description="Insights over the whole warehouse after this run")
        return {"html": None, "skipped": message}
    path = report_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html.render_html(report), encoding="utf-8")
    create_markdown_artifact(key="music-analytics-insights", markdown=text.to_markdown(report, ARTIFACT_ROWS),
                             description="Insights over the whole warehouse after this run")
    for name in TABLES:
        result = report.result(name)
        create_table_artifact(key=f"music-analytics-{name.replace('_', '-')}",
                              table=[{c: text.json_value(v) for c, v in r.items()} for r in result.records()],
                              description=result.purpose)
    create_link_artifact(key="music-analytics-insights-report", link=path.resolve().as_uri(),
                         link_text="Insights report (HTML)", description="Charts and tables of every insight")
    top = report.result("top_songs").records()
    return {"html": str(path), "top_song": f"{top[0]['song']} - {top[0]['artist']}" if top else None,
            "plays": top[0]["plays"] if top else 0}
