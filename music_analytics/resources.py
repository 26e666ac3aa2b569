"""Where the project's data files are: sql/ and expectations/, shipped as data packages.

A wheel installs them as `music_analytics_sql` and `music_analytics_expectations` next to the
library (pyproject.toml maps the top-level folders to those names); an editable install maps them
to the checkout. A checkout that is not installed at all (spark-submit of spark_job.py from a
clone) has neither: the folders beside the package are used then.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def folder(package: str, checkout_name: str) -> Path:
    """The directory of a data package (always a real folder: the project is never run zipped)."""
    try:
        return Path(str(importlib.resources.files(package)))
    except ModuleNotFoundError:
        return _CHECKOUT / checkout_name


SQL = folder("music_analytics_sql", "sql")
EXPECTATIONS = folder("music_analytics_expectations", "expectations")
