"""The layers stay apart: the library (music_analytics) never imports the Prefect layer
(music_analytics_flows, music_analytics_tasks) nor Prefect itself, and the console script answers
--help, --version and usage errors without loading Prefect, pandas, Great Expectations or pyspark.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

PREFECT_LAYER = ("music_analytics_flows", "music_analytics_tasks", "flows", "tasks", "prefect", "prefect_aws")
HEAVY = ("prefect", "pandas", "great_expectations", "pyspark")
CONSOLE_SCRIPT = Path(sys.executable).parent / "music-analytics"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_the_library_never_imports_the_prefect_layer() -> None:
    offenders = [
        f"{path.relative_to(REPO)}: {name}"
        for path in sorted((REPO / "music_analytics").rglob("*.py"))
        for name in sorted(_imports(path))
        if name.split(".")[0] in PREFECT_LAYER
    ]
    assert offenders == []


def test_the_check_sees_an_import() -> None:
    source = "import prefect\nfrom music_analytics_flows.main import x\n"
    tree = ast.parse(source)
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert {"prefect", "music_analytics_flows.main"} <= names


def _imported_modules(*args: str) -> tuple[int, set[str], str]:
    """Run the console script with PYTHONPROFILEIMPORTTIME; its exit code, imported top-level modules, stderr."""
    proc = subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        cwd=REPO,
        env={"PATH": str(CONSOLE_SCRIPT.parent), "PYTHONPROFILEIMPORTTIME": "1", "HOME": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    modules = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    messages = "\n".join(line for line in proc.stderr.splitlines() if not line.startswith("import time:"))
    return proc.returncode, modules, messages


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["run", "--end", "2018-11-10"], 2, "error: --end needs --start"),
        (["run", "--warehouse", "mysql://h/db"], 2, "unsupported scheme 'mysql'"),
        (["run", "--lookback-days", "-3"], 2, "lookback_days: must be between 0 and 366"),
        (["run", "--help"], 0, ""),
        (["--version"], 0, ""),
        (["insights", "--help"], 0, ""),
    ],
)
def test_usage_errors_help_and_version_load_no_heavy_module(args: list[str], code: int, says: str) -> None:
    assert CONSOLE_SCRIPT.is_file(), f"{CONSOLE_SCRIPT}: the console script is not installed (make setup)"
    exit_code, modules, messages = _imported_modules(*args)
    assert exit_code == code, messages
    assert says in messages
    assert "music_analytics" in modules  # the profile was read
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
