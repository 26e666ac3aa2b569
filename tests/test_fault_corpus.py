"""The fault corpus (tests/fault_corpus.py) on DuckDB and PostgreSQL: every hand-made bad input has
its expected outcome, the run beside the real sample exits cleanly, every record is accounted for."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from music_analytics import pipeline
from music_analytics import warehouse as wh
from tests.fault_corpus import CASE_COUNT, corpus_files, expected_outcomes, write_corpus
from tests.helpers import make_config, query, with_settings


def test_the_corpus_is_large_enough() -> None:
    assert CASE_COUNT >= 40


@pytest.fixture
def corpus_source(sample: Path, tmp_path: Path) -> Path:
    root = tmp_path / "source"
    shutil.copytree(sample, root)
    write_corpus(root)
    return root


def test_every_case_has_its_outcome_beside_the_real_sample(
    corpus_source: Path, tmp_path: Path, warehouse_url: str
) -> None:
    cfg = make_config(tmp_path, corpus_source, warehouse_url, quality_gates="lake,warehouse")
    summary = pipeline.run(cfg)
    assert summary.status == "succeeded"
    w = wh.connect(cfg.warehouse)
    rejected = {
        (f, int(n)): (reason, detail or "")
        for f, n, reason, detail in query(w, "SELECT source_file, line_number, reason, detail FROM rejected_records")
    }
    for (source_file, number), outcome in expected_outcomes().items():
        got = rejected.get((source_file, number))
        kind, _, rest = outcome.partition(":")
        where = f"{source_file}:{number} ({outcome})"
        if kind == "loaded":
            assert got is None, (where, got)
        elif kind == "rejected":
            assert got == tuple(rest.split(":", 1)), (where, got)
        else:
            assert got is not None and got[0] == "unreadable_file" and rest in got[1], (where, got)
    # Nothing else is rejected: the real sample loads whole beside the corpus.
    assert set(rejected) <= set(expected_outcomes()), sorted(set(rejected) - set(expected_outcomes()))[:5]

    # Every file of the corpus is in the ledger, and records read = accepted + rejected per file.
    ledger = {
        f: (int(r), int(a), int(j))
        for f, r, a, j in query(w, "SELECT source_file, records, accepted, rejected FROM loaded_files")
    }
    assert set(corpus_files()) <= set(ledger), sorted(set(corpus_files()) - set(ledger))
    per_file: dict[str, int] = {}
    for f, _n in rejected:
        per_file[f] = per_file.get(f, 0) + 1
    for f, (records, accepted, rejected_n) in ledger.items():
        assert records == accepted + rejected_n, f
        assert rejected_n == per_file.get(f, 0), f
    events = int(query(w, "SELECT COUNT(*) FROM events")[0][0])
    assert events == sum(a for f, (_, a, _) in ledger.items() if f.startswith("log_data/"))
    # The glob-named files loaded as what they are.
    assert int(query(w, "SELECT COUNT(*) FROM events WHERE user_id IN ('glob-1', 'glob-2')")[0][0]) == 2
    assert int(query(w, "SELECT COUNT(*) FROM songs WHERE song_id = 'SOCORPUS042'")[0][0]) == 1

    # A rerun reads nothing new, quarantined files included (the ledger has them, unchanged).
    again = pipeline.run(cfg)
    assert again.status == "skipped"


def test_a_dated_run_lists_files_whose_name_gives_no_day_and_goes_on(
    sample: Path, tmp_path: Path, duckdb_url: str
) -> None:
    root = tmp_path / "source"
    shutil.copytree(sample, root)
    (root / "log_data/2018/11/2018-13-45-events.json").write_text("{}\n")
    (root / "log_data/2018/11/notes.json").write_text("{}\n")
    said: list[str] = []
    cfg = make_config(tmp_path, root, duckdb_url, start=dt.date(2018, 11, 1), end=dt.date(2018, 11, 30))
    summary = pipeline.run(cfg, pipeline.Hooks(said.append))
    assert summary.status == "succeeded"
    assert (
        "warning: log_data/2018/11/2018-13-45-events.json: not read: impossible date 2018-13-45 in the name"
        in " ".join(said)
    )
    assert any("log_data/2018/11/notes.json: not read: the name is not YYYY-MM-DD-events.json" in s for s in said)
    # An undated run reads them (they are records like any other): here both lines reject as missing_ts.
    undated = make_config(tmp_path / "undated", root, f"duckdb:///{tmp_path / 'undated.duckdb'}")
    pipeline.run(undated)
    reasons = query(wh.connect(undated.warehouse), "SELECT source_file, reason FROM rejected_records ORDER BY 1")
    assert reasons == [
        ("log_data/2018/11/2018-13-45-events.json", "missing_ts"),
        ("log_data/2018/11/notes.json", "missing_ts"),
    ]


def test_max_rejected_fraction_stops_a_run_that_rejects_too_much(corpus_source: Path, tmp_path: Path) -> None:
    from music_analytics.errors import RejectedTooMuchError, exit_code

    cfg = make_config(tmp_path, corpus_source, f"duckdb:///{tmp_path / 'w.duckdb'}", max_rejected_fraction="0.001")
    with pytest.raises(RejectedTooMuchError) as raised:
        pipeline.run(cfg)
    message = str(raised.value)
    assert "of the records read were rejected" in message and "max_rejected_fraction = 0.001" in message
    assert "nothing was staged or published" in message and exit_code(raised.value) == 3
    assert query(wh.connect(cfg.warehouse), "SELECT COUNT(*) FROM songplays") == [(0,)]
    assert not (cfg.lake_path / "events").exists()
    # Within the limit the same files load.
    assert pipeline.run(with_settings(cfg, max_rejected_fraction=0.5)).status == "succeeded"
