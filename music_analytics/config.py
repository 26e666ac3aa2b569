"""One typed settings model, resolved once: built-in defaults < INI file < environment < flags.

Every setting is a field of its section's dataclass below, with its help, parser and flag as the
field's metadata (`setting(...)`): that declaration is the only place a setting is written. From
it come the INI keys ([section] key, read with ConfigParser), the environment variables
(MUSIC_ANALYTICS_<SECTION>_<KEY>), the command-line flags (cli.add_setting_arguments), the example
INI (`example_ini()`, checked against music-analytics.example.ini) and the Prefect flow's request
fields. A password may sit in the warehouse URL, in [warehouse] password, or in
MUSIC_ANALYTICS_WAREHOUSE_PASSWORD / PGPASSWORD; secrets are `Secret` values, masked in str() and
repr() and registered with `secrets` so they are masked wherever the pipeline prints.
"""

from __future__ import annotations

import configparser
import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import secrets
from .errors import ConfigError

ENV_PREFIX = "MUSIC_ANALYTICS_"
DEFAULT_CONFIG_FILE = "music-analytics.ini"
ENGINES = ("duckdb", "spark")
QUALITY_GATES = ("lake", "warehouse")
COPY_FORMATS = ("parquet", "json")
SONGS_PARTITIONINGS = ("year,artist_id", "year")


