"""Record the run in the warehouse's run ledger (pipeline_runs) when it starts and when it ends."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from music_analytics import pipeline
from music_analytics.config import Config
from music_analytics.pipeline import RunSummary

from .retry import retrying


@task(name="ledger-begin", cache_policy=NO_CACHE, **retrying())
def begin(cfg: Config, summary: RunSummary) -> None:
    pipeline.begin(cfg, summary)


@task(name="ledger-finish", cache_policy=NO_CACHE, **retrying())
def finish(cfg: Config, summary: RunSummary, error: str | None) -> None:
    pipeline.finish(cfg, summary, error)
