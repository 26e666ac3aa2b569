"""One typed configuration, resolved in this order: built-in defaults < INI file < environment < flags.

The INI file is read with ConfigParser. Environment overrides are named
MUSIC_ANALYTICS_<SECTION>_<KEY> (e.g. MUSIC_ANALYTICS_WAREHOUSE_URL). Passwords may sit in the
URL, in [warehouse] password, or in MUSIC_ANALYTICS_WAREHOUSE_PASSWORD / PGPASSWORD; every one is
registered with `secrets` so it is masked wherever the pipeline prints.
"""

from __future__ import annotations

import configparser
import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import secrets
from .errors import ConfigError

ENV_PREFIX = "MUSIC_ANALYTICS_"
DEFAULT_CONFIG_FILE = "music-analytics.ini"
ENGINES = ("duckdb", "spark")

# Every key the INI file may hold, with its type; unknown keys are an error, not silently ignored.
_SCHEMA: dict[str, dict[str, type]] = {
    "pipeline": {
        "source": str,
        "engine": str,
        "data_dir": str,
        "lake": str,
        "start": str,
        "end": str,
        "lookback_days": int,
        "lock_timeout": int,
    },
    "lake": {"songs_partition_by": str},
    "warehouse": {"url": str, "password": str},
    "duckdb": {"memory_limit": str, "threads": int},
    # Any other key of [spark] that starts with "spark." is passed to the Spark session as is.
    "spark": {"master": str, "driver_memory": str, "shuffle_partitions": int},
    "demo": {"events": int, "seed": int},
    "quality": {"gates": str, "docs_dir": str},
    # Where <data_dir> is served over HTTP (a web server, an S3 static site), for links to the reports.
    "reports": {"base_url": str},
    # An s3:// source: boto3's credential chain unless keys are given; endpoint_url for S3-compatible stores.
    "s3": {"endpoint_url": str, "region": str, "access_key_id": str, "secret_access_key": str},
    # A redshift:// warehouse: the role COPY assumes and where the lake export is uploaded for it.
    "redshift": {"iam_role": str, "s3_staging": str, "region": str, "copy_format": str},
}
QUALITY_GATES = ("lake", "warehouse")


@dataclass(frozen=True)
class WarehouseURL:
    """A parsed warehouse URL; `str()` and `repr()` never show the password."""

    scheme: str
    path: str = ""  # DuckDB file path
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    host: str | None = None
    port: int | None = None
    database: str | None = None

    @classmethod
    def parse(cls, url: str, password: str | None = None) -> WarehouseURL:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "duckdb":
            # SQLAlchemy convention: duckdb:///relative/file.duckdb, duckdb:////absolute/file.duckdb
            if parts.netloc:
                raise ConfigError(
                    f"warehouse URL {redacted_url(url)!r}: use duckdb:///relative/path.duckdb "
                    "or duckdb:////absolute/path.duckdb (three or four slashes)"
                )
            path = parts.path[1:] if parts.path.startswith("/") else parts.path
            if not path:
                raise ConfigError(f"warehouse URL {url!r} names no DuckDB file")
            return cls(scheme="duckdb", path=path)
        if scheme in ("postgresql", "postgres", "redshift"):
            try:
                port = parts.port
            except ValueError as exc:
                raise ConfigError(f"warehouse URL {redacted_url(url)!r}: invalid port") from exc
            url_password = unquote(parts.password) if parts.password is not None else None
            pw = url_password or password
            secrets.register(pw)
            database = parts.path.lstrip("/") or None
            if not parts.hostname or not database:
                raise ConfigError(
                    f"warehouse URL {redacted_url(url)!r}: expected {scheme}://user[:password]@host:port/database"
                )
            return cls(
                scheme="postgresql" if scheme == "postgres" else scheme,
                user=unquote(parts.username) if parts.username else None,
                password=pw,
                host=parts.hostname,
                port=port or (5439 if scheme == "redshift" else 5432),
                database=database,
            )
        raise ConfigError(
            f"warehouse URL {redacted_url(url)!r}: unsupported scheme {scheme!r} "
            "(expected duckdb:///file.duckdb, postgresql://user@host:port/db or redshift://user@cluster:5439/db)"
        )

    @property
    def slug(self) -> str:
        """A short, file-name-safe name of the warehouse: what is kept per warehouse (reports) is filed under it."""
        base = Path(self.path).stem if self.scheme == "duckdb" else f"{self.database}@{self.host}-{self.port}"
        return re.sub(r"[^A-Za-z0-9._@-]+", "_", base) or self.scheme

    def __str__(self) -> str:
        if self.scheme == "duckdb":
            return f"duckdb:///{self.path}"
        user = f"{self.user}{':' + secrets.MASK if self.password else ''}@" if self.user else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}/{self.database}"


