"""Create the warehouse tables that are missing (idempotent, never drops)."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from music_analytics import pipeline
from music_analytics.config import Config

from .retry import retrying


@task(name="create-schema", cache_policy=NO_CACHE, **retrying())
def create_schema(cfg: Config) -> None:
    pipeline.create_schema(cfg)
