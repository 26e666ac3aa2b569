"""Resolve the source (demo data on first use), plan the run's files, run the engine: raw files -> lake."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from music_analytics import pipeline
from music_analytics.config import Config
from music_analytics.engines import TransformResult
from music_analytics.ledger import Plan

from .retry import retrying


@task(name="resolve-source", cache_policy=NO_CACHE)
def resolve_source(cfg: Config) -> str:
    return pipeline.resolve_source(cfg, get_run_logger().info)


@task(name="plan", cache_policy=NO_CACHE, **retrying())
def plan(cfg: Config, source: str) -> Plan:
    return pipeline.plan(cfg, source, get_run_logger().info)


@task(name="transform", cache_policy=NO_CACHE, **retrying())
def transform(cfg: Config, files: Plan) -> TransformResult:
    return pipeline.transform(cfg, files, get_run_logger().info)
