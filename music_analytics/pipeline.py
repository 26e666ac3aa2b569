"""The pipeline's stages as plain functions: what the Prefect tasks wrap and the tests call.

raw (folder) -> engine transform -> lake (Parquet) -> staging tables -> star-schema merge (one
transaction). Each stage takes the Config and returns what the next one needs, so any
orchestrator (Prefect here, a test, a benchmark) can run them in this order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import warehouse as wh
from .config import Config
from .engines import TransformResult, get_engine
from .sources import discover

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


@dataclass
class RunSummary:
    source: str
    warehouse: str
    engine: str
    transform: TransformResult | None = None
    merge: wh.MergeCounts | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Record the wall time of the block as the seconds of `stage`."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = time.perf_counter() - t0


def resolve_source(cfg: Config, progress: Progress = _quiet) -> str:
    """The source folder of the run: the configured one, or the demo dataset (made on first use)."""
    if cfg.source:
        return cfg.source
    from .demo import ensure_demo

    return str(ensure_demo(cfg, progress))


def create_schema(cfg: Config) -> None:
    wh.connect(cfg.warehouse, cfg.duckdb_memory_limit).create_schema()


def transform(cfg: Config, source: str, progress: Progress = _quiet) -> TransformResult:
    files = discover(source, cfg.start, cfg.end)
    return get_engine(cfg).transform(files, cfg.lake_path, progress)


def stage(cfg: Config, lake: Path, progress: Progress = _quiet) -> wh.MergeCounts:
    return wh.connect(cfg.warehouse, cfg.duckdb_memory_limit).stage(lake, progress)


def load(cfg: Config, staged: wh.MergeCounts, progress: Progress = _quiet) -> wh.MergeCounts:
    return wh.connect(cfg.warehouse, cfg.duckdb_memory_limit).merge(staged, progress)


def run(cfg: Config, progress: Progress = _quiet) -> RunSummary:
    """All stages in order, without an orchestrator (tests and benchmarks)."""
    summary = RunSummary(source="", warehouse=str(cfg.warehouse), engine=cfg.engine)
    with summary.timed("source"):
        summary.source = resolve_source(cfg, progress)
    with summary.timed("schema"):
        create_schema(cfg)
    with summary.timed("transform"):
        summary.transform = transform(cfg, summary.source, progress)
    with summary.timed("stage"):
        staged = stage(cfg, summary.transform.lake, progress)
    with summary.timed("load"):
        summary.merge = load(cfg, staged, progress)
    return summary
