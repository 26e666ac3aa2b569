"""Quality gates as tasks: validate, publish the results as a Prefect artifact, then stop the flow if blocked.

A blocking gate is not retried (a failing expectation fails the same way on every attempt); a
transient warehouse error while recording the results is, like in every other task.
"""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from music_analytics import pipeline
from music_analytics.config import Config
from music_analytics.quality import GateResult

from .retry import retrying


def _publish(result: GateResult | None) -> GateResult | None:
    if result is not None:
        create_markdown_artifact(
            key=f"music-analytics-quality-{result.gate}", markdown=result.markdown(), description=result.headline()
        )
    pipeline.enforce(result)
    return result


@task(name="quality-gate-lake", cache_policy=NO_CACHE, **retrying())
def lake_gate(cfg: Config, lake: Path, catalogue: Path | None, run_id: str) -> GateResult | None:
    return _publish(pipeline.check_lake(cfg, lake, catalogue, run_id, get_run_logger().info))


@task(name="quality-gate-warehouse", cache_policy=NO_CACHE, **retrying())
def warehouse_gate(cfg: Config, lake: Path, run_id: str) -> GateResult | None:
    return _publish(pipeline.audit(cfg, lake, run_id, get_run_logger().info))
