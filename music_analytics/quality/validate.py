"""Run suites with Great Expectations' SQL engine where the rows are, and keep the Data Docs site.

A suite's rows never leave the database: GX computes every metric (counts, unexpected values and
their samples) with SQL on a `Rows` — a query, in a database GX connects to itself: the warehouse
(PostgreSQL, Redshift, DuckDB) or, for the lake gate, a scratch DuckDB file holding the lake's
tables. What the process holds is a few numbers and at most 20 sample values per expectation,
whatever the size of the table. On DuckDB GX goes through the thin dialect in duckdb_gx (GX's SQL
engine computes no metrics on duckdb-engine as it is). The GX context, suites, validation
definitions and the site are datadocs' business.

With a GX project (`project_dir`), names are stable: the GX suite is the suite's name, the asset
`<suite>` of data source `<rows.source>`, the validation definition `<gate>-<suite>`; results are
told apart by their run (`"<run_id> <gate>"`, plus GX's run time). Without one (an ephemeral
context) every run gets its own `<gate>-<suite>-<run_id>` suite, asset and definition: nothing
outlives the process there, and those names are how such a site tells runs apart.

Secrets: a data source's connection string is stored in the GX project (great_expectations.yml);
its password is a `${...}` placeholder there, filled from this process's environment only while
GX connects (`Rows.secrets`).
"""

from __future__ import annotations

import contextlib
import decimal
import os
import threading
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import datadocs
from .results import SAMPLE_VALUES, Outcome, SuiteResult
from .suites import Suite


@dataclass(frozen=True)
class Rows:
    """Where GX reads one suite's rows: `query` on the database at `url` (a SQLAlchemy URL)."""

    source: str  # the GX data source: one per database a gate reads (its url is stored with it)
    url: str  # `${NAME}` where a secret goes; NAME's value is in `secrets`
    query: str
    rows: int  # the query's row count (the summary's and the Data Docs' "rows")
    engine_kwargs: Mapping[str, Any] = field(default_factory=dict)  # create_engine(**kwargs): JSON values
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """`values` in os.environ for GX's ${...} substitution, removed again afterwards."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_RECORDING = threading.local()


def _record_engine(connection: Any) -> None:
    engines = getattr(_RECORDING, "engines", None)
    if engines is not None:
        engines.add(connection.engine)


@contextlib.contextmanager
def engines_disposed() -> Iterator[None]:
    """Dispose, on the way out, of every SQLAlchemy engine this thread connected through meanwhile.

    GX builds engines for its data sources and keeps them (and their pooled connections) after a
    validation: left alone, they hold PostgreSQL sessions open (a DROP DATABASE then waits) and
    DuckDB files open (DuckDB then refuses the warehouse's own connection, configured differently).
    """
    import sqlalchemy
    from sqlalchemy import event

    if not event.contains(sqlalchemy.Engine, "engine_connect", _record_engine):
        event.listen(sqlalchemy.Engine, "engine_connect", _record_engine)
    outer = getattr(_RECORDING, "engines", None)
    engines: weakref.WeakSet[Any] = weakref.WeakSet()
    _RECORDING.engines = engines
    try:
        yield
    finally:
        _RECORDING.engines = outer
        for engine in list(engines):
            engine.dispose()
            if outer is not None:
                outer.discard(engine)


def _source(context: Any, rows: Rows) -> Any:
    """The SQL data source `rows.source`, (re)created when missing or pointing elsewhere."""
    # GX's PostgreSQL data source for PostgreSQL (and Redshift's PostgreSQL protocol), its generic
    # SQL one for the rest (DuckDB through duckdb_gx).
    kind, add = (
        ("postgres", context.data_sources.add_postgres)
        if rows.url.startswith("postgresql")
        else ("sql", context.data_sources.add_sql)
    )
    found = context.data_sources.all().get(rows.source)
    kwargs = dict(rows.engine_kwargs)
    if (
        found is not None
        and getattr(found, "type", None) == kind
        and str(found.connection_string) == rows.url
        and dict(found.kwargs) == kwargs
    ):
        return found
    if found is not None:  # a data source of another kind or database: its assets go with it
        context.data_sources.delete(rows.source)
    return add(rows.source, connection_string=rows.url, kwargs=kwargs)


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
    return value is None or (isinstance(value, float) and value != value)


def _python(value: Any) -> Any:
    """Database and numpy scalars to plain Python (messages, JSON)."""
    if isinstance(value, (tuple, list)):
        return tuple(_python(v) for v in value)
    if isinstance(value, decimal.Decimal):  # PostgreSQL's NUMERIC
        return int(value) if value == value.to_integral_value() else float(value)
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def validate(
    suite: Suite, rows: Rows, *, gate: str, run_id: str, docs_dir: Path | None, project_dir: Path | None = None
) -> SuiteResult:
    """Validate `rows` against `suite` in their database; every expectation becomes an Outcome."""
    import great_expectations as gx

    checked = suite.gx()  # before the context: a suite file that does not load is a ConfigError
    with datadocs.context(project_dir, docs_dir) as context, _environment(rows.secrets):
        source = _source(context, rows)
        if project_dir is not None:
            asset_name, definition_name = suite.name, f"{gate}-{suite.name}"
        else:
            asset_name, attempt = f"{gate}-{suite.name}-{run_id}", 1
            while asset_name in source.get_asset_names():  # a retried gate in the same process
                attempt += 1
                asset_name = f"{gate}-{suite.name}-{run_id}-{attempt}"
            definition_name = checked.name = asset_name
        asset = source.get_asset(asset_name) if asset_name in source.get_asset_names() else None
        # GX takes a query asset only when it starts with SELECT; the suites' queries may start WITH.
        query = f"SELECT * FROM ({rows.query}) AS suite_rows"
        if asset is None or getattr(asset, "query", None) != query:
            if asset is not None:
                source.delete_asset(asset_name)
            asset = source.add_query_asset(asset_name, query=query)
        names = [b.name for b in asset.batch_definitions]
        batch_definition = (
            asset.get_batch_definition("all") if "all" in names else asset.add_batch_definition_whole_table("all")
        )
        definition = datadocs.definition(
            context, definition_name, batch_definition, datadocs.store_suite(context, checked)
        )
        outcome = definition.run(
            result_format="BASIC",
            run_id=gx.RunIdentifier(run_name=f"{run_id} {gate}"),
        )
        datadocs.record(context, project_dir, docs_dir, outcome)
    result = SuiteResult(suite=suite.name, rows=rows.rows)
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
