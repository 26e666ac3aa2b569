"""Raw data from S3 and the lake's upload, against moto's S3 server over real HTTP on 127.0.0.1.

A run reading s3://bucket/prefix must publish exactly what a run over the same files in a local
folder publishes; secrets configured for S3 and the warehouse never appear in anything printed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from music_analytics import pipeline, s3
from music_analytics import warehouse as wh
from music_analytics.cli import main as cli_main
from music_analytics.config import Config, RedshiftSettings, S3Settings, Secret, WarehouseURL
from music_analytics.pipeline import Hooks
from tests.helpers import STAR, FlowCli, make_config, need, query, tables

BUCKET = "sparkify"
PREFIX = "raw/sparkify"
KEY_ID = "AKIAMUSICTEST"
SECRET = "s3ntinel-S3cret/Key+value"  # moto accepts any key; it must never be printed
PG_PASSWORD = "s3ntinel-pg-Pa55"  # the local PostgreSQL trusts connections: any password works


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = Path(sys.executable).parent / "moto_server"
    need(server.exists(), "moto's S3 server (pip install 'moto[server]')")
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    proc = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start on {endpoint}") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def s3_config(cfg: Config, endpoint: str) -> Config:
    settings = S3Settings(
        endpoint_url=endpoint, region="us-east-1", access_key_id=KEY_ID, secret_access_key=Secret(SECRET)
    )
    return dataclasses.replace(cfg, s3=settings)


def s3_env(endpoint: str) -> dict[str, str]:
    return {
        "MUSIC_ANALYTICS_S3_ENDPOINT_URL": endpoint,
        "MUSIC_ANALYTICS_S3_REGION": "us-east-1",
        "MUSIC_ANALYTICS_S3_ACCESS_KEY_ID": KEY_ID,
        "MUSIC_ANALYTICS_S3_SECRET_ACCESS_KEY": SECRET,
    }


@pytest.fixture(scope="module")
def s3_sample(moto_endpoint: str, sample: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The real sample uploaded to s3://sparkify/raw/sparkify/ (once per module)."""
    need(sample.is_dir(), "the Sparkify sample")
    cfg = s3_config(Config(), moto_endpoint)
    client = s3.client(cfg.s3)
    client.create_bucket(Bucket=BUCKET)
    uri = f"s3://{BUCKET}/{PREFIX}"
    keys = s3.upload_tree(cfg.s3, sample, uri)
    assert len(keys) == 101
    return uri


@pytest.fixture(scope="module")
def from_folder(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Any, ...]]]:
    tmp = tmp_path_factory.mktemp("folder")
    cfg = make_config(tmp, sample, f"duckdb:///{tmp / 'folder.duckdb'}")
    pipeline.run(cfg)
    return tables(cfg)


def _with_password(url: str) -> str:
    return url.replace("postgres@", f"postgres:{PG_PASSWORD}@", 1)


