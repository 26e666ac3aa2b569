"""The Spark engine: row-for-row parity with the DuckDB engine, on local[*], on a real standalone
cluster, and as a spark-submit job; a clear error when Java is missing."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from music_analytics import engines, pipeline
from music_analytics import tables as catalogue
from music_analytics import warehouse as wh
from music_analytics.engines import TransformResult
from music_analytics.generator import GeneratorParams, generate
from tests.fault_corpus import expected_outcomes, write_corpus
from tests.helpers import (
    REPO,
    FlowCli,
    event,
    expectations_at,
    line,
    make_config,
    need,
    query,
    row_count,
    with_settings,
    write_source,
)

LAKE_COLUMNS: dict[str, tuple[str, ...]] = {
    **{t.name: t.names for t in catalogue.STAR},
    "songplays": (*catalogue.SONGPLAYS.names, "source_file", "file_day"),
    "rejected_records": (*catalogue.REJECTED_RECORDS.names, "file_day"),
    "input_files": ("source_file", "input", "records", "accepted", "rejected", "blank_lines", "file_day"),
    # sql/transform/events.sql's columns but record_position (engine-internal, not in the lake).
    "events": (
        "start_time",
        "ts",
        "user_id",
        "session_id",
        "item_in_session",
        "page",
        "auth",
        "level",
        "method",
        "status",
        "first_name",
        "last_name",
        "gender",
        "location",
        "user_agent",
        "registration",
        "song",
        "artist",
        "length",
        "source_file",
        "file_day",
    ),
}
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module", autouse=True)
def spark_session(jvm: None) -> Iterator[None]:
    yield
    engines.shutdown()  # free the JVM for the rest of the suite


def lake_rows(lake: Path, table: str) -> list[tuple[Any, ...]]:
    cols = ", ".join(LAKE_COLUMNS[table])
    return (
        duckdb.connect()
        .execute(
            f"SELECT {cols} FROM read_parquet('{lake}/{table}/**/*.parquet', hive_partitioning = true) ORDER BY ALL"
        )
        .fetchall()
    )


def lake_types(lake: Path, table: str) -> list[tuple[Any, ...]]:
    cols = ", ".join(LAKE_COLUMNS[table])
    return (
        duckdb.connect()
        .execute(f"DESCRIBE SELECT {cols} FROM read_parquet('{lake}/{table}/**/*.parquet', hive_partitioning = true)")
        .fetchall()
    )


def both_engines(tmp_path: Path, source: Path, **spark: str) -> tuple[TransformResult, TransformResult]:
    results = []
    for engine in ("duckdb", "spark"):
        flags = spark if engine == "spark" else {}
        cfg = make_config(
            tmp_path / engine, source, f"duckdb:///{tmp_path / engine / 'w.duckdb'}", engine=engine, **flags
        )
        results.append(pipeline.transform(cfg, str(source)))
    return results[0], results[1]


def assert_same_lake(a: TransformResult, b: TransformResult) -> None:
    for table in LAKE_COLUMNS:
        assert lake_types(a.lake, table) == lake_types(b.lake, table), table
        rows_a, rows_b = lake_rows(a.lake, table), lake_rows(b.lake, table)
        assert rows_a == rows_b, (table, sorted(set(rows_a) ^ set(rows_b), key=str)[:5])
    for attr in (
        "events",
        "songs",
        "rejected_by_reason",
        "plays",
        "plays_without_user",
        "songplays",
        "matched",
        "rows",
    ):
        assert getattr(a, attr) == getattr(b, attr), attr


def test_parity_on_the_real_sample(sample: Path, tmp_path: Path) -> None:
    duck, spark = both_engines(tmp_path, sample)
    assert_same_lake(duck, spark)
    assert spark.rows == {
        "songs": 71,
        "artists": 69,
        "users": 97,
        "time": 6813,
        "songplays": 6820,
        "events": 8056,
        "rejected_records": 0,
        "input_files": 101,
    }
    assert (spark.events.records, spark.matched) == (8056, 1)


# Lines Spark's lenient JSON parser would take for valid (it stops after the first value), and
# valid lines the fast path cannot settle (braces inside strings, nested values).
ODD_LINES: list[tuple[str, str | None]] = [
    (line(event(itemInSession=30)) + " trailing text", "not_json"),
    (line(event(itemInSession=31)) + line(event(itemInSession=32)), "not_json"),
    (line(event(itemInSession=33)) + "," + line(event(itemInSession=34)), "not_json"),
    (line(event(itemInSession=35)) + "]", "not_json"),
    (line(event(itemInSession=36, song="Curly {braces} }{ song")), None),
    (line(event(itemInSession=37, extra={"nested": [1, {"x": 2}]})), None),
    (line(event(itemInSession=38, length=float("nan"))), "not_json"),  # NaN is not JSON
    ('  [ {"ts": 1} ]  ', "not_object"),
    ("12345", "not_object"),
    (line(event(itemInSession=39, ts=1541106106796.5)), "invalid_ts"),
    (line(event(itemInSession=40, ts=1.541106106796e12)), None),
    (line(event(itemInSession=41, sessionId=True)), "invalid_type"),
    (line(event(itemInSession=42, registration="1540344794796")), "invalid_type"),
    (line(event(itemInSession=43, artist=311, song=4.6)), None),
]


def odd_source(tmp_path: Path) -> Path:
    root = tmp_path / "raw"
    write_source(root)
    odd = root / "log_data" / "2018" / "11" / "2018-11-04-events.json"
    odd.write_text("".join(text + "\n" for text, _ in ODD_LINES))
    return root


def test_parity_on_malformed_and_odd_input(tmp_path: Path) -> None:
    root = odd_source(tmp_path)
    duck, spark = both_engines(tmp_path, root)
    assert_same_lake(duck, spark)
    rejected = {(r[0], r[1]): r[3] for r in lake_rows(spark.lake, "rejected_records")}
    got = {n: rejected.get(("log_data/2018/11/2018-11-04-events.json", n)) for n in range(1, len(ODD_LINES) + 1)}
    assert got == {n: reason for n, (_, reason) in enumerate(ODD_LINES, start=1)}
    assert spark.rejected_by_reason["not_json"] == 3 + 5  # three in write_source's day 1, five here


def test_parity_on_the_fault_corpus(tmp_path: Path) -> None:
    """Every hand-made bad input of tests/fault_corpus.py gets the same verdict on both engines."""
    root = tmp_path / "corpus"
    (root / "song_data").mkdir(parents=True)
    write_corpus(root)
    duck, spark = both_engines(tmp_path, root)
    assert_same_lake(duck, spark)
    rejected = {(r[0], r[1]): r[3] for r in lake_rows(spark.lake, "rejected_records")}
    expected = {k: v.split(":")[1] for k, v in expected_outcomes().items() if v.startswith("rejected")}
    assert {k: rejected.get(k) for k in expected} == expected


def test_parity_on_a_generated_dataset_with_faults(tmp_path: Path) -> None:
    root = tmp_path / "gen"
    manifest = generate(
        GeneratorParams(events=30_000, seed=11, fault_rate=0.01, skip_rate=0.05, unknown_song_rate=0.05), root
    )
    duck, spark = both_engines(tmp_path, root)
    assert_same_lake(duck, spark)
    expected = manifest["expected"]
    assert spark.events.records == expected["records_read"]
    assert spark.songplays == expected["songplays"]
    assert spark.rejected_by_reason == {k: v for k, v in expected["records_rejected"].items() if v}


def test_spark_engine_end_to_end_into_postgres(sample: Path, tmp_path: Path, pg_url: str) -> None:
    cfg = make_config(tmp_path, sample, pg_url, engine="spark", quality_gates="lake,warehouse")
    summary = pipeline.run(cfg)
    # Gate 1 ran on the Spark engine's lake, gate 2 on PostgreSQL's staging tables.
    assert [(g.gate, g.passed, len(g.outcomes)) for g in summary.quality] == [
        ("lake", True, expectations_at("lake")),
        ("warehouse", True, expectations_at("warehouse")),
    ]
    w = wh.connect(cfg.warehouse)
    counts = {t: row_count(w, t) for t in ("songplays", "users", "songs", "artists", "time", "rejected_records")}
    assert counts == {"songplays": 6820, "users": 97, "songs": 71, "artists": 69, "time": 6813, "rejected_records": 0}
    assert summary.merge is not None and summary.merge.inserted["songplays"] == 6820
    # The tables the warehouse derives hold the sample's known answers whichever engine transformed it.
    from tests.test_sample import assert_derived_tables

    assert_derived_tables(w, sample)
    # Forced to read everything again, the Spark run changes nothing.
    again = pipeline.run(with_settings(cfg, reload=True, quality_gates=()))
    assert again.merge is not None and again.merge.inserted["songplays"] == 0
    assert sum(again.merge.updated.values()) == 0
    assert row_count(w, "songplays") == 6820
    # The published lake is one dataset to Spark, partitioned by the day of each source file.
    spark = engines.get_engine(cfg).spark  # type: ignore[attr-defined]
    events = spark.read.parquet(str(cfg.lake_path / "events"))
    assert events.count() == 8056 and events.select("file_day").distinct().count() == 30
    assert spark.read.parquet(str(cfg.lake_path / "songplays")).count() == 6820


def test_spark_daily_runs_match_plays_against_the_songs_already_loaded(
    sample: Path, tmp_path: Path, duckdb_url: str
) -> None:
    first = dt.date(2018, 11, 20)
    pipeline.run(make_config(tmp_path, sample, duckdb_url, engine="spark", start=first, end=first))
    day = dt.date(2018, 11, 21)  # holds the sample's one play of a catalogue song
    summary = pipeline.run(make_config(tmp_path, sample, duckdb_url, engine="spark", start=day, end=day))
    # The song files are in the ledger: Spark reads the day's file only, and matches the play
    # against the songs exported from the warehouse.
    assert summary.transform is not None and summary.plan is not None
    assert (summary.plan.files_read, summary.transform.songs.files, summary.transform.matched) == (1, 0, 1)
    w = wh.connect(make_config(tmp_path, sample, duckdb_url).warehouse)
    assert query(w, "SELECT COUNT(*) FROM songplays WHERE song_id IS NOT NULL") == [(1,)]


# Variables that would point a child run at another engine setup than the test's.
ENGINE_ENV = ("MUSIC_ANALYTICS_", "PYSPARK_", "SPARK_")


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENGINE_ENV)}
    env.update(extra)
    return env


def test_missing_java_is_one_clear_line_and_duckdb_still_works(sample: Path, tmp_path: Path, flow_cli: FlowCli) -> None:
    no_java = tmp_path / "bin"
    no_java.mkdir()
    args = [
        "--source",
        str(sample),
        "--data-dir",
        str(tmp_path / "data"),
        "--warehouse",
        f"duckdb:///{tmp_path / 'w.duckdb'}",
        "--quality-gates",
        "none",
    ]
    env, unset = {"PATH": str(no_java)}, ("JAVA_HOME", *ENGINE_ENV)
    proc = flow_cli(*args, "--engine", "spark", cwd=tmp_path, env=env, unset=unset, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "error: the Spark engine needs Java (no java on PATH and JAVA_HOME is not set): install Java 17 or 21 "
        "(Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless; macOS: brew install openjdk@17) or set "
        "JAVA_HOME, or run with --engine duckdb"
    ]
    proc = flow_cli(*args, "--engine", "duckdb", cwd=tmp_path, env=env, unset=unset, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (
        row_count(
            wh.connect(make_config(tmp_path, sample, f"duckdb:///{tmp_path / 'w.duckdb'}").warehouse), "songplays"
        )
        == 6820
    )


def test_spark_submit_job_writes_the_same_lake(sample: Path, tmp_path: Path) -> None:
    lake = tmp_path / "submitted-lake"
    env = _clean_env(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1"
    )
    proc = subprocess.run(
        [
            str(VENV_BIN / "spark-submit"),
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.enabled=false",
            str(REPO / "music_analytics" / "engines" / "spark_job.py"),
            "--source",
            sample.resolve().as_uri(),
            "--lake",
            str(lake),
            "--summary-json",
            str(tmp_path / "s.json"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["rows"]["songplays"] == 6820 and summary["events"]["records"] == 8056
    cfg = make_config(tmp_path / "duck", sample, f"duckdb:///{tmp_path / 'w.duckdb'}")
    duck = pipeline.transform(cfg, str(sample))
    for table in LAKE_COLUMNS:
        assert lake_rows(lake, table) == lake_rows(duck.lake, table), table


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=2) as r:
            state = json.load(r)
    except OSError:
        return 0
    return sum(1 for w in state.get("workers", []) if w.get("state") == "ALIVE")


@pytest.fixture
def standalone_cluster(tmp_path: Path) -> Iterator[str]:
    """A real Spark standalone master and worker (separate JVMs) on localhost; stopped by PID."""
    spark_class = VENV_BIN / "spark-class"
    need(spark_class.exists(), f"spark-class in {VENV_BIN}")
    port, ui, worker_ui = _free_port(), _free_port(), _free_port()
    env = _clean_env(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_WORKER_DIR=str(tmp_path / "worker"),
        SPARK_LOG_DIR=str(tmp_path / "logs"),
    )
    logs = (tmp_path / "master.log").open("w"), (tmp_path / "worker.log").open("w")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(
            subprocess.Popen(
                [
                    str(spark_class),
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--webui-port",
                    str(ui),
                ],
                env=env,
                stdout=logs[0],
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        procs.append(
            subprocess.Popen(
                [
                    str(spark_class),
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    "127.0.0.1",
                    "--webui-port",
                    str(worker_ui),
                    "--cores",
                    "2",
                    "--memory",
                    "2g",
                    f"spark://127.0.0.1:{port}",
                ],
                env=env,
                stdout=logs[1],
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        deadline = time.monotonic() + 120
        while _alive_workers(ui) < 1:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                pytest.fail(
                    "standalone cluster did not come up:\n"
                    + (tmp_path / "master.log").read_text()[-2000:]
                    + (tmp_path / "worker.log").read_text()[-2000:]
                )
            time.sleep(1)
        yield f"spark://127.0.0.1:{port}"
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        for f in logs:
            f.close()


def test_flow_on_a_real_standalone_cluster(
    sample: Path, tmp_path: Path, standalone_cluster: str, flow_cli: FlowCli
) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    proc = flow_cli(
        "--engine",
        "spark",
        "--spark-master",
        standalone_cluster,
        "--source",
        str(sample),
        "--data-dir",
        str(tmp_path / "data"),
        "--warehouse",
        url,
        "--summary-json",
        str(tmp_path / "s.json"),
        "--quality-gates",
        "none",
        cwd=tmp_path,
        unset=ENGINE_ENV,
        env={"PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["engine"] == "spark"
    w = wh.connect(make_config(tmp_path, sample, url).warehouse)
    assert (row_count(w, "songplays"), row_count(w, "users"), row_count(w, "songs"), row_count(w, "time")) == (
        6820,
        97,
        71,
        6813,
    )


@pytest.fixture
def connect_server(tmp_path: Path) -> Iterator[str]:
    """A real Spark Connect server (spark-submit of the server class from the installed pyspark)."""
    submit = VENV_BIN / "spark-submit"
    need(submit.exists(), f"spark-submit in {VENV_BIN}")
    port = _free_port()
    env = _clean_env(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable
    )
    with (tmp_path / "connect.log").open("w") as log:
        proc = subprocess.Popen(
            [
                str(submit),
                "--class",
                "org.apache.spark.sql.connect.service.SparkConnectServer",
                "--master",
                "local[2]",
                "--conf",
                f"spark.connect.grpc.binding.port={port}",
                "--conf",
                "spark.ui.enabled=false",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(
                        "Spark Connect server did not start:\n" + (tmp_path / "connect.log").read_text()[-2000:]
                    )
                time.sleep(1)
            yield f"sc://127.0.0.1:{port}"
        finally:
            engines.shutdown()
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_parity_over_spark_connect(tmp_path: Path, connect_server: str) -> None:
    """sc:// runs the same engine through the Connect client: DataFrame/SQL API and the Python UDF."""
    duck, spark = both_engines(tmp_path, odd_source(tmp_path), spark_master=connect_server)
    assert_same_lake(duck, spark)
    assert spark.rejected_by_reason["not_json"] == 8