def redacted_url(url: str) -> str:
    """The URL with any password replaced by a mask, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    secrets.register(parts.password)
    return secrets.redact(url)


@dataclass(frozen=True)
class Config:
    """Everything a run needs. Built by `load_config`; paths are relative to the working directory."""

    source: str | None = None  # a folder or s3:// prefix with song_data/ and log_data/; None = demo data
    warehouse: WarehouseURL = field(default_factory=lambda: WarehouseURL.parse("duckdb:///data/warehouse.duckdb"))
    engine: str = "duckdb"
    data_dir: Path = Path("data")
    lake: Path | None = None  # default: <data_dir>/lake
    start: dt.date | None = None
    end: dt.date | None = None
    # Bounded by default so a 5M-event run stays under 4 GB of RSS; DuckDB spills to disk beyond it.
    duckdb_memory_limit: str | None = "2GB"
    duckdb_threads: int | None = None
    # local[*], spark://host:port, yarn, k8s://..., or sc://host:port (Spark Connect).
    spark_master: str = "local[*]"
    spark_driver_memory: str = "4g"
    # Few, larger shuffle partitions suit one machine; a cluster raises it (or leaves it to AQE).
    spark_shuffle_partitions: int = 8
    spark_conf: tuple[tuple[str, str], ...] = ()
    songs_partition_by: str = "year,artist_id"
    # Quality gates to run (lake: before staging; warehouse: audit before publishing) and where
    # the Great Expectations Data Docs site is written (default: <data_dir>/quality-docs).
    quality_gates: tuple[str, ...] = QUALITY_GATES
    quality_docs: Path | None = None
    # Event files of this many days before a run's first day are read again when they changed
    # since they were loaded (late data appended to an earlier day's file).
    lookback_days: int = 2
    # Seconds a run waits for another run on the same warehouse to finish before it gives up.
    lock_timeout: int = 600
    reload: bool = False  # read every file in range even if the ledger says it is loaded and unchanged
    # The source is the warehouse's dataset in a new place: rebind the warehouse to it (ledger.check_source).
    source_moved: bool = False
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = field(default=None, repr=False)
    redshift_iam_role: str | None = None
    redshift_s3_staging: str | None = None
    redshift_region: str | None = None
    redshift_copy_format: str = "parquet"
    # The URL at which data_dir is served (e.g. https://reports.example.com/music): link artifacts point
    # there. None: no links (a worker's file:// path does not open from the Prefect UI).
    reports_base_url: str | None = None
    demo_events: int = 100_000
    demo_seed: int = 42
    verbose: bool = False

    @property
    def lake_path(self) -> Path:
        return self.lake if self.lake is not None else self.data_dir / "lake"

    @property
    def work_path(self) -> Path:
        """Scratch space of the transform engine (spill files, its working database)."""
        return self.data_dir / "work"

    @property
    def quality_docs_path(self) -> Path:
        return self.quality_docs if self.quality_docs is not None else self.data_dir / "quality-docs"

    @property
    def quality_project_path(self) -> Path:
        """The Great Expectations project (suites, validation results across runs; GX's files in its gx/)."""
        return self.data_dir / "quality"

    @property
    def demo_path(self) -> Path:
        return self.data_dir / "demo"

    @property
    def report_path(self) -> Path:
        """The insights report of this run's warehouse (one per warehouse, as several may share data_dir)."""
        return self.data_dir / "reports" / self.warehouse.slug / "insights.html"

    def public_url(self, path: Path) -> str | None:
        """Where a file under data_dir is served ([reports] base_url), or None."""
        if not self.reports_base_url:
            return None
        try:
            relative = path.resolve().relative_to(self.data_dir.resolve())
        except ValueError:
            return None
        return f"{self.reports_base_url.rstrip('/')}/{relative.as_posix()}"


def _parse_date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{what}: {value!r} is not a date (expected YYYY-MM-DD)") from exc


def _read_ini(path: Path) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # Spark settings are case-sensitive
    try:
        with path.open(encoding="utf-8") as fh:
            parser.read_file(fh)
    except OSError as exc:
        raise ConfigError(f"config file {path}: {exc.strerror or exc}") from exc
    except configparser.Error as exc:
        raise ConfigError(f"config file {path}: {exc.message.splitlines()[0]}") from exc
    values: dict[str, dict[str, str]] = {}
    for section in parser.sections():
        if section not in _SCHEMA:
            raise ConfigError(f"config file {path}: unknown section [{section}] (known: {', '.join(_SCHEMA)})")
        for raw_key, value in parser.items(section):
            if section == "spark" and raw_key.startswith("spark."):
                values.setdefault(section, {})[raw_key] = value.strip()  # passed to Spark as written
                continue
            key = raw_key.lower()
            if key not in _SCHEMA[section]:
                raise ConfigError(
                    f"config file {path}: unknown key {key!r} in [{section}] (known: {', '.join(_SCHEMA[section])})"
                )
            values.setdefault(section, {})[key] = value.strip()
    return values


def _read_env(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    values: dict[str, dict[str, str]] = {}
    for section, keys in _SCHEMA.items():
        for key in keys:
            name = f"{ENV_PREFIX}{section.upper()}_{key.upper()}"
            if name in environ:
                values.setdefault(section, {})[key] = environ[name].strip()
    return values


def load_config(
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **flags: Any,
) -> Config:
    """Resolve defaults < INI < environment < flags into a validated Config.

    `config_file` None reads ./music-analytics.ini when it exists. Flags with value None are
    "not given". Raises ConfigError with a one-line message on any invalid value.
    """
    environ = os.environ if environ is None else environ
    layers: list[dict[str, dict[str, str]]] = []
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"config file {path}: not found")
        layers.append(_read_ini(path))
    elif Path(DEFAULT_CONFIG_FILE).is_file():
        layers.append(_read_ini(Path(DEFAULT_CONFIG_FILE)))
    layers.append(_read_env(environ))

    merged: dict[str, dict[str, str]] = {}
    for layer in layers:
        for section, kv in layer.items():
            merged.setdefault(section, {}).update(kv)

    def get(section: str, key: str) -> str | None:
        value = merged.get(section, {}).get(key)
        return value if value not in (None, "") else None

    def get_int(section: str, key: str) -> int | None:
        value = get(section, key)
        if value is None:
            return None
        try:
            return int(value.replace("_", ""))
        except ValueError as exc:
            raise ConfigError(f"[{section}] {key}: {value!r} is not an integer") from exc

    password = get("warehouse", "password") or environ.get(f"{ENV_PREFIX}WAREHOUSE_PASSWORD") or None
    if password is None and environ.get("PGPASSWORD"):
        password = environ["PGPASSWORD"]
    secrets.register(password)

    cfg = Config()
    url = flags.pop("warehouse", None) or get("warehouse", "url")
    if url:
        secrets.register(urlsplit(url).password)
        cfg = replace(cfg, warehouse=WarehouseURL.parse(url, password))

    engine = flags.pop("engine", None) or get("pipeline", "engine") or cfg.engine
    if engine not in ENGINES:
        raise ConfigError(f"engine {engine!r} is not one of: {', '.join(ENGINES)}")

    data_dir = flags.pop("data_dir", None) or get("pipeline", "data_dir")
    lake = flags.pop("lake", None) or get("pipeline", "lake")
    start_s = get("pipeline", "start")
    end_s = get("pipeline", "end")
    start = flags.pop("start", None) or (_parse_date(start_s, "[pipeline] start") if start_s else None)
    end = flags.pop("end", None) or (_parse_date(end_s, "[pipeline] end") if end_s else None)
    if start and end and end < start:
        raise ConfigError(f"date range: end {end} is before start {start}")

    songs_partition_by = (
        flags.pop("songs_partition_by", None) or get("lake", "songs_partition_by") or cfg.songs_partition_by
    ).replace(" ", "")
    if songs_partition_by not in ("year,artist_id", "year"):
        raise ConfigError(f"[lake] songs_partition_by: {songs_partition_by!r} is not one of: year,artist_id | year")
    threads = get_int("duckdb", "threads")
    if threads is not None and threads < 1:
        raise ConfigError(f"[duckdb] threads: must be >= 1, got {threads}")
    shuffle_partitions = get_int("spark", "shuffle_partitions")
    if shuffle_partitions is not None and shuffle_partitions < 1:
        raise ConfigError(f"[spark] shuffle_partitions: must be >= 1, got {shuffle_partitions}")
    spark_master = flags.pop("spark_master", None) or get("spark", "master") or cfg.spark_master
    if not re.match(r"^(local(\[(\*|\d+)(,\d+)?\])?|spark://.+|sc://.+|yarn|k8s://.+|mesos://.+)$", spark_master):
        raise ConfigError(
            f"[spark] master: {spark_master!r} is not a Spark master URL "
            "(local[*], local[N], spark://host:port, yarn, k8s://https://host:port, sc://host:port)"
        )
    gates_s = (flags.pop("quality_gates", None) or get("quality", "gates") or ",".join(QUALITY_GATES)).replace(" ", "")
    quality_gates = () if gates_s == "none" else tuple(g for g in gates_s.split(",") if g)
    if not set(quality_gates) <= set(QUALITY_GATES):
        raise ConfigError(f"[quality] gates: {gates_s!r} is not a list of {', '.join(QUALITY_GATES)} (or none)")
    quality_docs = flags.pop("quality_docs", None) or get("quality", "docs_dir")
    lookback = flags.pop("lookback_days", None)
    lookback = lookback if lookback is not None else get_int("pipeline", "lookback_days")
    if lookback is not None and not 0 <= lookback <= 366:
        raise ConfigError(f"[pipeline] lookback_days: must be between 0 and 366, got {lookback}")
    lock_timeout = flags.pop("lock_timeout", None)
    lock_timeout = lock_timeout if lock_timeout is not None else get_int("pipeline", "lock_timeout")
    if lock_timeout is not None and lock_timeout < 0:
        raise ConfigError(f"[pipeline] lock_timeout: must be >= 0 seconds, got {lock_timeout}")
    s3_secret = get("s3", "secret_access_key")
    secrets.register(s3_secret)
    base_url = get("reports", "base_url")
    if base_url and not re.match(r"^https?://\S+$", base_url):
        raise ConfigError(f"[reports] base_url: {base_url!r} is not an http:// or https:// URL (a browser opens links)")
    demo_events = get_int("demo", "events")
    if demo_events is not None and demo_events < 1000:
        raise ConfigError(f"[demo] events: must be >= 1000, got {demo_events}")

    cfg = replace(
        cfg,
        source=flags.pop("source", None) or get("pipeline", "source"),
        engine=engine,
        data_dir=Path(data_dir) if data_dir else cfg.data_dir,
        lake=Path(lake) if lake else None,
        start=start,
        end=end,
        duckdb_memory_limit=get("duckdb", "memory_limit") or cfg.duckdb_memory_limit,
        duckdb_threads=threads,
        spark_master=spark_master,
        spark_driver_memory=get("spark", "driver_memory") or cfg.spark_driver_memory,
        spark_shuffle_partitions=shuffle_partitions or cfg.spark_shuffle_partitions,
        spark_conf=tuple(sorted((k, v) for k, v in merged.get("spark", {}).items() if k.startswith("spark."))),
        songs_partition_by=songs_partition_by,
        quality_gates=tuple(g for g in QUALITY_GATES if g in quality_gates),
        quality_docs=Path(quality_docs) if quality_docs else None,
        lookback_days=lookback if lookback is not None else cfg.lookback_days,
        lock_timeout=lock_timeout if lock_timeout is not None else cfg.lock_timeout,
        reload=bool(flags.pop("reload", False)),
        source_moved=bool(flags.pop("source_moved", False)),
        s3_endpoint_url=get("s3", "endpoint_url"),
        s3_region=get("s3", "region"),
        s3_access_key_id=get("s3", "access_key_id"),
        s3_secret_access_key=s3_secret,
        redshift_iam_role=get("redshift", "iam_role"),
        redshift_s3_staging=get("redshift", "s3_staging"),
        redshift_region=get("redshift", "region"),
        redshift_copy_format=get("redshift", "copy_format") or "parquet",
        reports_base_url=base_url,
        demo_events=demo_events or cfg.demo_events,
        demo_seed=get_int("demo", "seed") if get("demo", "seed") is not None else cfg.demo_seed,  # type: ignore[arg-type]
        verbose=bool(flags.pop("verbose", False)),
    )
    unknown = {k for k, v in flags.items() if v is not None}
    if unknown:
        raise ConfigError(f"unknown option(s): {', '.join(sorted(unknown))}")
    return cfg