class Secret:
    """A credential: shown as *** everywhere (str, repr, f-strings); `reveal()` is the one way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        secrets.register(value)

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return secrets.MASK

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


# -- parsers: INI/environment text -> value, or a one-line ConfigError ---------------------------------

Parser = Callable[[str], Any]


class _Invalid(ValueError):
    """A value out of its domain; the message is completed with "[section] key: "."""


def _int(text: str) -> int:
    try:
        return int(text.replace("_", ""))
    except ValueError:
        raise _Invalid(f"{text!r} is not an integer") from None


def _between(low: int, high: int | None = None) -> Parser:
    def parse(text: str) -> int:
        value = _int(text)
        if value < low or (high is not None and value > high):
            raise _Invalid(
                f"must be between {low} and {high}, got {value}"
                if high is not None
                else f"must be >= {low}{' seconds' if low == 0 else ''}, got {value}"
            )
        return value

    return parse


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _Invalid(f"expected a fraction between 0 and 1 (0.05 = 5%), got {text!r}") from None
    if not 0 <= value <= 1:
        raise _Invalid(f"must be between 0 and 1 (0.05 = 5%), got {value:g}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _Invalid(f"{text!r} is not a date (expected YYYY-MM-DD)") from None


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise _Invalid(f"{text!r} is not a boolean (true or false)")


def _choice(*allowed: str) -> Parser:
    def parse(text: str) -> str:
        if text not in allowed:
            raise _Invalid(f"{text!r} is not one of: {', '.join(allowed)}")
        return text

    return parse


_SPARK_MASTER = re.compile(r"^(local(\[(\*|\d+)(,\d+)?\])?|spark://.+|sc://.+|yarn|k8s://.+|mesos://.+)$")


def _spark_master(text: str) -> str:
    if not _SPARK_MASTER.match(text):
        raise _Invalid(
            f"{text!r} is not a Spark master URL "
            "(local[*], local[N], spark://host:port, yarn, k8s://https://host:port, sc://host:port)"
        )
    return text


def _gates(text: str) -> tuple[str, ...]:
    compact = text.replace(" ", "")
    gates = () if compact == "none" else tuple(g for g in compact.split(",") if g)
    if not set(gates) <= set(QUALITY_GATES):
        raise _Invalid(f"{compact!r} is not a list of {', '.join(QUALITY_GATES)} (or none)")
    return tuple(g for g in QUALITY_GATES if g in gates)


def _songs_partitioning(text: str) -> str:
    compact = text.replace(" ", "")
    if compact not in SONGS_PARTITIONINGS:
        raise _Invalid(f"{compact!r} is not one of: {' | '.join(SONGS_PARTITIONINGS)}")
    return compact


def _http_url(text: str) -> str:
    if not re.match(r"^https?://\S+$", text):
        raise _Invalid(f"{text!r} is not an http:// or https:// URL (a browser opens links)")
    return text


_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_S3 = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[\w!\-.*()=/]*)?$")
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")


def _iam_role(text: str) -> str:
    if not _ROLE.match(text):
        raise _Invalid(f"{text!r} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)")
    return text


def _s3_uri(text: str) -> str:
    if not _S3.match(text):
        raise _Invalid(f"{text!r} is not an s3://bucket/prefix URI")
    return text


def _region(text: str) -> str:
    if not _REGION.match(text):
        raise _Invalid(f"{text!r} is not an AWS region (e.g. us-west-2)")
    return text


# -- the declaration ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    help: str
    parse: Parser = str
    flag: str | None = None  # the command-line flag (also the flow request's field); None: INI/env only
    group: str = "run"  # the flag's section of --help (cli.FLAG_GROUPS)
    metavar: str | None = None
    ini: bool = True  # False: a flag for one run (--reload), not a standing setting
    example: str | None = None  # what the example INI shows (default: the default)


def setting(default: Any, help: str, **option: Any) -> Any:
    return field(default=default, metadata={"option": Option(help, **option)})


@dataclass(frozen=True)
class PipelineSettings:
    source: str | None = setting(
        None,
        "folder or s3://bucket/prefix holding song_data/ and log_data/ (default: the demo dataset)",
        flag="--source",
        group="input",
        metavar="DIR|s3://bucket/prefix",
        example="",
    )
    engine: str = setting(
        "duckdb",
        "transform engine: duckdb (one machine) or spark (needs Java 17+)",
        parse=_choice(*ENGINES),
        flag="--engine",
        group="engine",
        metavar="duckdb|spark",
    )
    data_dir: Path = setting(
        Path("data"),
        "where demo data, lake, reports and scratch files go",
        parse=Path,
        flag="--data-dir",
        group="files",
        metavar="DIR",
    )
    lake: Path | None = setting(
        None,
        "the Parquet lake (default: <data_dir>/lake)",
        parse=Path,
        flag="--lake",
        group="files",
        metavar="DIR",
        example="",
    )
    start: dt.date | None = setting(
        None,
        "first day of a range of event files (by file name), inclusive",
        parse=_date,
        flag="--start",
        group="days",
        metavar="YYYY-MM-DD",
        example="",
    )
    end: dt.date | None = setting(
        None,
        "last day of the range, inclusive",
        parse=_date,
        flag="--end",
        group="days",
        metavar="YYYY-MM-DD",
        example="",
    )
    lookback_days: int = setting(
        2,
        "a dated run also re-reads the event files of this many days before its first day when they changed "
        "since loaded (late data)",
        parse=_between(0, 366),
        flag="--lookback-days",
        group="days",
        metavar="N",
    )
    max_rejected_fraction: float | None = setting(
        None,
        "stop the run, publishing nothing, when more than this fraction of the records it read is "
        "rejected (e.g. 0.05; default: off, every rejected record is kept and the rest published)",
        parse=_fraction,
        flag="--max-rejected-fraction",
        group="run",
        metavar="F",
        example="",
    )
    lock_timeout: int = setting(
        600,
        "seconds to wait for another run on the same warehouse to finish",
        parse=_between(0),
        flag="--lock-timeout",
        group="run",
        metavar="SECONDS",
    )
    lease_timeout: int = setting(
        21600,
        "seconds a stepwise run (the Airflow DAG: one task per stage, each its own process) keeps the warehouse "
        "between its tasks without renewing it; after that, a task that died is taken to have left it",
        parse=_between(60),
        group="run",
        metavar="SECONDS",
    )
    reload: bool = setting(
        False,
        "read every file in range, even those the run ledger has loaded unchanged",
        parse=_bool,
        flag="--reload",
        group="days",
        ini=False,
    )
    source_moved: bool = setting(
        False,
        "the source is the dataset this warehouse was loaded from, in a new place (moved, renamed, copied "
        "to S3): rebind the warehouse to it. Without it a run from another source stops, so two datasets "
        "never merge into one warehouse",
        parse=_bool,
        flag="--source-moved",
        group="days",
        ini=False,
    )


@dataclass(frozen=True)
class LakeSettings:
    songs_partition_by: str = setting(
        "year",
        "songs partitioning: year (a few files per year: fast to write, read and replace) or "
        "year,artist_id (the Sparkify convention: one folder per artist, thousands of tiny files)",
        parse=_songs_partitioning,
    )


@dataclass(frozen=True)
class DuckDBSettings:
    memory_limit: str | None = setting(
        "2GB", "memory bound of the DuckDB engine and warehouse (they spill to <data_dir>/work beyond it)"
    )
    threads: int | None = setting(
        None, "threads of the DuckDB engine (default: all cores)", parse=_between(1), example=""
    )


@dataclass(frozen=True)
class SparkSettings:
    master: str = setting(
        "local[*]",
        "Spark master for engine spark: local[*], local[N], spark://host:port, yarn, "
        "k8s://https://host:port, or sc://host:port for Spark Connect",
        parse=_spark_master,
        flag="--spark-master",
        group="engine",
        metavar="URL",
    )
    driver_memory: str = setting("4g", "the driver's memory (spark.driver.memory)")
    # Few, larger shuffle partitions suit one machine; a cluster raises it (or leaves it to AQE).
    shuffle_partitions: int = setting(8, "spark.sql.shuffle.partitions", parse=_between(1))
    # Any other spark.* key of [spark] is passed to the session as written (case kept).
    conf: tuple[tuple[str, str], ...] = field(default=(), metadata={"extra": "spark."})


@dataclass(frozen=True)
class DemoSettings:
    events: int = setting(100_000, "events in the demo dataset (generated on first use)", parse=_between(1000))
    seed: int = setting(42, "the demo dataset's random seed", parse=_int)


@dataclass(frozen=True)
class QualitySettings:
    gates: tuple[str, ...] = setting(
        QUALITY_GATES,
        "quality gates to run: lake,warehouse, lake, warehouse or none; a failing gate "
        "stops the run before anything is published (exit code 3)",
        parse=_gates,
        flag="--quality-gates",
        group="quality",
        metavar="LIST",
        example="lake,warehouse",
    )
    docs_dir: Path | None = setting(
        None,
        "where the Great Expectations Data Docs site goes (default: <data_dir>/quality-docs)",
        parse=Path,
        flag="--quality-docs",
        group="quality",
        metavar="DIR",
        example="",
    )


@dataclass(frozen=True)
class S3Settings:
    endpoint_url: str | None = setting(None, "an S3-compatible store (MinIO, ...); empty for AWS", example="")
    region: str | None = setting(None, "the bucket's region", example="")
    access_key_id: str | None = setting(
        None,
        "empty: boto3's own credential chain (AWS_* variables, ~/.aws, an "
        "instance role, a Prefect AwsCredentials block)",
        example="",
    )
    secret_access_key: Secret | None = setting(
        None,
        "prefer MUSIC_ANALYTICS_S3_SECRET_ACCESS_KEY or AWS_SECRET_ACCESS_KEY; masked in all output",
        parse=Secret,
        example="",
    )


@dataclass(frozen=True)
class RedshiftSettings:
    iam_role: str | None = setting(
        None, "the ARN of an IAM role the cluster assumes to read s3_staging for COPY", parse=_iam_role, example=""
    )
    s3_staging: str | None = setting(
        None, "the s3://bucket/prefix the lake export is uploaded under for COPY", parse=_s3_uri, example=""
    )
    region: str | None = setting(
        None,
        "the bucket's region (copy_format json only: columnar COPY needs the bucket in the cluster's region)",
        parse=_region,
        example="",
    )
    copy_format: str = setting(
        "parquet", "parquet, or json (JSON lines mapped by JSONPaths files)", parse=_choice(*COPY_FORMATS)
    )


@dataclass(frozen=True)
class ReportsSettings:
    insights: bool = setting(
        True,
        "answer the insight questions after every run that loaded something (the HTML "
        "report, and Prefect artifacts in a flow run)",
        parse=_bool,
    )
    base_url: str | None = setting(
        None,
        "the URL at which <data_dir> is served (a web server, an S3 static website): the Prefect link "
        "artifacts to the insights report and the Data Docs point there. Empty: no links (a file:// path on "
        "the worker does not open from the Prefect UI)",
        parse=_http_url,
        example="",
    )


# [warehouse] is read into a WarehouseURL (below): url and password are not plain fields.
WAREHOUSE_OPTIONS: dict[str, Option] = {
    "url": Option(
        "duckdb:///relative/file.duckdb, duckdb:////absolute/file.duckdb, "
        "postgresql://user[:password]@host:port/db or redshift://user@cluster:5439/db",
        flag="--warehouse",
        group="output",
        metavar="URL",
    ),
    "password": Option(
        "the warehouse password (this file is git-ignored), or MUSIC_ANALYTICS_WAREHOUSE_PASSWORD / "
        "PGPASSWORD, rather than in the URL; masked in all output",
        example="",
    ),
}
DEFAULT_WAREHOUSE = "duckdb:///data/warehouse.duckdb"

SECTIONS: dict[str, type[Any]] = {
    "pipeline": PipelineSettings,
    "lake": LakeSettings,
    "duckdb": DuckDBSettings,
    "spark": SparkSettings,
    "demo": DemoSettings,
    "quality": QualitySettings,
    "s3": S3Settings,
    "redshift": RedshiftSettings,
    "reports": ReportsSettings,
}
SECTION_ORDER = ("pipeline", "lake", "warehouse", "redshift", "duckdb", "spark", "demo", "quality", "reports", "s3")


@dataclass(frozen=True)
class Setting:
    """One setting as the resolver and the generators see it."""

    section: str
    key: str
    option: Option
    default: Any

    @property
    def env(self) -> str:
        return f"{ENV_PREFIX}{self.section.upper()}_{self.key.upper()}"

    @property
    def dest(self) -> str:
        """Its name as a flag's argparse destination and the flow request's field (or section_key)."""
        return self.option.flag[2:].replace("-", "_") if self.option.flag else f"{self.section}_{self.key}"


def settings() -> Iterator[Setting]:
    """Every setting, in the example INI's order."""
    for section in SECTION_ORDER:
        if section == "warehouse":
            yield from (
                Setting("warehouse", k, o, DEFAULT_WAREHOUSE if k == "url" else None)
                for k, o in WAREHOUSE_OPTIONS.items()
            )
            continue
        for f in dataclasses.fields(SECTIONS[section]):
            if "option" in f.metadata:
                yield Setting(section, f.name, f.metadata["option"], f.default)


