"""The run summary printed at the end of every run (and published as a Prefect artifact)."""

from __future__ import annotations

from typing import Any

from . import tables
from .pipeline import Backfill, InsightsOutcome, Outcome, RunSummary
from .warehouse.base import MergeCounts

MERGE_ORDER = tuple(t.name for t in tables.STAR)


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.2f}%" if whole else "n/a"


def as_dict(s: RunSummary) -> dict[str, Any]:
    """The summary as plain data (for JSON output and artifacts)."""
    t, m = s.transform, s.merge
    out: dict[str, Any] = {
        "source": s.source,
        "engine": s.engine,
        "warehouse": s.warehouse,
        "status": s.status,
        "first_day": s.first_day.isoformat() if s.first_day else None,
        "last_day": s.last_day.isoformat() if s.last_day else None,
        "seconds": {k: round(v, 3) for k, v in s.seconds.items()},
    }
    if s.plan is not None:
        p = s.plan
        out["files"] = {
            "read": p.files_read,
            "new": p.new,
            "changed": p.changed,
            "unchanged": p.unchanged,
            "lookback_changed": p.lookback_changed,
            "lookback_never_loaded": p.lookback_never_loaded,
            "changed_not_read": list(p.stale),
            "reload": p.reload,
        }
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
        g.gate: {
            "passed": g.passed,
            "expectations": len(g.outcomes),
            "failed": [o.describe() for o in g.blocking],
            "warnings": [o.describe() for o in g.warnings],
            "docs": str(g.docs) if g.docs else None,
        }
        for g in s.quality
    }
    if m is not None:
        out["tables"] = {
            table: {
                "staged": m.staged.get(table, 0),
                "inserted": m.inserted.get(table, 0),
                "updated": m.updated.get(table, 0),
            }
            for table in MERGE_ORDER
        }
        out["derived"] = {table: {"rebuilt": n} for table, n in m.rebuilt.items()}
    return out


def _rebuilt(m: MergeCounts) -> str:
    return ", ".join(f"{table} {n:,}" for table, n in m.rebuilt.items())


def format_summary(s: RunSummary) -> str:
    t, m = s.transform, s.merge
    days = (
        "all files"
        if s.first_day is None and s.last_day is None
        else f"{s.first_day or '...'}" + ("" if s.first_day == s.last_day else f" .. {s.last_day or '...'}")
    )
    lines = [
        "",
        f"Run summary ({s.status})",
        f"  source     {s.source}",
        f"  days       {days}",
        f"  engine     {s.engine}",
        f"  warehouse  {s.warehouse}",
        f"  run id     {s.run_id}",
    ]
    if s.plan is not None:
        lines.append(f"  files      {s.plan.describe()}")
        lines += [f"  warning    {w}" for w in s.plan.warnings()]
    if t is not None:
        header = f"  {'input':<8}{'files':>8}{'records':>12}{'accepted':>12}{'rejected':>10}{'blank lines':>13}"
        lines += ["", header]
        for name in ("events", "songs"):
            i = getattr(t, name)
            lines.append(
                f"  {name:<8}{i.files:>8,}{i.records:>12,}{i.accepted:>12,}{i.rejected:>10,}{i.blank_lines:>13,}"
            )
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
            lines.append(
                f"  {table:<18}{m.staged.get(table, 0):>12,}{m.inserted.get(table, 0):>12,}"
                f"{m.updated.get(table, 0):>12,}"
            )
        if m.rebuilt:
            lines.append(f"  rebuilt for the run's users and sessions: {_rebuilt(m)}")
    if s.quality:
        lines += [
            "",
            "  quality gates: "
            + " | ".join(
                f"{g.gate} {'passed' if g.passed else 'BLOCKED'} ({len(g.outcomes)} expectations, "
                f"{len(g.warnings)} warnings)"
                for g in s.quality
            ),
        ]
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
        lines += [
            "",
            "  seconds per stage: " + " | ".join(f"{k} {v:.2f}" for k, v in stage_secs.items()),
            f"  (transform: {detail})",
        ]
    else:
        lines += ["", "  seconds per stage: " + " | ".join(f"{k} {v:.2f}" for k, v in stage_secs.items())]
    return "\n".join(lines)


def headline(s: RunSummary) -> str:
    """One line for logs: the run's outcome and what it published (the full summary is printed or an artifact)."""
    days = (
        "all files"
        if s.first_day is None and s.last_day is None
        else (f"{s.first_day}" if s.first_day == s.last_day else f"{s.first_day}..{s.last_day}")
    )
    text = f"run {s.run_id} ({days}) {s.status}"
    if s.plan is not None:
        text += f": {s.plan.files_read:,} files read, {s.plan.unchanged:,} unchanged"
    if s.merge is not None:
        text += (
            f"; songplays {s.merge.inserted.get('songplays', 0):,} inserted, "
            f"{s.merge.updated.get('songplays', 0):,} updated"
        )
    return text


def _md_table(header: list[str], rows: list[list[object]], right: int = 1) -> list[str]:
    """A markdown table; columns from `right` on are right-aligned (numbers)."""

    def cell(value: object) -> str:
        text = f"{value:,}" if isinstance(value, int) else str(value)
        return text.replace("|", "\\|")

    align = ["---" if i < right else "---:" for i in range(len(header))]
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(align) + "|",
        *("| " + " | ".join(cell(v) for v in row) + " |" for row in rows),
    ]


