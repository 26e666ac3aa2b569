"""Resolve the source (demo data on first use) and run the engine: raw files -> lake."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from music_analytics import pipeline
from music_analytics.config import Config
from music_analytics.engines import TransformResult

from .retry import retrying


@task(name="resolve-source", cache_policy=NO_CACHE)
def resolve_source(cfg: Config) -> str:
    logger = get_run_logger()
    return pipeline.resolve_source(cfg, logger.info)


@task(name="transform", cache_policy=NO_CACHE, **retrying())
def transform(cfg: Config, source: str) -> TransformResult:
    logger = get_run_logger()
    return pipeline.transform(cfg, source, logger.info)
