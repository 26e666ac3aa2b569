"""The expectation suites: GX 1.x suite JSON files in expectations/, one per checked dataset.

A suite's `meta.gates` says where it runs: `lake` (gate 1, the transform's Parquet output, before
anything is staged) and/or `warehouse` (gate 2, the run's staged rows, before they are published).
Its rows come from `sql/quality/<suite>.sql`, one SELECT written against `staging.<table>` (the
run's data) and the published `<table>`s, so the same file serves both gates.

GX skips an expectation type it does not know without raising, so a suite must load exactly as
many expectations as its file declares.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import QUALITY_GATES
from ..errors import ConfigError
from ..resources import EXPECTATIONS

EXPECTATIONS_DIR = EXPECTATIONS
GATES = QUALITY_GATES  # lake (gate 1), warehouse (gate 2)
SEVERITIES = ("critical", "warning", "info")


@dataclass(frozen=True)
class Suite:
    name: str
    path: Path
    gates: tuple[str, ...]
    expectations: tuple[dict[str, Any], ...]

    @property
    def query(self) -> str:
        return f"quality/{self.name}.sql"

    def gx(self) -> Any:
        """The great_expectations.ExpectationSuite, checked to hold every declared expectation."""
        import great_expectations as gx

        suite = gx.ExpectationSuite(name=self.name, expectations=[dict(e) for e in self.expectations])
        if len(suite.expectations) != len(self.expectations):
            loaded = {e.expectation_type for e in suite.expectations}
            unknown = sorted({e["type"] for e in self.expectations} - loaded)
            raise ConfigError(
                f"expectation suite {self.path}: {len(self.expectations)} expectations declared, "
                f"{len(suite.expectations)} loaded (unknown types: {', '.join(unknown)})"
            )
        return suite


def read_suite(path: Path) -> Suite:
    """Parse and check one suite file (without importing GX: see Suite.gx for the load check)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"expectation suite {path}: unreadable ({exc})") from exc
    expectations = data.get("expectations") or []
    if not expectations:
        raise ConfigError(f"expectation suite {path}: no expectations")
    gates = tuple((data.get("meta") or {}).get("gates") or ())
    if not gates or set(gates) - set(GATES):
        raise ConfigError(f"expectation suite {path}: meta.gates must list some of {', '.join(GATES)}, got {gates}")
    for e in expectations:
        severity = e.get("severity", "critical")
        if severity not in SEVERITIES:
            raise ConfigError(
                f"expectation suite {path}: {e.get('type')}: severity {severity!r} "
                f"is not one of {', '.join(SEVERITIES)}"
            )
    return Suite(name=path.stem, path=path, gates=gates, expectations=tuple(expectations))


def suites(gate: str | None = None, directory: Path = EXPECTATIONS_DIR) -> list[Suite]:
    """Every suite in `directory` (sorted by name), or those that run at `gate`."""
    found = [read_suite(p) for p in sorted(directory.glob("*.json"))]
    return [s for s in found if gate is None or gate in s.gates]
