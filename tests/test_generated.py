"""The generator's fault manifest against what the pipeline rejects or repairs: every injected
fault is accounted for, at its file and line, with its reason."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from music_analytics import pipeline
from music_analytics import warehouse as wh
from music_analytics.generator import GeneratorParams, generate
from tests.helpers import make_config, row_count, table_rows


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = tmp_path_factory.mktemp("faulty") / "raw"
    manifest = generate(
        GeneratorParams(events=30_000, seed=11, fault_rate=0.01, skip_rate=0.05, unknown_song_rate=0.05), root
    )
    return root, manifest


def test_every_injected_fault_is_accounted_for(
    faulty: tuple[Path, dict[str, object]], tmp_path: Path, warehouse_url: str, gx: None
) -> None:
    root, manifest = faulty
    # With the quality gates on: quarantined faults must not trip them (the rest of the data is valid).
    cfg = make_config(tmp_path, root, warehouse_url, quality_gates="lake,warehouse")
    summary = pipeline.run(cfg)
    assert [(g.gate, g.passed) for g in summary.quality] == [("lake", True), ("warehouse", True)]
    t = summary.transform
    assert t is not None
    expected: dict[str, object] = manifest["expected"]  # type: ignore[assignment]
    faults: list[dict[str, object]] = manifest["faults"]  # type: ignore[assignment]
    kinds = Counter(str(f["kind"]) for f in faults)
    assert len(kinds) >= 15, kinds  # every kind was injected at least once

    w = wh.connect(cfg.warehouse)
    rejected = {(r[0], r[1]): r[3] for r in table_rows(w, "rejected_records")}
    for fault in faults:
        where = (fault["file"], fault["line"])
        outcome = str(fault["expect"])
        if outcome.startswith("rejected:"):
            assert rejected.get(where) == outcome.split(":", 1)[1], fault  # type: ignore[arg-type]
        else:
            assert where not in rejected, fault

    # Nothing else was rejected, and the totals agree with the generator's own count.
    injected_rejects = sum(1 for f in faults if str(f["expect"]).startswith("rejected:"))
    assert len(rejected) == injected_rejects
    assert t.events.records == expected["records_read"]
    by_reason = {k: v for k, v in expected["records_rejected"].items() if v}  # type: ignore[attr-defined]
    assert t.rejected_by_reason == by_reason
    assert t.songplays == expected["songplays"]
    assert t.matched == expected["songplays_matched"]
    assert row_count(w, "users") == expected["users"]
    assert row_count(w, "artists") == expected["artists"]
    assert row_count(w, "songs") == expected["song_records"]
    assert t.events.empty_files == kinds["empty_file"]


def test_generated_files_keep_their_line_accounting(
    faulty: tuple[Path, dict[str, object]], tmp_path: Path, duckdb_url: str
) -> None:
    root, manifest = faulty
    cfg = make_config(tmp_path, root, duckdb_url)
    result = pipeline.transform(cfg, str(root))
    import duckdb

    rows = (
        duckdb.connect()
        .execute(
            "SELECT source_file, records, accepted, rejected "
            f"FROM read_parquet('{result.lake}/input_files/**/*.parquet')"
        )
        .fetchall()
    )
    listed = {f["path"]: f for f in manifest["files"]["log_data"]}  # type: ignore[index]
    for source_file, records, accepted, rejected in rows:
        assert records == accepted + rejected
        if source_file in listed:
            assert records == listed[source_file]["records"], source_file
    assert json.loads((root / "manifest.json").read_text())["expected"] == manifest["expected"]
