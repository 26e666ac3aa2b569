"""Configuration: defaults < INI < environment < flags; secrets masked everywhere."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from music_analytics import secrets
from music_analytics.config import WarehouseURL, example_ini, load_config, settings
from music_analytics.errors import ConfigError
from tests.helpers import REPO


def test_precedence_ini_then_env_then_flags(tmp_path: Path) -> None:
    ini = tmp_path / "c.ini"
    ini.write_text(
        "[pipeline]\nengine = duckdb\nsource = /from/ini\ndata_dir = ini-data\n"
        "[warehouse]\nurl = duckdb:///ini.duckdb\n[demo]\nevents = 5000\n"
    )
    cfg = load_config(ini, environ={})
    assert (cfg.pipeline.source, str(cfg.data_dir), cfg.warehouse.path, cfg.demo.events) == (
        "/from/ini",
        "ini-data",
        "ini.duckdb",
        5000,
    )
    env = {"MUSIC_ANALYTICS_PIPELINE_SOURCE": "/from/env", "MUSIC_ANALYTICS_WAREHOUSE_URL": "duckdb:///env.duckdb"}
    cfg = load_config(ini, environ=env)
    assert (cfg.pipeline.source, cfg.warehouse.path) == ("/from/env", "env.duckdb")
    cfg = load_config(ini, environ=env, source="/from/flag", start=dt.date(2018, 11, 2))
    assert (cfg.pipeline.source, cfg.warehouse.path, cfg.pipeline.start) == (
        "/from/flag",
        "env.duckdb",
        dt.date(2018, 11, 2),
    )


def test_defaults_need_no_file_and_no_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = load_config(environ={})
    assert cfg.pipeline.source is None and cfg.pipeline.engine == "duckdb"
    assert str(cfg.warehouse) == "duckdb:///data/warehouse.duckdb"
    assert cfg.lake_path == Path("data/lake")


def test_example_ini_is_generated_from_the_declaration() -> None:
    assert (REPO / "music-analytics.example.ini").read_text() == example_ini(), (
        "music-analytics.example.ini is stale: run `make docs` and commit it"
    )
    # Every INI setting is in it, as [section] key = value.
    text = example_ini()
    for s in settings():
        if s.option.ini:
            assert f"\n{s.key} =" in text.split(f"[{s.section}]", 1)[1], (s.section, s.key)


def test_example_ini_is_valid() -> None:
    cfg = load_config(REPO / "music-analytics.example.ini", environ={})
    assert cfg.warehouse.scheme == "duckdb"
    assert (cfg.pipeline.lookback_days, cfg.pipeline.lock_timeout) == (2, 600)


def test_incremental_settings_resolve_ini_then_environment_then_flags(tmp_path: Path) -> None:
    ini = tmp_path / "c.ini"
    ini.write_text("[pipeline]\nlookback_days = 5\nlock_timeout = 30\n")
    assert (
        load_config(ini, environ={}).pipeline.lookback_days,
        load_config(ini, environ={}).pipeline.lock_timeout,
    ) == (5, 30)
    env = {"MUSIC_ANALYTICS_PIPELINE_LOOKBACK_DAYS": "1", "MUSIC_ANALYTICS_PIPELINE_LOCK_TIMEOUT": "0"}
    assert (
        load_config(ini, environ=env).pipeline.lookback_days,
        load_config(ini, environ=env).pipeline.lock_timeout,
    ) == (1, 0)
    flagged = load_config(ini, environ=env, lookback_days=0, lock_timeout=7, reload=True)
    assert (flagged.pipeline.lookback_days, flagged.pipeline.lock_timeout, flagged.pipeline.reload) == (0, 7, True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[pipeline]\nengine = flink\n", "engine 'flink' is not one of"),
        ("[duckdb]\nthreads = many\n", "[duckdb] threads: 'many' is not an integer"),
        ("[oops]\nx = 1\n", "unknown section [oops]"),
        ("[pipeline]\nstart = 2018-13-01\n", "[pipeline] start: '2018-13-01' is not a date"),
        ("not an ini file", "File contains no section headers"),
        ("[quality]\ngates = lake,prod\n", "[quality] gates: 'lake,prod' is not a list of lake, warehouse (or none)"),
        ("[pipeline]\nlookback_days = -1\n", "[pipeline] lookback_days: must be between 0 and 366, got -1"),
        ("[pipeline]\nlock_timeout = soon\n", "[pipeline] lock_timeout: 'soon' is not an integer"),
    ],
)
def test_invalid_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    ini = tmp_path / "c.ini"
    ini.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(ini, environ={})
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_passwords_are_masked_wherever_they_come_from(tmp_path: Path) -> None:
    url = WarehouseURL.parse("postgresql://etl:pw-in-url-123@db.example:5433/music")
    assert "pw-in-url-123" not in str(url) + repr(url)
    assert str(url) == "postgresql://etl:***@db.example:5433/music"
    assert secrets.redact("connect failed for pw-in-url-123") == "connect failed for ***"

    ini = tmp_path / "c.ini"
    ini.write_text("[warehouse]\nurl = postgresql://etl@h:5432/db\npassword = pw-in-ini-456\n")
    cfg = load_config(ini, environ={})
    assert cfg.warehouse.password is not None and cfg.warehouse.password.reveal() == "pw-in-ini-456"
    assert str(cfg.warehouse.password) == "***"
    assert "pw-in-ini-456" not in str(cfg) + repr(cfg)
    assert secrets.redact("x pw-in-ini-456 y") == "x *** y"

    cfg = load_config(None, environ={"PGPASSWORD": "pw-in-env-789"}, warehouse="postgresql://etl@h:5432/db")
    assert cfg.warehouse.password is not None and cfg.warehouse.password.reveal() == "pw-in-env-789"
    assert "pw-in-env-789" not in repr(cfg)


def test_duckdb_url_forms() -> None:
    assert WarehouseURL.parse("duckdb:///rel/w.duckdb").path == "rel/w.duckdb"
    assert WarehouseURL.parse("duckdb:////abs/w.duckdb").path == "/abs/w.duckdb"
    with pytest.raises(ConfigError, match="three or four slashes"):
        WarehouseURL.parse("duckdb://host/w.duckdb")


def test_spark_section_env_and_flag(tmp_path: Path) -> None:
    ini = tmp_path / "c.ini"
    ini.write_text(
        "[pipeline]\nengine = spark\n[spark]\nmaster = local[2]\ndriver_memory = 2g\n"
        "shuffle_partitions = 4\nspark.executor.extraJavaOptions = -Dx=1\n"
    )
    cfg = load_config(ini, environ={})
    assert (cfg.pipeline.engine, cfg.spark.master, cfg.spark.driver_memory, cfg.spark.shuffle_partitions) == (
        "spark",
        "local[2]",
        "2g",
        4,
    )
    # spark.* keys pass through with their case (Spark settings are case-sensitive)
    assert cfg.spark.conf == (("spark.executor.extraJavaOptions", "-Dx=1"),)
    cfg = load_config(ini, environ={"MUSIC_ANALYTICS_SPARK_MASTER": "spark://10.0.0.5:7077"})
    assert cfg.spark.master == "spark://10.0.0.5:7077"
    cfg = load_config(
        ini, environ={"MUSIC_ANALYTICS_SPARK_MASTER": "spark://10.0.0.5:7077"}, spark_master="sc://connect:15002"
    )
    assert cfg.spark.master == "sc://connect:15002"


@pytest.mark.parametrize(
    ("ini", "fragment"),
    [
        ("[spark]\nmaster = localhost\n", "is not a Spark master URL"),
        ("[spark]\nshuffle_partitions = 0\n", "shuffle_partitions: must be >= 1"),
        ("[spark]\nexecutors = 3\n", "unknown key 'executors' in [spark]"),
    ],
)
def test_bad_spark_settings_are_config_errors(tmp_path: Path, ini: str, fragment: str) -> None:
    path = tmp_path / "c.ini"
    path.write_text(ini)
    with pytest.raises(ConfigError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        load_config(path, environ={})


def test_quality_section_env_and_flag(tmp_path: Path) -> None:
    cfg = load_config(environ={}, data_dir=str(tmp_path / "d"))
    assert cfg.quality.gates == ("lake", "warehouse")
    assert cfg.quality_docs_path == tmp_path / "d" / "quality-docs"
    ini = tmp_path / "c.ini"
    ini.write_text("[quality]\ngates = warehouse, lake\ndocs_dir = reports/gx\n")
    cfg = load_config(ini, environ={})
    assert (cfg.quality.gates, cfg.quality_docs_path) == (("lake", "warehouse"), Path("reports/gx"))
    cfg = load_config(ini, environ={"MUSIC_ANALYTICS_QUALITY_GATES": "lake"})
    assert cfg.quality.gates == ("lake",)
    cfg = load_config(ini, environ={"MUSIC_ANALYTICS_QUALITY_GATES": "lake"}, quality_gates="none")
    assert cfg.quality.gates == ()


@pytest.mark.parametrize("password", ["Wob#bly7", "Wob/bly7", "Wob?bly7", "Wobx#Zeta/Kap?pa99"])
def test_a_password_urlsplit_would_cut_is_named_and_masked(password: str) -> None:
    with pytest.raises(ConfigError) as info:
        WarehouseURL.parse(f"postgresql://etl:{password}@db.example:5432/music")
    message = str(info.value)
    assert "percent-encode them (%23, %2F, %3F)" in message and "etl:***@db.example" in message
    pieces = password.replace("#", "/").replace("?", "/").split("/")
    assert all(piece not in message for piece in pieces if len(piece) >= 3)
