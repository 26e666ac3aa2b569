"""The demo dataset: a small generated month that `run` uses when no --source is given.

Generated once, deterministically, under <data_dir>/demo; a marker file records the parameters
so a changed [demo] setting regenerates it instead of silently reusing stale data.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from .config import Config

DEMO_START = dt.date(2018, 11, 1)
DEMO_DAYS = 30
# A little of everything the pipeline must handle, so the demo's summary shows it working.
DEMO_FAULT_RATE = 0.001
DEMO_SKIP_RATE = 0.05
DEMO_UNKNOWN_SONG_RATE = 0.05


def _params(cfg: Config) -> dict[str, object]:
    return {
        "events": cfg.demo.events,
        "seed": cfg.demo.seed,
        "start": DEMO_START.isoformat(),
        "days": DEMO_DAYS,
        "fault_rate": DEMO_FAULT_RATE,
        "skip_rate": DEMO_SKIP_RATE,
        "unknown_song_rate": DEMO_UNKNOWN_SONG_RATE,
    }


def ensure_demo(cfg: Config, progress: Callable[[str], None] = lambda _m: None) -> Path:
    """The demo folder, generated first if missing or made with other parameters."""
    from .generator import GeneratorParams, generate

    target = cfg.demo_path
    marker = target / ".demo-params.json"
    wanted = _params(cfg)
    if marker.is_file() and json.loads(marker.read_text()) == wanted:
        return target
    if target.exists():
        shutil.rmtree(target)
    progress(f"generating the demo dataset ({cfg.demo.events:,} events, seed {cfg.demo.seed}) in {target}")
    tmp = target.with_name(target.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    generate(
        GeneratorParams(
            events=cfg.demo.events,
            seed=cfg.demo.seed,
            start=DEMO_START,
            days=DEMO_DAYS,
            fault_rate=DEMO_FAULT_RATE,
            skip_rate=DEMO_SKIP_RATE,
            unknown_song_rate=DEMO_UNKNOWN_SONG_RATE,
        ),
        tmp,
        progress,
    )
    (tmp / ".demo-params.json").write_text(json.dumps(wanted, sort_keys=True))
    tmp.rename(target)
    return target
