"""The command line: --help, one-line errors with exit codes, secrets never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from music_analytics.cli import main as cli_main
from tests.helpers import REPO, FlowCli, expectations_at

SENTINEL = "s3cr3t-S3NTINEL-pw"


def test_help_explains_the_interface(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["run", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for flag in (
        "--source",
        "--warehouse",
        "--engine",
        "--date",
        "--start",
        "--end",
        "--config",
        "--backfill",
        "--lookback-days",
        "--reload",
        "--lock-timeout",
    ):
        assert flag in out
    assert "duckdb:///" in out and "postgresql://" in out


def test_flows_main_has_the_same_interface(capsys: pytest.CaptureFixture[str]) -> None:
    from music_analytics_flows.main import main as flow_main

    with pytest.raises(SystemExit) as exit_info:
        flow_main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python flows/main.py") and "--warehouse" in out and "--source-moved" in out


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["--engine", "duckdb", "--warehouse", "mysql://x@h/db"], 2, "unsupported scheme 'mysql'"),
        (["--source", "/nonexistent/raw"], 1, "source /nonexistent/raw: not a readable folder"),
        (["--config", "/nonexistent/ma.ini"], 2, "config file /nonexistent/ma.ini: not found"),
        (["--start", "2018-11-10", "--end", "2018-11-01"], 2, "end 2018-11-01 is before start 2018-11-10"),
        (["--backfill"], 2, "--backfill needs a date range: --start and --end"),
        (["--warehouse", "redshift://etl@cluster.example.com:5439/dev"], 2, "[redshift] iam_role is required"),
        (["--source", "s3://"], 1, "source s3://: expected s3://bucket/prefix"),
        (["--lookback-days", "-3"], 2, "[pipeline] lookback_days: must be between 0 and 366, got -3"),
    ],
)
def test_bad_input_gives_one_line_error(
    args: list[str],
    code: int,
    fragment: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli_main(["run", *args]) == code
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert fragment in err
    assert "Traceback" not in err


def test_unknown_ini_key_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.ini").write_text("[warehouse]\nurll = duckdb:///x.duckdb\n")
    assert cli_main(["run", "--config", "c.ini"]) == 2
    assert "unknown key 'urll' in [warehouse]" in capsys.readouterr().err


def test_unreachable_database_fails_fast_without_leaking_the_password(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code = cli_main(
        [
            "run",
            "--source",
            str(sample),
            "--warehouse",
            f"postgresql://etl:{SENTINEL}@127.0.0.1:1/nowhere",
            "--data-dir",
            str(tmp_path / "data"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and err.strip() == errors[0], err
    assert errors[0].startswith("error: warehouse postgresql://etl:***@127.0.0.1:1/nowhere:"), errors[0]
    assert "refused" in errors[0].lower() or "could not connect" in errors[0].lower()
    assert SENTINEL not in out + err


def test_default_run_uses_the_demo_dataset_end_to_end(tmp_path: Path, flow_cli: FlowCli) -> None:
    """The README's first command, in a fresh folder: no --source, embedded DuckDB, no server."""
    env = {"MUSIC_ANALYTICS_DEMO_EVENTS": "20000", "MUSIC_ANALYTICS_WAREHOUSE_PASSWORD": SENTINEL}
    proc = flow_cli("--summary-json", "summary.json", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # Quiet: no Python warnings, none of Prefect's state chatter; the stages say what they do, with counts.
    assert "Warning" not in proc.stderr and "Finished in state" not in proc.stderr, proc.stderr[-3000:]
    assert "transform " in proc.stderr and "staged " in proc.stderr and " songs/s" not in proc.stderr
    assert (proc.stdout + proc.stderr).count("Run summary") == 1  # printed, not also logged
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["warehouse"] == "duckdb:///data/warehouse.duckdb"
    assert (tmp_path / "data" / "warehouse.duckdb").is_file()
    assert (tmp_path / "data" / "demo" / "manifest.json").is_file()
    manifest = json.loads((tmp_path / "data" / "demo" / "manifest.json").read_text())
    assert summary["inputs"]["events"]["records"] == manifest["expected"]["records_read"]
    assert summary["songplays"] == manifest["expected"]["songplays"]
    assert summary["tables"]["songplays"]["inserted"] == summary["songplays"]
    assert {gate: q["passed"] for gate, q in summary["quality"].items()} == {"lake": True, "warehouse": True}
    assert summary["quality"]["lake"]["docs"] == "data/quality-docs/index.html"
    assert (tmp_path / "data" / "quality-docs" / "index.html").is_file()
    assert f"quality gates: lake passed ({expectations_at('lake')} expectations" in proc.stdout
    assert SENTINEL not in proc.stdout + proc.stderr

    # The demo is generated once; the gates were shown above and are off for this rerun.
    # Nothing new: carried out without Prefect's temporary server, recorded in the ledger all the same.
    # PYTHONPROFILEIMPORTTIME: the rerun does not import Prefect either.
    again = flow_cli(
        "--quality-gates",
        "none",
        "--summary-json",
        "again.json",
        cwd=tmp_path,
        env={**env, "PYTHONPROFILEIMPORTTIME": "1"},
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "generating the demo dataset" not in again.stdout + again.stderr
    assert "nothing new to load: run without Prefect's temporary server" in again.stderr, again.stderr[-3000:]
    assert "starting Prefect's temporary server" not in again.stderr
    assert "Run summary (skipped)" in again.stdout
    imported = {line.rsplit("|", 1)[1].strip() for line in again.stderr.splitlines() if line.startswith("import time:")}
    assert "music_analytics.pipeline" in imported and not {m for m in imported if m.startswith("prefect")}
    rerun = json.loads((tmp_path / "again.json").read_text())
    assert rerun["status"] == "skipped" and rerun["run_id"] != summary["run_id"]
    assert SENTINEL not in again.stdout + again.stderr


def test_a_blocking_quality_gate_exits_3_with_every_failure(sample: Path, tmp_path: Path, flow_cli: FlowCli) -> None:
    from tests.batch_faults import GOLD

    # Gate 1 off: the audit of the staged rows (gate 2) is the one that must stop the publish. The
    # transform is made faulty in the subprocess (tests/faulty_batch): one play and one user "gold".
    proc = flow_cli(
        "--source",
        str(sample),
        "--warehouse",
        f"duckdb:///{tmp_path / 'w.duckdb'}",
        "--data-dir",
        str(tmp_path / "data"),
        "--quality-gates",
        "warehouse",
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO / "tests" / "faulty_batch"), "MA_TEST_FAULTY_BATCH": json.dumps(GOLD)},
    )
    assert proc.returncode == 3, proc.stderr[-3000:]
    err = proc.stderr[proc.stderr.index("error: quality gate") :].splitlines()
    assert err[0] == (
        f"error: quality gate 'warehouse' BLOCKED: 8 suites, {expectations_at('warehouse')} expectations, "
        "2 failed, 1 warnings"
    )
    assert err[1:3] == [
        "  FAIL songplays: expect_column_values_to_be_in_set(level): 1 unexpected of 6,820; e.g. 'gold'",
        "  FAIL users: expect_column_values_to_be_in_set(level): 1 unexpected of 97; e.g. 'gold'",
    ]
    assert "  the staged rows were not published; the star schema is unchanged" in err
    assert "Run summary" not in proc.stdout
    # Said once: not also by the failed task, the failed flow and its final state.
    assert (proc.stdout + proc.stderr).count("FAIL songplays: expect_column_values_to_be_in_set(level)") == 1
    import duckdb

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert con.execute("SELECT COUNT(*) FROM songplays").fetchall() == [(0,)]
    assert con.execute("SELECT COUNT(*) FROM staging.songplays").fetchall() == [(6820,)]