def test_the_flow_reading_s3_publishes_what_the_folder_run_does(
    s3_sample: str,
    moto_endpoint: str,
    warehouse_url: str,
    tmp_path: Path,
    from_folder: dict[str, list[tuple[Any, ...]]],
    flow_cli: FlowCli,
) -> None:
    url = _with_password(warehouse_url) if warehouse_url.startswith("postgresql") else warehouse_url
    proc = flow_cli(
        "--source",
        s3_sample,
        "--warehouse",
        url,
        "--data-dir",
        str(tmp_path / "data"),
        "--quality-gates",
        "none",
        "--summary-json",
        str(tmp_path / "summary.json"),
        env=s3_env(moto_endpoint),
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert "downloading 101 of 101 objects from s3://sparkify/raw/sparkify" in output
    cfg = make_config(tmp_path, s3_sample, warehouse_url)
    assert tables(cfg) == from_folder
    summary = (tmp_path / "summary.json").read_text()
    assert json.loads(summary)["source"] == s3_sample
    for secret in (SECRET, PG_PASSWORD):
        assert secret not in output and secret not in summary
    # The ledger names files relative to the source prefix, as for a folder.
    assert ("log_data/2018/11/2018-11-15-events.json",) in query(
        wh.connect(cfg.warehouse), "SELECT source_file FROM loaded_files"
    )


def test_a_daily_run_downloads_only_what_it_needs(s3_sample: str, moto_endpoint: str, tmp_path: Path) -> None:
    day = dt.date(2018, 11, 15)
    messages: list[str] = []
    cfg = s3_config(
        make_config(tmp_path, s3_sample, f"duckdb:///{tmp_path / 'w.duckdb'}", start=day, end=day), moto_endpoint
    )
    first = pipeline.run(cfg, Hooks(messages.append))
    assert first.plan is not None and first.plan.files_read == 72
    # 71 song files, the day and the two lookback days (their checksums decide if they are read).
    assert "downloading 74 of 74 objects from s3://sparkify/raw/sparkify (" in "\n".join(messages)
    messages.clear()
    nxt = day + dt.timedelta(days=1)
    second = pipeline.run(cfg.for_days(nxt, nxt), Hooks(messages.append))
    assert second.plan is not None and second.plan.files_read == 1
    # The song files and the lookback days are mirrored already: one new object comes down.
    assert any(m.startswith("downloading 1 of 74 objects") for m in messages), messages
    mirror = s3.mirror_root(cfg, s3_sample)
    assert len(list((mirror / "log_data").rglob("*.json"))) == 4  # the 13th to the 16th


def test_the_lake_upload_lands_every_lake_file(
    s3_sample: str, moto_endpoint: str, tmp_path: Path, sample: Path
) -> None:
    cfg = s3_config(make_config(tmp_path, sample, f"duckdb:///{tmp_path / 'w.duckdb'}"), moto_endpoint)
    result = pipeline.transform(cfg, str(sample))
    target = f"s3://{BUCKET}/lake/run-1"
    keys = s3.upload_tree(cfg.s3, result.lake, target)
    local = sorted(
        p.relative_to(result.lake).as_posix()
        for p in result.lake.rglob("*.parquet")
        if not any(part.startswith(("_", ".")) for part in p.relative_to(result.lake).parts)
    )
    assert sorted(k.removeprefix("lake/run-1/") for k in keys) == local
    assert sorted(s3.iter_keys(cfg.s3, target)) == sorted(keys)
    assert {k.split("/")[2] for k in keys} >= {
        "songplays",
        "users",
        "songs",
        "artists",
        "time",
        "events",
        "rejected_records",
        "input_files",
    }


def test_s3_errors_are_one_line_and_never_show_the_secret(
    moto_endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in s3_env(moto_endpoint).items():
        monkeypatch.setenv(key, value)
    code = cli_main(
        [
            "run",
            "--source",
            "s3://no-such-bucket/raw",
            "--warehouse",
            f"duckdb:///{tmp_path / 'w.duckdb'}",
            "--data-dir",
            str(tmp_path / "data"),
            "--quality-gates",
            "none",
        ]
    )
    out, err = capsys.readouterr()
    # Checked before the flow starts, like a missing folder: one line, no Prefect start-up.
    assert code == 1
    assert err.strip() == "error: s3://no-such-bucket/raw: NoSuchBucket: The specified bucket does not exist", err
    assert SECRET not in out + err


def test_warehouse_url_with_password_is_masked(tmp_path: Path) -> None:
    url = WarehouseURL.parse(f"postgresql://etl:{PG_PASSWORD}@db:5432/music")
    assert PG_PASSWORD not in str(url) and PG_PASSWORD not in repr(url)
    cfg = s3_config(Config(), "http://127.0.0.1:1")
    assert SECRET not in repr(cfg)
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_redshift_lake_export_lands_where_its_copy_statements_read(
    s3_sample: str, moto_endpoint: str, tmp_path: Path, sample: Path
) -> None:
    import duckdb
    import pyarrow.parquet as pq

    from music_analytics import tables as catalogue
    from music_analytics.lake import table_glob
    from music_analytics.warehouse.redshift import RedshiftWarehouse

    cfg = s3_config(make_config(tmp_path, sample, f"duckdb:///{tmp_path / 'w.duckdb'}"), moto_endpoint)
    lake = pipeline.transform(cfg, str(sample)).lake
    settings = RedshiftSettings("arn:aws:iam::123456789012:role/music-copy", f"s3://{BUCKET}/staging")
    url = WarehouseURL.parse("redshift://etl@cluster.example.com:5439/dev")
    redshift = RedshiftWarehouse(url, settings, cfg.s3)  # uploads with the run's [s3] settings
    redshift.prepare_lake(lake)
    client = s3.client(cfg.s3)
    for table in STAR:
        prefix = redshift.lake_prefix_for(table)
        assert prefix.startswith(f"s3://{BUCKET}/staging/") and prefix.endswith(f"/{table}/")
        columns = catalogue.BY_NAME[table].names
        assert f"FROM '{prefix}'" in redshift.copy_statement(table, columns)
        (key,) = s3.iter_keys(cfg.s3, prefix)  # one flat file per table
        local = tmp_path / f"{table}.parquet"
        client.download_file(BUCKET, key, str(local))
        uploaded = pq.read_table(local)
        # COPY maps columns by position: exactly the staged columns, in order, partition columns back in.
        assert tuple(uploaded.column_names) == columns
        expected = duckdb.connect().execute(f"SELECT COUNT(*) FROM read_parquet('{table_glob(lake, table)}')")
        assert uploaded.num_rows == expected.fetchall()[0][0]


# -- a sentinel secret through every input path, looked for in every output channel -------------------

SENTINELS = {
    "url": "s3ntinel-url-Pw",
    "ini_password": "s3ntinel-ini-Pw",
    "env_password": "s3ntinel-env-Pw",
    "env_s3": "s3ntinel-env-S3key",
    "ini_s3": "s3ntinel-ini-S3key",
    "malformed": "Qx7#Wobbly/Zeta9?Kappa9",
}


def _leaks(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    found = []
    for name, secret in SENTINELS.items():
        # As written, URL-encoded, and each piece of the malformed one that a parser could cut out.
        for form in {secret, *secret.replace("#", "/").replace("?", "/").split("/")} - {""}:
            if len(form) >= 4 and form.encode() in data:
                found.append(f"{name}:{form}")
    return found


def _files_leaking(folder: Path) -> dict[str, list[str]]:
    return {
        str(p.relative_to(folder)): leaks
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink() and (leaks := _leaks(p.read_bytes()))
    }


def test_a_sentinel_secret_reaches_no_output_channel(
    s3_sample: str, moto_endpoint: str, pg_url: str, tmp_path: Path, flow_cli: FlowCli, flow_env: dict[str, str]
) -> None:
    """Secrets in the warehouse URL, the INI file, the environment (warehouse and S3), and a URL too
    malformed to parse are nowhere in stdout/stderr, the summary JSON, the lake, Data Docs, the
    report, the Prefect server's database (logs, artifacts, flow-run parameters) or the warehouse
    (ledger rows, quality history: a pg_dump of it)."""
    data = tmp_path / "data"
    common = ("--source", s3_sample, "--data-dir", str(data), "--quality-gates", "lake,warehouse", "-v")
    env = {**s3_env(moto_endpoint), "MUSIC_ANALYTICS_S3_SECRET_ACCESS_KEY": SENTINELS["env_s3"]}
    outputs = []
    # 1. The password in the --warehouse flag, the S3 key in the environment.
    with_pw = pg_url.replace("@", f":{SENTINELS['url']}@", 1)
    first = flow_cli(*common, "--warehouse", with_pw, "--summary-json", str(tmp_path / "s1.json"), env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    outputs.append(first.stdout + first.stderr)
    # 2. Both in the INI file (the password as its own key), rerun with --reload so everything runs again.
    ini = tmp_path / "secrets.ini"
    ini.write_text(
        f"[warehouse]\nurl = {pg_url}\npassword = {SENTINELS['ini_password']}\n"
        f"[s3]\nsecret_access_key = {SENTINELS['ini_s3']}\n"
    )
    ini_env = {k: v for k, v in s3_env(moto_endpoint).items() if "SECRET" not in k}
    second = flow_cli(
        *common, "--config", str(ini), "--reload", "--summary-json", str(tmp_path / "s2.json"), env=ini_env
    )
    assert second.returncode == 0, second.stderr[-3000:]
    outputs.append(second.stdout + second.stderr)
    # 3. The password in the environment; and runs that fail: a malformed URL, an unreachable server.
    third = flow_cli(
        *common, "--warehouse", pg_url, env={**env, "MUSIC_ANALYTICS_WAREHOUSE_PASSWORD": SENTINELS["env_password"]}
    )
    assert third.returncode == 0, third.stderr[-3000:]
    outputs.append(third.stdout + third.stderr)
    for bad in (
        f"postgresql://etl:{SENTINELS['malformed']}@127.0.0.1:5432/db",
        f"postgresql://etl:{SENTINELS['malformed']}@127.0.0.1:1/db",
        f"postgresql://etl:{SENTINELS['url']}@127.0.0.1:1/db",
    ):
        failed = flow_cli(*common, "--warehouse", bad, env=env, timeout=120)
        assert failed.returncode != 0 and "\nerror: " in "\n" + failed.stderr, failed.stderr
        outputs.append(failed.stdout + failed.stderr)

    assert [_leaks(o) for o in outputs] == [[] for _ in outputs]
    # Every file written: the summaries, the data folder (lake, Data Docs, report, scratch) and the
    # Prefect home (its server's database) are all under tmp_path; only the INI holds its secrets.
    assert (data / "lake").is_dir() and any((data / "quality-docs").rglob("*.html"))
    assert Path(flow_env["PREFECT_HOME"]).is_relative_to(tmp_path) and any(Path(flow_env["PREFECT_HOME"]).rglob("*.db"))
    assert _files_leaking(tmp_path) == {"secrets.ini": ["ini_password:s3ntinel-ini-Pw", "ini_s3:s3ntinel-ini-S3key"]}
    dump = subprocess.run(["pg_dump", "--no-owner", pg_url], capture_output=True, check=True, timeout=120).stdout
    assert b"pipeline_runs" in dump and _leaks(dump) == []
