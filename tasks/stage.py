"""Bulk-load the lake into the warehouse's staging tables (COPY / Parquet scan), with the ledger's file rows."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from music_analytics import pipeline
from music_analytics.config import Config
from music_analytics.ledger import Plan
from music_analytics.warehouse import MergeCounts

from .retry import retrying


@task(name="stage", cache_policy=NO_CACHE, **retrying())
def stage(cfg: Config, lake: Path, files: Plan, run_id: str) -> MergeCounts:
    return pipeline.stage(cfg, lake, files, run_id, get_run_logger().info)
