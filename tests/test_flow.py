"""The Prefect flow on a real (temporary) Prefect server: states, results, retry policy."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from music_analytics import warehouse as wh
from music_analytics.config import WarehouseURL
from tests.helpers import query, row_count, table_rows


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ.pop("PREFECT_API_URL", None)
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_flow_runs_the_sample_end_to_end(
    prefect_server: None, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from music_analytics_flows.main import RunRequest, music_analytics_etl

    # data_dir served over HTTP: the artifacts link there (never to a file:// path on the worker).
    monkeypatch.setenv("MUSIC_ANALYTICS_REPORTS_BASE_URL", "https://reports.example.com/music/")
    warehouse = f"duckdb:///{tmp_path / 'w.duckdb'}"
    state = music_analytics_etl(
        RunRequest(source=str(sample), warehouse=warehouse, data_dir=str(tmp_path / "data")), return_state=True
    )
    assert state.is_completed()
    result = state.result()
    assert (result["plays"], result["songplays"], result["matched_plays"]) == (6820, 6820, 1)
    assert result["inputs"]["events"]["records"] == 8056
    assert result["tables"]["users"]["inserted"] == 97
    assert "Run summary" in result["text"]

    assert result["status"] == "succeeded" and result["files"]["read"] == 101
    assert "Run summary (succeeded)" in result["text"]

    # The run ends with the insights: the HTML report, and artifacts of this flow run.
    report = tmp_path / "data" / "reports" / "w" / "insights.html"  # per warehouse
    url = "https://reports.example.com/music/reports/w/insights.html"
    assert result["insights"] == {
        "html": str(report),
        "url": url,
        "top_song": "You're The One - Dwight Yoakam",
        "plays": 37,
    }
    assert '<section class="insight" id="funnels">' in report.read_text(encoding="utf-8")
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])),
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(
                    any_=[
                        "music-analytics-insights",
                        "music-analytics-top-songs",
                        "music-analytics-insights-report",
                        "music-analytics-run-summary",
                        "music-analytics-quality-report",
                        "music-analytics-top-artists",
                        "music-analytics-skip-rates",
                    ]
                )
            ),
        )
    published = {a.key: a.data for a in found if a.key}
    assert set(published) == {
        "music-analytics-insights",
        "music-analytics-top-songs",
        "music-analytics-insights-report",
        "music-analytics-run-summary",
        "music-analytics-quality-report",
        "music-analytics-top-artists",
        "music-analytics-skip-rates",
    }
    assert "| 1 | 3 | You're The One | Dwight Yoakam | 37 | 147.57 | 22 |" in published["music-analytics-insights"]
    assert url in published["music-analytics-insights"] and url in str(published["music-analytics-insights-report"])
    assert "https://reports.example.com/music/quality-docs/index.html" in str(
        published["music-analytics-quality-report"]
    )
    # Tables: human headings, numbers rounded as shown (minutes to 2 places), still numbers.
    top = json.loads(published["music-analytics-top-songs"])[0]
    assert top == {
        "Rank by plays": 1,
        "Rank by minutes": 3,
        "Song": "You're The One",
        "Artist": "Dwight Yoakam",
        "Plays": 37,
        "Minutes": 147.57,
        "Listeners": 22,
    }
    assert all(round(r["Minutes"], 2) == r["Minutes"] for r in json.loads(published["music-analytics-top-artists"]))
    skips = json.loads(published["music-analytics-skip-rates"])[0]
    assert (skips["Dimension"], skips["Plays"], skips["Judged plays"], skips["Skips"]) == ("all", 6820, 6151, 320)
    assert "## When people listen, in their local time" in published["music-analytics-insights"]
    # The summary is markdown tables, not a terminal block.
    summary_md = str(published["music-analytics-run-summary"])
    assert "```" not in summary_md and "## Run succeeded" in summary_md
    assert "| songplays | 6,820 | 6,820 | 0 |" in summary_md

    # The rerun finds every file in the ledger, unchanged: it reads and writes nothing.
    written = report.stat().st_mtime_ns
    again = music_analytics_etl(RunRequest(source=str(sample), warehouse=warehouse, data_dir=str(tmp_path / "data")))
    assert again["status"] == "skipped" and "tables" not in again
    assert again["insights"]["skipped"] == "nothing new was loaded" and report.stat().st_mtime_ns == written
    assert (again["files"]["read"], again["files"]["unchanged"]) == (0, 101)
    ledger = query(
        wh.connect(WarehouseURL.parse(warehouse)),
        "SELECT status, files_loaded, files_unchanged, events_read FROM pipeline_runs ORDER BY started_at",
    )
    assert ledger == [("succeeded", 101, 0, 8056), ("skipped", 0, 101, None)]


def test_failing_source_fails_the_flow_with_the_message(prefect_server: None, tmp_path: Path) -> None:
    from music_analytics_flows.main import RunRequest, music_analytics_etl

    state = music_analytics_etl(
        RunRequest(
            source=str(tmp_path / "missing"),
            warehouse=f"duckdb:///{tmp_path / 'w.duckdb'}",
            data_dir=str(tmp_path / "data"),
        ),
        return_state=True,
    )
    assert state.is_failed()
    assert "not a readable folder" in (state.message or "")


def test_a_blocking_quality_gate_fails_the_flow_and_publishes_nothing(
    prefect_server: None, sample: Path, tmp_path: Path, faulty_transform: Callable[..., None]
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId

    from music_analytics.config import WarehouseURL
    from music_analytics.warehouse import connect
    from music_analytics_flows.main import RunRequest, music_analytics_etl
    from tests.helpers import one_more_play

    warehouse = f"duckdb:///{tmp_path / 'w.duckdb'}"
    music_analytics_etl(RunRequest(source=str(sample), warehouse=warehouse, data_dir=str(tmp_path / "data")))
    adapter = connect(WarehouseURL.parse(warehouse))
    before = {t: table_rows(adapter, t) for t in ("users", "songplays", "time")}

    # The same dataset, copied with one changed file (a moved source as far as the ledger goes),
    # transformed by a faulty engine: one event, its play and its user at level "gold".
    faulty_transform()
    state = music_analytics_etl(
        RunRequest(
            source=str(one_more_play(sample, tmp_path)),
            warehouse=warehouse,
            data_dir=str(tmp_path / "data"),
            source_moved=True,
        ),
        return_state=True,
    )
    assert state.is_failed()
    message = state.message or ""
    assert "quality gate 'lake' BLOCKED" in message
    # Only the changed file is read (the ledger has the others): its 388 events and the new play.
    assert "FAIL events: expect_column_values_to_be_in_set(level): 1 unexpected of 389; e.g. 'gold'" in message
    assert "nothing was staged or published" in message
    assert {t: table_rows(adapter, t) for t in before} == before
    # The failed gate's results: in the quality history and as a Prefect artifact of the run.
    failed = query(
        adapter,
        "SELECT suite, column_name, unexpected_count FROM quality_results "
        "WHERE gate = 'lake' AND NOT success AND severity = 'critical' ORDER BY suite",
    )
    assert failed == [("events", "level", 1), ("songplays", "level", 1), ("users", "level", 1)]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["music-analytics-quality-lake"])),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])),
        )
    (artifact,) = artifacts
    assert "| FAIL | events | expect_column_values_to_be_in_set | level | 1 | 'gold' |" in str(artifact.data)


def test_only_transient_errors_are_retried(prefect_server: None) -> None:
    from prefect import flow, task

    from music_analytics.errors import SourceError, TransientWarehouseError
    from music_analytics_tasks.retry import retrying

    attempts = {"transient": 0, "data": 0}

    @task(**{**retrying(), "retry_delay_seconds": 0})
    def flaky() -> str:
        attempts["transient"] += 1
        if attempts["transient"] < 3:
            raise TransientWarehouseError("warehouse x: connection refused")
        return "ok"

    @task(**{**retrying(), "retry_delay_seconds": 0})
    def broken_data() -> None:
        attempts["data"] += 1
        raise SourceError("log_data/x.json: not the Sparkify layout")

    @flow
    def probe() -> tuple[str, bool]:
        state = broken_data(return_state=True)
        return flaky(), state.is_failed()

    assert probe() == ("ok", True)
    assert attempts == {"transient": 3, "data": 1}


def test_upgrading_a_warehouse_loaded_before_the_events_fact(
    prefect_server: None, sample: Path, tmp_path: Path
) -> None:
    """A warehouse whose plays predate the events fact: the run still succeeds and says what to do; the
    suggested --reload fills events and the insights come back."""
    from music_analytics_flows.main import RunRequest, music_analytics_etl

    warehouse = f"duckdb:///{tmp_path / 'w.duckdb'}"
    args = {"source": str(sample), "warehouse": warehouse, "data_dir": str(tmp_path / "data"), "quality_gates": "none"}
    music_analytics_etl(RunRequest(**args))
    adapter = wh.connect(WarehouseURL.parse(warehouse))
    # As an older version left it: the events table without rows, and no report at today's per-warehouse path.
    query(adapter, "DELETE FROM events RETURNING 1")
    (tmp_path / "data" / "reports" / "w" / "insights.html").unlink()

    state = music_analytics_etl(RunRequest(**args), return_state=True)
    assert state.is_completed()
    result = state.result()
    assert result["status"] == "skipped" and result["insights"]["html"] is None
    assert "the events table holds 0 of the 6,820 plays" in result["insights"]["skipped"]
    assert "insights skipped: " in result["text"] and "--reload" in result["text"]

    reloaded = music_analytics_etl(RunRequest(**args, reload=True))
    assert reloaded["status"] == "succeeded" and row_count(adapter, "events") == 8056
    assert reloaded["insights"]["top_song"] == "You're The One - Dwight Yoakam"
