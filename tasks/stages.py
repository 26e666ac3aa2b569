"""Every pipeline stage as a Prefect task: the same function, with a name, retries and no caching."""

from __future__ import annotations

from typing import Any

from prefect import Task, task
from prefect.cache_policies import NO_CACHE

from music_analytics.pipeline import STAGES

from .retry import retrying

# Tasks get Config objects and paths, never DataFrames (Prefect would hash them for its cache).
TASKS: dict[str, Task[..., Any]] = {
    name: task(name=name, cache_policy=NO_CACHE, **retrying())(fn) for name, fn in STAGES.items()
}
