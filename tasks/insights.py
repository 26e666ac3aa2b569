"""Answer the insight questions after the load and publish them as Prefect artifacts.

The answers cover everything the warehouse holds (not only the run's days), so every run's
artifacts show the current state. The HTML report is written per warehouse under data_dir
(Config.report_path); a link artifact points at it only where data_dir is served over HTTP
([reports] base_url), since the UI cannot open a path on the worker.
"""

from __future__ import annotations

import socket
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from music_analytics import insights, secrets, warehouse
from music_analytics.config import Config
from music_analytics.insights import display, html, text

from .retry import retrying

# Results also published as table artifacts (sortable in the Prefect UI); all are in the markdown.
TABLES = ("top_songs", "top_artists", "funnels", "active_users")
ARTIFACT_ROWS = 15
KEY = "music-analytics-insights"


def artifact_value(column: str, value: Any) -> Any:
    """A cell of a table artifact: numbers stay numbers (the UI sorts them), floats rounded as shown."""
    if isinstance(value, float):
        return round(value, 4 if display.is_rate(column) else 2)
    return text.json_value(value)


def _where(cfg: Config) -> str:
    return cfg.public_url(cfg.report_path) or f"`{cfg.report_path.resolve()}` on `{socket.gethostname()}`"


@task(name="insights", cache_policy=NO_CACHE, **retrying())
def publish_insights(cfg: Config) -> dict[str, Any]:
    path = cfg.report_path
    try:
        report = insights.run(warehouse.for_config(cfg))
    except insights.NotReady as exc:
        # The run's data is published and the ledger says so; a warehouse that cannot answer yet
        # (loaded before the events fact) is reported, not turned into a failed run every day.
        message = secrets.redact(str(exc))
        get_run_logger().warning(f"insights skipped: {message}")
        create_markdown_artifact(
            key=KEY,
            markdown=f"**Insights skipped:** {message}",
            description="Insights over the whole warehouse after this run",
        )
        return {"html": None, "skipped": message}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html.render_html(report), encoding="utf-8")
    markdown = text.to_markdown(report, ARTIFACT_ROWS) + f"\n\nThe whole report (charts, every row): {_where(cfg)}\n"
    create_markdown_artifact(key=KEY, markdown=markdown, description="Insights over the whole warehouse after this run")
    for name in TABLES:
        result = report.result(name)
        create_table_artifact(
            key=f"music-analytics-{name.replace('_', '-')}",
            table=[
                {display.label(c): artifact_value(c, v) for c, v in zip(result.columns, row, strict=True)}
                for row in result.rows
            ],
            description=result.purpose,
        )
    url = cfg.public_url(path)
    if url is not None:
        create_link_artifact(
            key=f"{KEY}-report",
            link=url,
            link_text="Insights report (HTML)",
            description="Charts and tables of every insight",
        )
    top = report.result("top_songs").records()
    return {
        "html": str(path),
        "url": url,
        "top_song": f"{top[0]['song']} - {top[0]['artist']}" if top else None,
        "plays": top[0]["plays"] if top else 0,
    }
