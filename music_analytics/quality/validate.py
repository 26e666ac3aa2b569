"""Run suites on pandas frames with Great Expectations, and keep the GX Data Docs site up to date.

Frames come from SQL (DuckDB or the warehouse), never from GX's SQL data source: on DuckDB it
returns no metrics (see docs/architecture.md). The GX context, suites, validation definitions and
the site are datadocs' business; only the data source (a pandas data source per gate, a dataframe
asset per suite) is pandas-specific, here.

With a GX project (`project_dir`), names are stable: the GX suite is the suite's name, the asset
`<suite>` of data source `<gate>`, the validation definition `<gate>-<suite>`; results are told
apart by their run (`"<run_id> <gate>"`, plus GX's run time). Without one (an ephemeral context)
every run gets its own `<gate>-<suite>-<run_id>` suite, asset and definition, as before: nothing
outlives the process there, and those names are how such a site tells runs apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from . import datadocs
from .results import SAMPLE_VALUES, Outcome, SuiteResult
from .suites import Suite


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


def validate(
    suite: Suite, frame: Any, *, gate: str, run_id: str, docs_dir: Path | None, project_dir: Path | None = None
) -> SuiteResult:
    """Validate `frame` against `suite`; every expectation becomes an Outcome (evaluated or not)."""
    import great_expectations as gx

    checked = suite.gx()  # before the context: a suite file that does not load is a ConfigError
    with datadocs.context(project_dir, docs_dir) as context:
        sources = context.data_sources.all()
        source = sources[gate] if gate in sources else context.data_sources.add_pandas(gate)
        if project_dir is not None:
            asset_name, definition_name = suite.name, f"{gate}-{suite.name}"
        else:
            asset_name, attempt = f"{gate}-{suite.name}-{run_id}", 1
            while asset_name in source.get_asset_names():  # a retried gate in the same process
                attempt += 1
                asset_name = f"{gate}-{suite.name}-{run_id}-{attempt}"
            definition_name = checked.name = asset_name
        asset = (
            source.get_asset(asset_name)
            if asset_name in source.get_asset_names()
            else source.add_dataframe_asset(asset_name)
        )
        names = [b.name for b in asset.batch_definitions]
        batch_definition = (
            asset.get_batch_definition("all") if "all" in names else asset.add_batch_definition_whole_dataframe("all")
        )
        definition = datadocs.definition(
            context, definition_name, batch_definition, datadocs.store_suite(context, checked)
        )
        outcome = definition.run(
            batch_parameters={"dataframe": frame},
            result_format="SUMMARY",
            run_id=gx.RunIdentifier(run_name=f"{run_id} {gate}"),
        )
        datadocs.record(context, project_dir, docs_dir, outcome)
    result = SuiteResult(suite=suite.name, rows=len(frame))
    for r in outcome.results:
        config = r.expectation_config
        info = r.exception_info or {}
        raised = info.get("raised_exception") if isinstance(info, dict) else False
        result.outcomes.append(
            Outcome(
                suite=suite.name,
                expectation=config.type,
                column=_column(config.kwargs),
                severity=_severity(config),
                success=bool(r.success),
                unexpected_count=r.result.get("unexpected_count"),
                element_count=r.result.get("element_count"),
                sample=() if r.success else _sample(r.result),
                error=(str(info.get("exception_message")).splitlines()[0] if raised else None),
            )
        )
    if len(result.outcomes) != len(suite.expectations):
        result.outcomes.append(
            Outcome(
                suite=suite.name,
                expectation="(suite)",
                column=None,
                severity="critical",
                success=False,
                error=f"GX evaluated {len(result.outcomes)} of {len(suite.expectations)} expectations",
            )
        )
    return result


def build_docs(docs_dir: Path | None, *, project_dir: Path | None = None) -> Path | None:
    """Build the Data Docs pages of the validations since the last build, and the index; returns its index.html."""
    return datadocs.build(project_dir, docs_dir)
