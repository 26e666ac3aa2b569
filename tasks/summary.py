"""Publish the run summary: a Prefect markdown artifact and the returned plain data."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from music_analytics.pipeline import RunSummary
from music_analytics.summary import as_dict, format_summary


@task(name="summary", cache_policy=NO_CACHE)
def summarize(summary: RunSummary) -> dict[str, Any]:
    create_markdown_artifact(
        key="music-analytics-run-summary",
        markdown="```\n" + format_summary(summary).strip() + "\n```",
        description="Music Analytics run summary",
    )
    data = as_dict(summary)
    data["text"] = format_summary(summary)
    return data
