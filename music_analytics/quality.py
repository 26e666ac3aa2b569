"""Quality checks: the Great Expectations suites in expectations/ run on the lake's tables.

One suite per lake table (`expectations/<table>.json`, GX 1.x suite JSON). Each expectation's GX
`severity` says what a failure means: `critical` blocks, `warning` only reports. GX skips an
expectation type it does not know without raising, so every suite is checked to load exactly as
many expectations as its file declares.

Tables are read from the lake's Parquet through DuckDB into pandas (GX's SQL data source returns
no metrics on DuckDB) and validated with GX's pandas data source.

Not yet a gate in the flow: wiring (gate 1 before staging, write-audit-publish in the warehouse,
artifacts, Data Docs, a results table) is the rest of the "Quality gates" issue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "expectations"
SAMPLE_VALUES = 5


@dataclass(frozen=True)
class Failure:
    table: str
    expectation: str
    column: str | None
    severity: str  # critical | warning | info
    unexpected_count: int | None
    sample: tuple[Any, ...] = ()


@dataclass
class SuiteResult:
    table: str
    rows: int
    evaluated: int
    failures: list[Failure] = field(default_factory=list)

    @property
    def blocking(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "critical"]


def suite_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted(EXPECTATIONS_DIR.glob("*.json"))}


def load_suite(path: Path) -> Any:
    """The suite in `path`; a ConfigError if GX did not load every expectation the file declares."""
    import great_expectations as gx

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"expectation suite {path}: unreadable ({exc})") from exc
    declared = len(data.get("expectations", []))
    suite = gx.ExpectationSuite(**data)
    if len(suite.expectations) != declared:
        loaded = {e.expectation_type for e in suite.expectations}
        unknown = sorted({e["type"] for e in data["expectations"]} - loaded)
        raise ConfigError(f"expectation suite {path}: {declared} expectations declared, "
                          f"{len(suite.expectations)} loaded (unknown types: {', '.join(unknown)})")
    return suite


def _read_lake_table(lake: Path, table: str) -> Any:
    import duckdb

    from .lake import table_glob
    from .warehouse.base import COLUMNS

    columns = ", ".join(COLUMNS[table])
    con = duckdb.connect()
    try:
        return con.sql(f"SELECT {columns} FROM read_parquet('{table_glob(lake, table)}', hive_partitioning = true)"
                       ).df()
    finally:
        con.close()


def validate_lake(lake: Path, tables: list[str] | None = None) -> list[SuiteResult]:
    """Run each table's suite on the lake's copy of the table."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas("lake")
    results = []
    for table, path in suite_files().items():
        if tables is not None and table not in tables:
            continue
        suite = load_suite(path)
        frame = _read_lake_table(lake, table)
        batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("all").get_batch(
            batch_parameters={"dataframe": frame})
        outcome = batch.validate(suite)
        result = SuiteResult(table=table, rows=len(frame), evaluated=len(outcome.results))
        for r in outcome.results:
            if r.success:
                continue
            config = r.expectation_config
            result.failures.append(Failure(
                table=table, expectation=config.type, column=config.kwargs.get("column"),
                severity=str(getattr(config, "severity", "critical")).split(".")[-1].lower(),
                unexpected_count=r.result.get("unexpected_count"),
                sample=tuple(r.result.get("partial_unexpected_list") or ())[:SAMPLE_VALUES],
            ))
        results.append(result)
    return results
