"""Quality gates: Great Expectations suites (expectations/*.json) that stop bad data before anyone queries it.

Gate 1 checks the lake before staging; gate 2 audits the staged rows before the merge publishes
them. Each expectation's GX `severity` decides: `critical` blocks the run, `warning`/`info` report.
Results go to the run summary, a Data Docs site and the warehouse's quality_results table.
"""

from .gates import audit_warehouse, check_lake
from .results import HISTORY_COLUMNS, GateResult, Outcome, SuiteResult
from .suites import EXPECTATIONS_DIR, GATES, Suite, read_suite, suites

__all__ = [
    "EXPECTATIONS_DIR",
    "GATES",
    "HISTORY_COLUMNS",
    "GateResult",
    "Outcome",
    "Suite",
    "SuiteResult",
    "audit_warehouse",
    "check_lake",
    "read_suite",
    "suites",
]
