"""The Spark session: one per process (so one per flow run), created on first use, stopped at the end.

Nothing here imports pyspark at module level: the DuckDB engine and the CLI stay usable on a
machine without Java or with a broken Spark install.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOG4J = (Path(__file__).with_name("log4j2.properties")).as_uri()

_session: SparkSession | None = None
_session_key: tuple[object, ...] | None = None

JAVA_HINT = (
    "install Java 17 or 21 (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless; macOS: "
    "brew install openjdk@17) or set JAVA_HOME, or run with --engine duckdb"
)


def check_java() -> str:
    """The java executable Spark will start; a one-line ConfigError saying how to get one if absent."""
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        where = f"JAVA_HOME={home} has no bin/java" if home else "no java on PATH and JAVA_HOME is not set"
        raise ConfigError(f"the Spark engine needs Java ({where}): {JAVA_HINT}")
    try:
        subprocess.run([java, "-version"], capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigError(f"the Spark engine needs a working Java ({java} -version: {exc}): {JAVA_HINT}") from exc
    return java


def settings(cfg: Config) -> dict[str, str]:
    """Spark settings of a run: correctness first (UTC, no UI, no _SUCCESS files), then the user's."""
    conf = {
        # Timestamps in the models are UTC wall-clock values (TIMESTAMP_NTZ): no local-time shifts.
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(cfg.spark.shuffle_partitions),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": cfg.spark.driver_memory,
        # Staging globs the lake for *.parquet; marker files would only be noise.
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        # A record with a repeated key is still a record (the last value wins, see docs/engines.md).
        "spark.sql.variant.allowDuplicateKeys": "true",
        "spark.sql.ansi.enabled": "true",
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG4J}",
        "spark.executor.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG4J}",
    }
    conf.update(dict(cfg.spark.conf))
    return conf


def get_session(cfg: Config, submitted: bool = False) -> SparkSession:
    """The process's Spark session for this configuration (created on first call, then reused).

    `submitted`: the process was started by spark-submit, which already chose the master and the
    resources; only the session's SQL settings are applied to the session it made.
    """
    global _session, _session_key
    key = ("submitted" if submitted else cfg.spark.master, tuple(sorted(settings(cfg).items())))
    if _session is not None and _session_key == key:
        return _session
    stop_session()
    remote = cfg.spark.master.startswith("sc://") and not submitted
    if not remote and not submitted:
        check_java()
        # A machine whose hostname does not resolve (containers, laptops offline) breaks the
        # driver's RPC address; local masters never need anything but loopback.
        if cfg.spark.master.startswith("local"):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            # Python workers must run the driver's Python (same version); PATH's python3 may differ.
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # pyspark warns on import about pandas versions it has not certified; nothing here uses pandas.
    warnings.filterwarnings("ignore", message=".*does not yet fully support pandas.*", category=FutureWarning)
    from pyspark.sql import SparkSession

    builder: Any = SparkSession.builder.appName("music-analytics")
    if remote:
        builder = builder.remote(cfg.spark.master)
    elif not submitted:
        builder = builder.master(cfg.spark.master)
    for name, value in settings(cfg).items():
        if (remote or submitted) and not name.startswith("spark.sql."):
            continue  # only session SQL settings can change once the application runs
        builder = builder.config(name, value)
    try:
        session: SparkSession = builder.getOrCreate()
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ConfigError(f"cannot start Spark (master {cfg.spark.master}): {first}") from exc
    if not remote and not submitted:
        session.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.ERROR)
    _session, _session_key = session, key
    return session


def stop_session() -> None:
    """Stop the process's Spark session, if one was started (idempotent)."""
    global _session, _session_key
    if _session is not None:
        try:
            _session.stop()
        finally:
            _session, _session_key = None, None