def to_markdown(s: RunSummary) -> str:
    """The run summary as markdown (the Prefect artifact): the same facts as format_summary, as tables."""
    t, m = s.transform, s.merge
    days = (
        "all files"
        if s.first_day is None and s.last_day is None
        else f"{s.first_day or '...'}" + ("" if s.first_day == s.last_day else f" .. {s.last_day or '...'}")
    )
    out = [
        f"## Run {s.status}",
        "",
        *_md_table(
            ["", ""],
            [
                ["Source", f"`{s.source}`"],
                ["Days", days],
                ["Engine", s.engine],
                ["Warehouse", f"`{s.warehouse}`"],
                ["Run id", f"`{s.run_id}`"],
            ],
            right=2,
        ),
    ]
    if s.plan is not None:
        out += ["", f"**Files:** {s.plan.describe()}"]
        out += [f"> **Warning:** {w}" for w in s.plan.warnings()]
    if t is not None:
        out += [
            "",
            "### Inputs",
            "",
            *_md_table(
                ["input", "files", "records", "accepted", "rejected", "blank lines"],
                [
                    [
                        name,
                        *(
                            getattr(getattr(t, name), f)
                            for f in ("files", "records", "accepted", "rejected", "blank_lines")
                        ),
                    ]
                    for name in ("events", "songs")
                ],
            ),
        ]
        if t.rejected_by_reason:
            out += [
                "",
                "### Rejected records by reason",
                "",
                *_md_table(["reason", "records"], [[r, n] for r, n in sorted(t.rejected_by_reason.items())]),
            ]
        out += [
            "",
            "### Plays",
            "",
            *_md_table(
                ["", "count"],
                [
                    ["plays (NextSong)", t.plays],
                    ["of which logged out (no songplay)", t.plays_without_user],
                    ["songplays", t.songplays],
                    ["matched to a song", f"{t.matched:,} ({_pct(t.matched, t.songplays)})"],
                ],
            ),
        ]
    if m is not None:
        out += [
            "",
            "### Tables",
            "",
            *_md_table(
                ["table", "staged", "inserted", "updated"],
                [
                    [table, m.staged.get(table, 0), m.inserted.get(table, 0), m.updated.get(table, 0)]
                    for table in MERGE_ORDER
                ],
            ),
        ]
        if m.rebuilt:
            out += ["", f"Rebuilt for the run's users and sessions: {_rebuilt(m)}"]
    if s.quality:
        out += [
            "",
            "### Quality gates",
            "",
            *_md_table(
                ["gate", "verdict", "expectations", "failed", "warnings"],
                [
                    [g.gate, "passed" if g.passed else "**BLOCKED**", len(g.outcomes), len(g.blocking), len(g.warnings)]
                    for g in s.quality
                ],
                right=2,
            ),
        ]
        out += [f"- warning: {o.describe()}" for g in s.quality for o in g.warnings]
    if s.seconds:
        out += [
            "",
            "### Seconds per stage",
            "",
            *_md_table(["stage", "seconds"], [[k, f"{v:.2f}"] for k, v in s.seconds.items()]),
        ]
    return "\n".join(out) + "\n"


def backfill_rows(b: Backfill) -> list[dict[str, Any]]:
    """One row per day of a backfill, in order, and the day it stopped at."""
    rows: list[dict[str, Any]] = [
        {
            "day": str(s.first_day),
            "status": s.status,
            "files_loaded": s.plan.files_read if s.plan else 0,
            "songplays_inserted": s.merge.inserted.get("songplays", 0) if s.merge else 0,
            "seconds": round(sum(s.seconds.values()), 2),
        }
        for s in b.runs
    ]
    if b.failed is not None:
        rows.append(
            {"day": str(b.failed), "status": "failed", "files_loaded": 0, "songplays_inserted": 0, "seconds": None}
        )
    return rows


def format_backfill(b: Backfill) -> str:
    lines = [
        f"  {r['day']}  {r['status']:<10} files {r['files_loaded']:>4}  "
        f"songplays inserted {r['songplays_inserted']:>7,}"
        for r in backfill_rows(b)
    ]
    return "\n".join(["", f"Backfill of {len(b.days)} days", *lines])


def insights_dict(i: InsightsOutcome | None) -> dict[str, Any] | None:
    if i is None:
        return None
    if i.html is None:
        return {"html": None, "skipped": i.skipped}
    if i.skipped:
        return {"html": str(i.html), "skipped": i.skipped}
    return {"html": str(i.html), "url": i.url, "top_song": i.top_song, "plays": i.plays}


def format_insights(i: InsightsOutcome | None) -> str:
    if i is None:
        return ""
    if i.html is None:
        return f"insights skipped: {i.skipped}"
    if i.skipped:
        return f"insights: {i.html} (unchanged: {i.skipped})"
    return f"insights: {i.html} (music-analytics insights for tables)"


def outcome_dict(o: Outcome) -> dict[str, Any]:
    """What a whole job did, as data (the flow's result, --summary-json), with its text for the terminal."""
    if o.backfill:
        data: dict[str, Any] = {
            "days": backfill_rows(Backfill(o.days, o.runs)),
            "text": format_backfill(Backfill(o.days, o.runs)),
        }
    else:
        data = as_dict(o.summary)
        data["text"] = format_summary(o.summary)
    insights = insights_dict(o.insights)
    if insights is not None:
        data["insights"] = insights
        data["text"] += "\n" + format_insights(o.insights)
    return data
