"""Publish the run summary as Prefect artifacts (markdown tables, rows per table, seconds per stage,
a link to the quality report where data_dir is served) and return it as plain data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from music_analytics.config import Config
from music_analytics.pipeline import RunSummary
from music_analytics.summary import as_dict, format_summary, to_markdown


@task(name="summary", cache_policy=NO_CACHE)
def summarize(cfg: Config, summary: RunSummary) -> dict[str, Any]:
    create_markdown_artifact(
        key="music-analytics-run-summary", markdown=to_markdown(summary), description="Music Analytics run summary"
    )
    data = as_dict(summary)
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
    docs = next((g.docs for g in reversed(summary.quality) if g.docs), None)
    # Only a link the Prefect UI can open: the Data Docs where data_dir is served ([reports] base_url).
    url = cfg.public_url(docs) if docs is not None else None
    if url is not None:
        create_link_artifact(
            key="music-analytics-quality-report",
            link=url,
            link_text="Great Expectations Data Docs",
            description="Quality gate report",
        )
    data["text"] = format_summary(summary)
    return data


def summarize_backfill(
    days: list[dt.date], results: list[dict[str, Any]], failed: dt.date | None = None
) -> dict[str, Any]:
    """A table artifact with one row per day of a backfill (and the day it stopped at)."""
    rows: list[dict[str, Any]] = [
        {
            "day": str(day),
            "status": r.get("status"),
            "files_loaded": r.get("files", {}).get("read", 0),
            "songplays_inserted": r.get("tables", {}).get("songplays", {}).get("inserted", 0),
            "seconds": round(sum(r.get("seconds", {}).values()), 2),
        }
        for day, r in zip(days, results, strict=False)
    ]
    if failed is not None:
        rows.append(
            {"day": str(failed), "status": "failed", "files_loaded": 0, "songplays_inserted": 0, "seconds": None}
        )
    create_table_artifact(key="music-analytics-backfill", table=rows, description="Backfill days, in order")
    text = "\n".join(
        f"  {r['day']}  {r['status']:<10} files {r['files_loaded']:>4}  "
        f"songplays inserted {r['songplays_inserted']:>7,}"
        for r in rows
    )
    return {"days": rows, "text": f"\nBackfill of {len(days)} days\n{text}"}
