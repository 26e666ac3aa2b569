"""What a gate found: one Outcome per expectation, grouped per suite, and how it is reported."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..tables import QUALITY_RESULTS

SAMPLE_VALUES = 5


@dataclass(frozen=True)
class Outcome:
    suite: str
    expectation: str
    column: str | None  # the column, "a,b" for a column pair, None for table-level
    severity: str  # critical (blocks) | warning | info (reported)
    success: bool
    unexpected_count: int | None = None
    element_count: int | None = None
    sample: tuple[Any, ...] = ()
    error: str | None = None  # GX could not evaluate the expectation (counts as failed)

    @property
    def label(self) -> str:
        return f"{self.suite}: {self.expectation}" + (f"({self.column})" if self.column else "")

    def describe(self) -> str:
        if self.error:
            return f"{self.label}: could not be evaluated: {self.error}"
        count = f"{self.unexpected_count:,} unexpected" if self.unexpected_count is not None else "failed"
        of = f" of {self.element_count:,}" if self.element_count is not None else ""
        sample = f"; e.g. {', '.join(_show(v) for v in self.sample)}" if self.sample else ""
        return f"{self.label}: {count}{of}{sample}"


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return repr(value) if isinstance(value, str) else str(value)


@dataclass
class SuiteResult:
    suite: str
    rows: int
    outcomes: list[Outcome] = field(default_factory=list)


@dataclass
class GateResult:
    gate: str  # lake | warehouse
    run_id: str
    suites: list[SuiteResult] = field(default_factory=list)
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))
    docs: Path | None = None  # the Data Docs index.html, when built
    seconds: float = 0.0

    @property
    def outcomes(self) -> list[Outcome]:
        return [o for s in self.suites for o in s.outcomes]

    @property
    def blocking(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]

    @property
    def passed(self) -> bool:
        return not self.blocking

    def headline(self) -> str:
        n = len(self.outcomes)
        verdict = "BLOCKED" if self.blocking else "passed"
        return (
            f"quality gate '{self.gate}' {verdict}: {len(self.suites)} suites, {n} expectations, "
            f"{len(self.blocking)} failed, {len(self.warnings)} warnings"
        )

    def message(self) -> str:
        """The gate's verdict with every failed and warned expectation (for errors and logs)."""
        lines = [self.headline()]
        lines += [f"  FAIL {o.describe()}" for o in self.blocking]
        lines += [f"  WARN {o.describe()}" for o in self.warnings]
        if self.docs is not None:
            lines.append(f"  report: {self.docs}")
        return "\n".join(lines)

    def markdown(self) -> str:
        """A table of every expectation evaluated (the Prefect artifact)."""
        lines = [
            f"### {self.headline()}",
            "",
            "| status | suite | expectation | column | unexpected | sample |",
            "|---|---|---|---|---|---|",
        ]
        order = {"critical": 0, "warning": 1, "info": 2}
        for o in sorted(self.outcomes, key=lambda o: (o.success, order.get(o.severity, 3), o.suite)):
            status = "pass" if o.success else ("FAIL" if o.severity == "critical" else "warn")
            sample = ", ".join(_show(v) for v in o.sample).replace("|", "\\|")
            unexpected = "" if o.unexpected_count is None else f"{o.unexpected_count:,}"
            detail = o.error or sample
            lines.append(f"| {status} | {o.suite} | {o.expectation} | {o.column or ''} | {unexpected} | {detail} |")
        if self.docs is not None:
            lines += ["", f"Data Docs: `{self.docs}`"]
        return "\n".join(lines)

    def history_rows(self) -> list[tuple[Any, ...]]:
        """Rows for the warehouse's quality_results table (columns: HISTORY_COLUMNS)."""
        return [
            (
                self.run_id,
                self.checked_at,
                self.gate,
                o.suite,
                o.expectation,
                o.column,
                o.severity,
                o.success,
                o.unexpected_count,
                o.element_count,
                json.dumps([_plain(v) for v in o.sample]),
                o.error,
            )
            for o in self.outcomes
        ]


HISTORY_COLUMNS = QUALITY_RESULTS.names


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
