"""generate(): the catalogue, the simulation, the files and the manifest."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from .catalogue import build_catalogue, render_song_files
from .engine import Engine
from .iothread import BackgroundWriter
from .logfiles import ALL_KINDS, EXPECT, REJECT_REASONS, FaultPlan, LogWriter
from .model import NEXT_SONG, NEXT_SONG_UNKNOWN, build_machine
from .params import GeneratorParams
from .songwriter import SongFileJob

GENERATOR_VERSION = "1.0.0"
MANIFEST_NAME = "manifest.json"


def _rng(seq: np.random.SeedSequence) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seq))


def _prepare(out_dir: Path) -> None:
    """Create ``out_dir``; remove only a previous run's outputs from it.

    Stale day files or song files from an earlier, larger run would otherwise
    be mixed into this dataset.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ("song_data", "log_data"):
        if (out_dir / name).is_dir():
            shutil.rmtree(out_dir / name)
    (out_dir / MANIFEST_NAME).unlink(missing_ok=True)


def generate(
    params: GeneratorParams,
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write a Sparkify-layout dataset into ``out_dir`` and return its manifest.

    The manifest is also written to ``out_dir/manifest.json``. It holds no run
    times, so the same parameters always give byte-identical files.
    """
    problems = params.problems()
    if problems:
        raise ConfigError("; ".join(problems))
    out_dir = Path(out_dir)
    _prepare(out_dir)
    say = progress or (lambda _msg: None)

    # Independent streams: changing the fault rate does not change the
    # simulated events, and the catalogue does not depend on the event count
    # when --songs is given.
    cat_seq, sim_seq, fault_seq = np.random.SeedSequence(params.seed).spawn(3)

    catalogue = build_catalogue(params.catalogue_size, _rng(cat_seq), params.fault_rate)
    song_files, song_entries = render_song_files(catalogue)
    say(f"writing {len(song_files):,} song files ({len(catalogue.songs):,} songs)")
    song_job = SongFileJob(song_files, out_dir)
    del song_files
    io = BackgroundWriter()
    try:
        fault_rng = _rng(fault_seq)
        plan = FaultPlan.make(params.fault_rate, params.days, fault_rng)
        writer = LogWriter(out_dir=out_dir, start=params.start, plan=plan, rng=fault_rng, io=io)
        engine = Engine(
            events=params.events,
            days=params.days,
            start_epoch_s=calendar.timegm(params.start.timetuple()),
            start_weekday=params.start.weekday(),
            skip_rate=params.skip_rate,
            unknown_song_rate=params.unknown_song_rate,
            catalogue=catalogue,
            machine=build_machine(),
            seed_seq=sim_seq,
            sink=writer,
            progress=progress,
        )
        writer.session_user = engine.stats.session_user
        stats = engine.run()
        io.close()
        song_job.wait()
    except BaseException:
        song_job.abort()
        io.close()
        raise

    pages = writer.page_dict(writer.page_counts)
    loaded_pages = writer.page_dict(writer.loaded_page_counts)
    distinct = writer.summary()

    faults = catalogue.faults + writer.faults
    faults.sort(key=lambda f: (f["file"], f["line"], f["kind"]))
    fault_counts = {k: 0 for k in ALL_KINDS}
    for f in faults:
        fault_counts[f["kind"]] += 1
    rejected = dict.fromkeys(REJECT_REASONS, 0)
    for f in faults:
        outcome = EXPECT[f["kind"]]
        if outcome.startswith("rejected:"):
            rejected[outcome.split(":", 1)[1]] += 1
    rejected_total = sum(rejected.values())
    loaded_total = writer.records_read - rejected_total
    if loaded_total != sum(loaded_pages.values()):
        raise AssertionError("internal accounting error: loaded records do not add up")

    end = params.start + dt.timedelta(days=params.days)
    manifest: dict[str, Any] = {
        "generator": {"name": "music_analytics.generator", "version": GENERATOR_VERSION},
        "params": params.to_json(),
        "period": {
            "start": params.start.isoformat(),
            "end_exclusive": end.isoformat(),
            "days": params.days,
            "ts_min_ms": engine.base_ms,
            "ts_end_ms": engine.base_ms + params.days * 86_400_000,
            "timezone": "UTC",
        },
        "counts": {
            "events": writer.events_written,
            "events_generated": stats.events_generated,
            "events_dropped_empty_file": writer.events_dropped,
            "events_by_page": pages,
            "songplays": int(writer.page_counts[NEXT_SONG] + writer.page_counts[NEXT_SONG_UNKNOWN]),
            "songplays_catalogue": int(writer.page_counts[NEXT_SONG]),
            "songplays_unknown": int(writer.page_counts[NEXT_SONG_UNKNOWN]),
            "skips_generated": stats.skips,
            "users": distinct["users"],
            "users_initial": stats.users_initial,
            "users_initial_free": stats.users_initial - stats.users_initial_paid,
            "users_initial_paid": stats.users_initial_paid,
            "users_registered": pages["Submit Registration"],
            "users_cancelled": pages["Cancellation Confirmation"],
            "sessions": distinct["sessions"],
            "sessions_generated": stats.sessions_started,
            "level_changes": {
                "upgrades": pages["Submit Upgrade"],
                "downgrades": pages["Submit Downgrade"],
                "total": pages["Submit Upgrade"] + pages["Submit Downgrade"],
            },
            "songs": len(catalogue.songs),
            "song_files": len(catalogue.files),
            "artists": catalogue.artists,
            "unknown_songs": len(catalogue.unknown),
            "log_files": len(writer.files),
        },
        "expected": {
            "records_read": writer.records_read,
            "records_rejected": rejected,
            "records_rejected_total": rejected_total,
            "records_loaded": loaded_total,
            "records_loaded_by_page": loaded_pages,
            "songplays": int(writer.loaded_page_counts[NEXT_SONG] + writer.loaded_page_counts[NEXT_SONG_UNKNOWN]),
            "songplays_matched": int(writer.loaded_page_counts[NEXT_SONG]),
            "users": distinct["loaded_users"],
            "sessions": distinct["loaded_sessions"],
            "song_records": len(catalogue.songs),
            "artists": catalogue.artists,
        },
        "fault_counts": fault_counts,
        "faults_not_placed": ([k for k, v in fault_counts.items() if v == 0] if params.fault_rate > 0 else []),
        "faults": faults,
        "files": {"log_data": writer.files, "song_data": song_entries},
    }
    (out_dir / MANIFEST_NAME).write_text(manifest_text(manifest), encoding="ascii")
    return manifest


def manifest_text(manifest: dict[str, Any]) -> str:
    """Readable but fast JSON: one line per top-level value and per list item.

    json's indent mode uses the pure-Python encoder, far too slow for the tens
    of thousands of file entries a large catalogue lists.
    """

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=True)

    def block(value: Any, pad: str) -> str:
        if isinstance(value, list) and value:
            inner = ",\n".join(pad + "  " + dump(v) for v in value)
            return "[\n" + inner + "\n" + pad + "]"
        if isinstance(value, dict) and any(isinstance(v, (list, dict)) and len(v) > 8 for v in value.values()):
            inner = ",\n".join(f"{pad}  {dump(k)}: {block(v, pad + '  ')}" for k, v in value.items())
            return "{\n" + inner + "\n" + pad + "}"
        return dump(value)

    return block(manifest, "") + "\n"