def test_a_second_source_into_a_loaded_warehouse_stops_before_the_flow(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from music_analytics import pipeline
    from music_analytics.generator import GeneratorParams, generate
    from tests.helpers import make_config

    monkeypatch.chdir(tmp_path)
    day = dt.date(2018, 11, 15)
    warehouse = f"duckdb:///{tmp_path / 'w.duckdb'}"
    pipeline.run(make_config(tmp_path, sample, warehouse, start=day, end=day))
    generate(GeneratorParams(events=2000, seed=1, start=day, days=1), tmp_path / "other")
    code = cli_main(
        [
            "run",
            "--source",
            "other",
            "--warehouse",
            warehouse,
            "--date",
            "2018-11-15",
            "--data-dir",
            str(tmp_path / "data"),
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: ") and "\n" not in err, err
    assert f"holds the data of source {sample.resolve()}" in err
    assert f"not of {tmp_path / 'other'}" in err and "--source-moved" in err


def test_a_temporary_prefect_server_that_starts_too_slowly_is_one_line_saying_what_to_do(
    tmp_path: Path, flow_cli: FlowCli
) -> None:
    """A busy machine: Prefect's temporary server misses its start-up limit (here 1 s, which no start
    on this machine meets). One line says how to go on, not Prefect's bare RuntimeError."""
    env = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "1"}
    proc = flow_cli("--quality-gates", "none", cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 1, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == [proc.stderr.strip().splitlines()[-1]], proc.stderr[-3000:]
    assert errors[0].startswith("error: Prefect's temporary server did not start within 1 s"), errors[0]
    assert "PREFECT_API_URL=" in errors[0] and "Traceback" not in proc.stderr
