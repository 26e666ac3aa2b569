"""The run summary printed at the end of every run (and published as a Prefect artifact)."""

from __future__ import annotations

from typing import Any

from .pipeline import RunSummary
from .warehouse import MERGE_ORDER


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.2f}%" if whole else "n/a"


def as_dict(s: RunSummary) -> dict[str, Any]:
    """The summary as plain data (for JSON output and artifacts)."""
    t, m = s.transform, s.merge
    out: dict[str, Any] = {"source": s.source, "engine": s.engine, "warehouse": s.warehouse, "status": s.status,
                           "first_day": s.first_day.isoformat() if s.first_day else None,
                           "last_day": s.last_day.isoformat() if s.last_day else None,
                           "seconds": {k: round(v, 3) for k, v in s.seconds.items()}}
    if s.plan is not None:
        p = s.plan
        out["files"] = {"read": p.files_read, "new": p.new, "changed": p.changed, "unchanged": p.unchanged,
                        "lookback_changed": p.lookback_changed, "lookback_never_loaded": p.lookback_never_loaded,
                        "changed_not_read": list(p.stale), "reload": p.reload}
        out["warnings"] = p.warnings()
    if t is not None:
        out["inputs"] = {name: vars(getattr(t, name)).copy() for name in ("events", "songs")}
        out["rejected_by_reason"] = dict(t.rejected_by_reason)
        out["plays"] = t.plays
        out["plays_without_user"] = t.plays_without_user
        out["songplays"] = t.songplays
        out["matched_plays"] = t.matched
        out["lake_rows"] = dict(t.rows)
        out["engine_seconds"] = {k: round(v, 3) for k, v in t.seconds.items()}
    out["run_id"] = s.run_id
    out["quality"] = {
        g.gate: {"passed": g.passed, "expectations": len(g.outcomes), "failed": [o.describe() for o in g.blocking],
                 "warnings": [o.describe() for o in g.warnings], "docs": str(g.docs) if g.docs else None}
        for g in s.quality
    }
    if m is not None:
        out["tables"] = {
            table: {"staged": m.staged.get(table, 0), "inserted": m.inserted.get(table, 0),
                    "updated": m.updated.get(table, 0)}
            for table in MERGE_ORDER
        }
    return out


def format_summary(s: RunSummary) -> str:
    t, m = s.transform, s.merge
    days = ("all files" if s.first_day is None and s.last_day is None
            else f"{s.first_day or '...'}" + ("" if s.first_day == s.last_day else f" .. {s.last_day or '...'}"))
    lines = ["", f"Run summary ({s.status})", f"  source     {s.source}", f"  days       {days}",
             f"  engine     {s.engine}", f"  warehouse  {s.warehouse}", f"  run id     {s.run_id}"]
    if s.plan is not None:
        lines.append(f"  files      {s.plan.describe()}")
        lines += [f"  warning    {w}" for w in s.plan.warnings()]
    if t is not None:
        header = f"  {'input':<8}{'files':>8}{'records':>12}{'accepted':>12}{'rejected':>10}{'blank lines':>13}"
        lines += ["", header]
        for name in ("events", "songs"):
            i = getattr(t, name)
            lines.append(f"  {name:<8}{i.files:>8,}{i.records:>12,}{i.accepted:>12,}{i.rejected:>10,}"
                         f"{i.blank_lines:>13,}")
        if t.files is not None and t.files.skipped_event_files:
            lines.append(f"  ({t.files.skipped_event_files:,} event files outside the date range not read)")
        lines += ["", "  rejected by reason:" + ("" if t.rejected_by_reason else " none")]
        lines += [f"    {reason:<18}{n:>10,}" for reason, n in sorted(t.rejected_by_reason.items())]
        lines += [
            "",
            f"  plays (NextSong)  {t.plays:>10,}   of which logged out (no songplay): {t.plays_without_user:,}",
            f"  songplays         {t.songplays:>10,}",
            f"  matched to songs  {t.matched:>10,}   ({_pct(t.matched, t.songplays)} of songplays)",
        ]
    if m is not None:
        lines += ["", f"  {'table':<18}{'staged':>12}{'inserted':>12}{'updated':>12}"]
        for table in MERGE_ORDER:
            lines.append(f"  {table:<18}{m.staged.get(table, 0):>12,}{m.inserted.get(table, 0):>12,}"
                         f"{m.updated.get(table, 0):>12,}")
    if s.quality:
        lines += ["", "  quality gates: " + " | ".join(
            f"{g.gate} {'passed' if g.passed else 'BLOCKED'} ({len(g.outcomes)} expectations, "
            f"{len(g.warnings)} warnings)" for g in s.quality)]
        seen: set[str] = set()
        for g in s.quality:
            for o in g.warnings:
                if o.describe() not in seen:
                    seen.add(o.describe())
                    lines.append(f"    warning: {o.describe()}")
        docs = next((g.docs for g in reversed(s.quality) if g.docs), None)
        if docs:
            lines.append(f"    report: {docs}")
    stage_secs = dict(s.seconds)
    if t is not None:
        detail = ", ".join(f"{k} {v:.2f}" for k, v in t.seconds.items())
        lines += ["", "  seconds per stage: " + " | ".join(f"{k} {v:.2f}" for k, v in stage_secs.items()),
                  f"  (transform: {detail})"]
    else:
        lines += ["", "  seconds per stage: " + " | ".join(f"{k} {v:.2f}" for k, v in stage_secs.items())]
    return "\n".join(lines)
