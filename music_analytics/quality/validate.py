"""Run suites on pandas frames with Great Expectations, and keep the GX Data Docs site up to date.

Frames come from SQL (DuckDB or the warehouse), never from GX's SQL data source: on DuckDB it
returns no metrics (see docs/architecture.md). One ephemeral GX context per docs folder and
process: both gates of a run land in the same Data Docs index.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from .results import SAMPLE_VALUES, Outcome, SuiteResult
from .suites import Suite


@functools.cache
def _context(docs_dir: Path | None) -> Any:
    import great_expectations as gx

    # GX logs "Calculating Metrics" progress bars and INFO chatter on every validation.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    sites: dict[str, Any] = getattr(context.get_config(), "data_docs_sites", None) or {}
    for site in list(sites):
        context.delete_data_docs_site(site)
    if docs_dir is not None:
        context.add_data_docs_site("music_analytics", {
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(docs_dir.resolve())},
        })
    return context


def _severity(config: Any) -> str:
    return str(getattr(config, "severity", "critical")).split(".")[-1].lower()


def _column(kwargs: dict[str, Any]) -> str | None:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']},{kwargs['column_B']}"
    return None


def _sample(result: dict[str, Any]) -> tuple[Any, ...]:
    values = [_python(v) for v in list(result.get("partial_unexpected_list") or ())[:SAMPLE_VALUES]]
    if not values and "observed_value" in result:
        values = [_python(result["observed_value"])]
    # A null check's unexpected values are all nulls: nothing worth showing.
    return () if all(_missing(v) for v in values) else tuple(values)


def _missing(value: Any) -> bool:
    if isinstance(value, tuple):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _python(value: Any) -> Any:
    """numpy/pandas scalars to plain Python (messages, JSON)."""
    if isinstance(value, (tuple, list)):
        return tuple(_python(v) for v in value)
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def validate(suite: Suite, frame: Any, *, gate: str, run_id: str, docs_dir: Path | None) -> SuiteResult:
    """Validate `frame` against `suite`; every expectation becomes an Outcome (evaluated or not)."""
    import great_expectations as gx

    context = _context(docs_dir)
    sources = context.data_sources.all()
    source = sources[gate] if gate in sources else context.data_sources.add_pandas(gate)
    name, attempt = f"{gate}-{suite.name}-{run_id}", 1
    while name in source.get_asset_names():  # a retried gate in the same process
        attempt += 1
        name = f"{gate}-{suite.name}-{run_id}-{attempt}"
    batch_definition = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
    checked = suite.gx()
    checked.name = name  # one GX suite per run and gate: Data Docs keeps each run's page
    gx_suite = context.suites.add(checked)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=gx_suite))
    outcome = definition.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY",
                             run_id=gx.RunIdentifier(run_name=f"{run_id} {gate}"))
    result = SuiteResult(suite=suite.name, rows=len(frame))
    for r in outcome.results:
        config = r.expectation_config
        info = r.exception_info or {}
        raised = info.get("raised_exception") if isinstance(info, dict) else False
        result.outcomes.append(Outcome(
            suite=suite.name, expectation=config.type, column=_column(config.kwargs), severity=_severity(config),
            success=bool(r.success), unexpected_count=r.result.get("unexpected_count"),
            element_count=r.result.get("element_count"), sample=() if r.success else _sample(r.result),
            error=(str(info.get("exception_message")).splitlines()[0] if raised else None),
        ))
    if len(result.outcomes) != len(suite.expectations):
        result.outcomes.append(Outcome(
            suite=suite.name, expectation="(suite)", column=None, severity="critical", success=False,
            error=f"GX evaluated {len(result.outcomes)} of {len(suite.expectations)} expectations"))
    return result


def build_docs(docs_dir: Path | None) -> Path | None:
    """Rebuild the Data Docs site; returns its index.html."""
    if docs_dir is None:
        return None
    _context(docs_dir).build_data_docs()
    index = docs_dir / "index.html"
    return index if index.exists() else None
