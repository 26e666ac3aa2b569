"""The pipeline's stages as plain functions: what the Prefect tasks wrap and the tests call.

raw (folder) -> engine transform -> lake (Parquet) -> quality gate 1 -> staging tables -> quality
gate 2 (audit) -> star-schema merge (publish, one transaction). Each stage takes the Config and
returns what the next one needs, so any orchestrator (Prefect here, a test, a benchmark) can run
them in this order.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import warehouse as wh
from .config import Config
from .engines import TransformResult, get_engine
from .errors import QualityGateError
from .quality.results import HISTORY_COLUMNS, GateResult
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
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    quality: list[GateResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def add_gate(self, result: GateResult | None) -> None:
        """Keep a gate's result for the summary, then stop the run if it blocks."""
        if result is not None:
            self.quality.append(result)
        enforce(result)

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


def _gate(cfg: Config, result: GateResult, progress: Progress) -> GateResult:
    """Record a gate's results in the warehouse's history and report them."""
    wh.connect(cfg.warehouse, cfg.duckdb_memory_limit).append_rows(
        "quality_results", HISTORY_COLUMNS, result.history_rows())
    progress(result.message())
    return result


def check_lake(cfg: Config, lake: Path, run_id: str, progress: Progress = _quiet) -> GateResult | None:
    """Quality gate 1 on the lake, before staging (None when the gate is switched off)."""
    if "lake" not in cfg.quality_gates:
        return None
    from . import quality

    progress("quality gate 'lake': validating the lake")
    return _gate(cfg, quality.check_lake(lake, run_id=run_id, docs_dir=cfg.quality_docs_path), progress)


def audit(cfg: Config, lake: Path, run_id: str, progress: Progress = _quiet) -> GateResult | None:
    """Quality gate 2 on the staged rows, before they are published (None when switched off)."""
    if "warehouse" not in cfg.quality_gates:
        return None
    from . import quality

    progress("quality gate 'warehouse': auditing the staged rows")
    warehouse = wh.connect(cfg.warehouse, cfg.duckdb_memory_limit)
    return _gate(cfg, quality.audit_warehouse(warehouse, lake, run_id=run_id, docs_dir=cfg.quality_docs_path),
                 progress)


_NOT_PUBLISHED = {
    "lake": "nothing was staged or published",
    "warehouse": "the staged rows were not published; the star schema is unchanged",
}


def enforce(result: GateResult | None) -> None:
    """Raise QualityGateError when the gate found a critical expectation failing."""
    if result is not None and result.blocking:
        raise QualityGateError(f"{result.message()}\n  {_NOT_PUBLISHED[result.gate]}")


def run(cfg: Config, progress: Progress = _quiet) -> RunSummary:
    """All stages in order, without an orchestrator (tests and benchmarks)."""
    summary = RunSummary(source="", warehouse=str(cfg.warehouse), engine=cfg.engine)
    with summary.timed("source"):
        summary.source = resolve_source(cfg, progress)
    with summary.timed("schema"):
        create_schema(cfg)
    with summary.timed("transform"):
        summary.transform = transform(cfg, summary.source, progress)
    lake = summary.transform.lake
    with summary.timed("lake gate"):
        summary.add_gate(check_lake(cfg, lake, summary.run_id, progress))
    with summary.timed("stage"):
        staged = stage(cfg, lake, progress)
    with summary.timed("audit"):
        summary.add_gate(audit(cfg, lake, summary.run_id, progress))
    with summary.timed("load"):
        summary.merge = load(cfg, staged, progress)
    return summary