def flag_settings() -> list[Setting]:
    return [s for s in settings() if s.option.flag]


def python_type(s: Setting) -> type:
    """The type a flag (and the flow request's field) takes: bool, int, date, or text."""
    if s.section == "warehouse":
        return str
    annotation = next(str(f.type) for f in dataclasses.fields(SECTIONS[s.section]) if f.name == s.key)
    for name, kind in (("bool", bool), ("int", int), ("dt.date", dt.date)):
        if annotation.split(" | ")[0] == name:
            return kind
    return str


def shown(value: Any) -> str:
    """A default as the help and the example INI show it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


# -- the warehouse URL -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WarehouseURL:
    """A parsed warehouse URL; `str()` and `repr()` never show the password."""

    scheme: str
    path: str = ""  # DuckDB file path
    user: str | None = None
    password: Secret | None = field(default=None, repr=False)
    host: str | None = None
    port: int | None = None
    database: str | None = None

    @classmethod
    def parse(cls, url: str, password: str | None = None) -> WarehouseURL:
        from .warehouse.kinds import kind_of

        userinfo = re.search(r"//(.*)@", url)
        if userinfo is not None and any(c in userinfo.group(1) for c in "#/?"):
            # urlsplit would end the host at the first of these and misreport the rest.
            raise ConfigError(
                f"warehouse URL {redacted_url(url)!r}: its user or password holds '#', '/' or '?'; "
                "percent-encode them (%23, %2F, %3F) or set the password in MUSIC_ANALYTICS_WAREHOUSE_PASSWORD"
            )
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise ConfigError(f"warehouse URL {redacted_url(url)!r}: {exc}") from None
        kind = kind_of(parts.scheme.lower(), redacted_url(url))
        if kind.file:
            # SQLAlchemy convention: duckdb:///relative/file.duckdb, duckdb:////absolute/file.duckdb
            if parts.netloc:
                raise ConfigError(
                    f"warehouse URL {redacted_url(url)!r}: use {kind.scheme}:///relative/path.duckdb "
                    f"or {kind.scheme}:////absolute/path.duckdb (three or four slashes)"
                )
            path = parts.path[1:] if parts.path.startswith("/") else parts.path
            if not path:
                raise ConfigError(f"warehouse URL {redacted_url(url)!r} names no database file")
            return cls(scheme=kind.scheme, path=path)
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"warehouse URL {redacted_url(url)!r}: invalid port") from None
        pw = unquote(parts.password) if parts.password is not None else password
        database = parts.path.lstrip("/") or None
        if not parts.hostname or not database:
            raise ConfigError(
                f"warehouse URL {redacted_url(url)!r}: expected {kind.scheme}://user[:password]@host:port/database"
            )
        return cls(
            scheme=kind.scheme,
            user=unquote(parts.username) if parts.username else None,
            password=Secret(pw) if pw else None,
            host=parts.hostname,
            port=port or kind.default_port,
            database=database,
        )

    @property
    def slug(self) -> str:
        """A short, file-name-safe name of the warehouse: what is kept per warehouse (reports) is filed under it."""
        base = Path(self.path).stem if self.path else f"{self.database}@{self.host}-{self.port}"
        return re.sub(r"[^A-Za-z0-9._@-]+", "_", base) or self.scheme

    def without_password(self) -> str:
        """The URL with no password in it (what may be stored, e.g. as a flow parameter)."""
        if self.path:
            return str(self)
        user = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}/{self.database}"

    def __str__(self) -> str:
        if self.path:
            return f"{self.scheme}:///{self.path}"
        user = f"{self.user}{':' + secrets.MASK if self.password else ''}@" if self.user else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}/{self.database}"


def redacted_url(url: str) -> str:
    """The URL with any password replaced by a mask, for messages. The credentials are everything
    between "//" and the LAST "@", however the URL is malformed: a password holding "#", "/" or "?"
    makes urlsplit cut it short (and show the rest as host or path)."""
    match = re.search(r"//([^@]*)@", url)
    if match is None:
        return url
    userinfo = url[match.start(1) : url.rindex("@")]
    user, sep, password = userinfo.partition(":")
    if not sep:
        return url
    secrets.register(password)
    secrets.register(unquote(password))
    return url.replace(userinfo, f"{user}:{secrets.MASK}", 1)


# -- the resolved configuration --------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """Everything a run needs, resolved once by `load_config`; paths are relative to the working directory."""

    pipeline: PipelineSettings = field(default_factory=PipelineSettings)
    lake: LakeSettings = field(default_factory=LakeSettings)
    warehouse: WarehouseURL = field(default_factory=lambda: WarehouseURL.parse(DEFAULT_WAREHOUSE))
    duckdb: DuckDBSettings = field(default_factory=DuckDBSettings)
    spark: SparkSettings = field(default_factory=SparkSettings)
    demo: DemoSettings = field(default_factory=DemoSettings)
    quality: QualitySettings = field(default_factory=QualitySettings)
    s3: S3Settings = field(default_factory=S3Settings)
    redshift: RedshiftSettings = field(default_factory=RedshiftSettings)
    reports: ReportsSettings = field(default_factory=ReportsSettings)
    verbose: bool = False

    def for_days(self, start: dt.date | None, end: dt.date | None) -> Config:
        """The same configuration for another range of days (a backfill's day)."""
        return dataclasses.replace(self, pipeline=dataclasses.replace(self.pipeline, start=start, end=end))

    @property
    def data_dir(self) -> Path:
        return self.pipeline.data_dir

    @property
    def lake_path(self) -> Path:
        return self.pipeline.lake if self.pipeline.lake is not None else self.data_dir / "lake"

    @property
    def work_path(self) -> Path:
        """Scratch space of the transform engine (spill files, its working database)."""
        return self.data_dir / "work"

    @property
    def quality_docs_path(self) -> Path:
        return self.quality.docs_dir if self.quality.docs_dir is not None else self.data_dir / "quality-docs"

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
        if not self.reports.base_url:
            return None
        try:
            relative = path.resolve().relative_to(self.data_dir.resolve())
        except ValueError:
            return None
        return f"{self.reports.base_url.rstrip('/')}/{relative.as_posix()}"


# -- resolution ------------------------------------------------------------------------------------


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
    known: dict[str, set[str]] = {}
    for s in settings():
        if s.option.ini:
            known.setdefault(s.section, set()).add(s.key)
    values: dict[str, dict[str, str]] = {}
    for section in parser.sections():
        if section not in known:
            raise ConfigError(f"config file {path}: unknown section [{section}] (known: {', '.join(SECTION_ORDER)})")
        for raw_key, value in parser.items(section):
            if section == "spark" and raw_key.startswith("spark."):
                values.setdefault(section, {})[raw_key] = value.strip()  # passed to Spark as written
                continue
            key = raw_key.lower()
            if key not in known[section]:
                listed = ", ".join(s.key for s in settings() if s.section == section and s.option.ini)
                raise ConfigError(f"config file {path}: unknown key {key!r} in [{section}] (known: {listed})")
            values.setdefault(section, {})[key] = value.strip()
    return values


def load_config(
    config_file: str | Path | None = None, environ: Mapping[str, str] | None = None, **flags: Any
) -> Config:
    """Resolve defaults < INI < environment < flags into a validated Config, once.

    `config_file` None reads ./music-analytics.ini when it exists. `flags` are keyed by the settings'
    destinations (`Setting.dest`: source, warehouse, engine, start, quality_gates, ...; a flag with
    value None is "not given"). Raises ConfigError with a one-line message on any invalid value.
    """
    environ = os.environ if environ is None else environ
    verbose = bool(flags.pop("verbose", False))
    layers: list[dict[str, dict[str, str]]] = []
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"config file {path}: not found")
        layers.append(_read_ini(path))
    elif Path(DEFAULT_CONFIG_FILE).is_file():
        layers.append(_read_ini(Path(DEFAULT_CONFIG_FILE)))
    from_env: dict[str, dict[str, str]] = {}
    for s in settings():
        if s.env in environ:
            from_env.setdefault(s.section, {})[s.key] = environ[s.env].strip()
    layers.append(from_env)
    merged: dict[str, dict[str, str]] = {}
    for layer in layers:
        for section, kv in layer.items():
            merged.setdefault(section, {}).update(kv)

    values: dict[str, dict[str, Any]] = {}
    given = {k: v for k, v in flags.items() if v is not None}
    for s in settings():
        if s.dest in given:
            value = given.pop(s.dest)
            if s.option.parse is not str:  # flags are checked like the INI's text: same rules, same messages
                value = _parsed(s, value if isinstance(value, str) else _text(value))
            values.setdefault(s.section, {})[s.key] = value
        elif (text := merged.get(s.section, {}).get(s.key)) not in (None, ""):
            values.setdefault(s.section, {})[s.key] = _parsed(s, str(text))
    if given:
        raise ConfigError(f"unknown option(s): {', '.join(sorted(given))}")

    warehouse = values.pop("warehouse", {})
    password = warehouse.get("password") or environ.get("PGPASSWORD") or None
    url = WarehouseURL.parse(str(warehouse.get("url") or DEFAULT_WAREHOUSE), password)
    spark_conf = tuple(sorted((k, v) for k, v in merged.get("spark", {}).items() if k.startswith("spark.")))
    sections = {name: SECTIONS[name](**values.get(name, {})) for name in SECTIONS}
    sections["spark"] = dataclasses.replace(sections["spark"], conf=spark_conf)
    cfg = Config(warehouse=url, verbose=verbose, **sections)
    start, end = cfg.pipeline.start, cfg.pipeline.end
    if start and end and end < start:
        raise ConfigError(f"date range: end {end} is before start {start}")
    return cfg


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _parsed(s: Setting, text: str) -> Any:
    try:
        return s.option.parse(text)
    except _Invalid as exc:
        prefix = f"{s.key} " if s.key == "engine" else ""  # "engine 'flink' is not one of ..."
        raise ConfigError(f"[{s.section}] {s.key}: {exc}" if not prefix else f"{prefix}{exc}") from None


# -- the example INI, from the declaration -----------------------------------------------------------


def example_ini() -> str:
    """music-analytics.example.ini as the declaration says it (a test keeps the file equal to this)."""
    import textwrap

    out = [
        "; Music Analytics configuration. Copy to music-analytics.ini (git-ignored) and edit.",
        "; Priority: built-in defaults < this file < MUSIC_ANALYTICS_<SECTION>_<KEY> variables < flags.",
        "; Generated from music_analytics/config.py (make docs); every key is documented there.",
    ]
    section = None
    for s in settings():
        if not s.option.ini:
            continue
        if s.section != section:
            section = s.section
            out += ["", f"[{section}]"]
        out += [f"; {line}" for line in textwrap.wrap(s.option.help, 98)]
        value = s.option.example if s.option.example is not None else shown(s.default)
        out.append(f"{s.key} = {value}".rstrip())
        if section == "spark" and s.key == "shuffle_partitions":
            out += ["; Any other spark.* key is passed to the session as is, e.g.:", "; spark.executor.memory = 4g"]
    return "\n".join(out) + "\n"
