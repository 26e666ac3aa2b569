"""Merge staging into the star schema in one transaction (all tables or none)."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from music_analytics import pipeline
from music_analytics.config import Config
from music_analytics.warehouse import MergeCounts

from .retry import retrying


@task(name="load", cache_policy=NO_CACHE, **retrying())
def load(cfg: Config, staged: MergeCounts) -> MergeCounts:
    return pipeline.load(cfg, staged, get_run_logger().info)
