"""The project as a user installs it: a built wheel in a fresh virtual environment, outside the checkout.

An editable install reads sql/ and expectations/ from the checkout, so only a real wheel shows
whether the data files ship (they once did not: FileNotFoundError for every schema file) and
whether the Prefect code is installed under the project's own names rather than `flows`/`tasks`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO, need

UV = Path(sys.executable).with_name("uv")
DATA_PACKAGES = {
    "music_analytics_sql": "sql",
    "music_analytics_expectations": "expectations",
    "music_analytics_flows": "flows",
    "music_analytics_tasks": "tasks",
}


def test_the_package_list_covers_every_folder_of_the_library() -> None:
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    library = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "music_analytics").rglob("__init__.py")}
    assert set(setuptools["packages"]) == library | set(DATA_PACKAGES)
    assert setuptools["package-dir"] == DATA_PACKAGES


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need(UV.is_file(), f"uv next to the test interpreter ({UV})")
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [str(UV), "build", "--wheel", "--out-dir", str(out), str(REPO)], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_ships_the_data_files_under_project_names(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"music_analytics", *DATA_PACKAGES}
    for folder, package in (("sql", "music_analytics_sql"), ("expectations", "music_analytics_expectations")):
        shipped = {n.split("/", 1)[1] for n in names if n.startswith(f"{package}/")}
        tracked = {
            p.relative_to(REPO / folder).as_posix()
            for p in (REPO / folder).rglob("*")
            if p.is_file() and p.suffix in (".sql", ".json") and "__pycache__" not in p.parts
        }
        assert tracked and tracked <= shipped, sorted(tracked - shipped)[:5]
    assert "music_analytics/engines/log4j2.properties" in names


def test_the_wheel_runs_the_sample_in_a_fresh_environment(wheel: Path, sample: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([str(UV), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(UV), "pip", "install", "--quiet", "--python", str(python), str(wheel)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    # Far from the checkout: nothing may be read from it.
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MUSIC_ANALYTICS_", "PREFECT_"))}
    env.update({"PREFECT_HOME": str(tmp_path / "prefect"), "PATH": f"{venv / 'bin'}:{env.get('PATH', '')}"})
    proc = subprocess.run(
        [
            str(venv / "bin" / "music-analytics"),
            "run",
            "--source",
            str(sample),
            "--warehouse",
            "duckdb:///w.duckdb",
            "--summary-json",
            "summary.json",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((work / "summary.json").read_text())
    assert summary["tables"]["songplays"]["inserted"] == 6820
    assert {g: q["passed"] for g, q in summary["quality"].items()} == {"lake": True, "warehouse": True}
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import music_analytics_sql, music_analytics; "
            "print(music_analytics_sql.__file__); print(music_analytics.__file__)",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert where.returncode == 0, where.stderr
    assert all(str(venv) in line and str(REPO) not in line for line in where.stdout.splitlines())
    shutil.rmtree(venv)  # ~1.5 GB


def _requirement_lines(path: Path) -> list[str]:
    return [s for line in path.read_text().splitlines() if (s := line.split("#", 1)[0].strip())]


def test_the_airflow_environment_has_the_librarys_dependencies_at_the_prefect_environments_versions() -> None:
    """.venv-airflow installs the library without its dependencies (Prefect cannot be there: the fastapi
    pins clash), so airflow/requirements.in must list them, and its lock must not drift from uv.lock."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = sorted(d.replace(" ", "") for d in project["dependencies"] if not d.startswith("prefect"))
    listed = _requirement_lines(REPO / "airflow" / "requirements.in")
    assert sorted(r for r in listed if not r.startswith("apache-airflow")) == wanted
    assert any(r.startswith("apache-airflow>=3") for r in listed)

    locked = {p["name"]: p["version"] for p in tomllib.loads((REPO / "uv.lock").read_text())["package"]}
    pinned = {}
    for line in _requirement_lines(REPO / "airflow" / "requirements.lock"):
        if "==" in line and not line.startswith("--"):
            name, version = line.split(";", 1)[0].rstrip(" \\").split("==")
            pinned[name.split("[", 1)[0].lower()] = version.strip()
    assert pinned.get("apache-airflow", "").startswith("3.") and "prefect" not in pinned
    shared = sorted(set(pinned) & set(locked) - {"fastapi"})
    assert len(shared) > 50  # duckdb, pyarrow, pyspark, great-expectations, sqlalchemy, ...
    assert {n: pinned[n] for n in shared} == {n: locked[n] for n in shared}, "run make airflow-lock"
