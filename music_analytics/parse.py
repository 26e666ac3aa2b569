"""Turn the raw contract into the validating SELECT every engine runs on its parsed records.

Input relation (built by the engine): one row per raw record with `source_file`, `line_number`,
`parsed` (false when the record is not a JSON object) and one column per contract key holding
that key's value as JSON text (NULL when absent or JSON null). Output: typed snake_case columns
plus `reject_reason` / `reject_detail` (NULL for accepted records).

Engine differences are data: each dialect below is a table of expression templates; the shape of
the query is the same for all. tests/golden/ holds the generated SQL so changes are reviewed.
"""

from __future__ import annotations

from collections.abc import Mapping

from .contract import TS_MAX_MS, TS_MIN_MS, Contract, Field, JsonType

# {x} is the JSON text of one value. A JSON string starts with a double quote, a nested value
# with [ or {, a boolean with t/f; anything else left is a number.
DIALECTS: dict[str, Mapping[str, str]] = {
    "duckdb": {
        "is_string": "left({x}, 1) = '\"'",
        "is_nested": "left({x}, 1) IN ('[', '{{')",
        "is_bool": "{x} IN ('true', 'false')",
        # Unescaping only when a backslash is present keeps the common case a cheap slice.
        "string_value": "CASE WHEN contains({x}, '\\') THEN json_extract_string({x}, '$') ELSE {x}[2:-2] END",
        "as_double": "TRY_CAST({x} AS DOUBLE)",
        # TRY_CAST('1.5' AS BIGINT) rounds, so an integer must also equal its double value.
        "as_integer": "CASE WHEN TRY_CAST({x} AS DOUBLE) = TRY_CAST({x} AS BIGINT) THEN TRY_CAST({x} AS BIGINT) END",
        "quote_ident": '"{name}"',
    },
}


def _q(dialect: Mapping[str, str], name: str) -> str:
    return dialect["quote_ident"].format(name=name)


def _value_expr(f: Field, d: Mapping[str, str]) -> str:
    """SQL yielding the typed value, or NULL when absent or of the wrong type."""
    x = _q(d, f.key)
    if f.type is JsonType.TEXT:
        # Numbers and booleans are kept as their text: real catalogues have titles like 4.6.
        return (
            f"CASE WHEN {d['is_string'].format(x=x)} THEN {d['string_value'].format(x=x)} "
            f"WHEN {d['is_nested'].format(x=x)} THEN NULL ELSE {x} END"
        )
    number = (
        f"(NOT {d['is_string'].format(x=x)} AND NOT {d['is_nested'].format(x=x)} "
        f"AND NOT {d['is_bool'].format(x=x)})"
    )
    cast = d["as_integer"] if f.type is JsonType.INTEGER else d["as_double"]
    return f"CASE WHEN {number} THEN {cast.format(x=x)} END"


def validate_sql(contract: Contract, source: str, dialect: str = "duckdb") -> str:
    """The SELECT that types and checks every record of `source` against `contract`.

    `source` must have source_file, line_number, parse_error (NULL, 'not_json' or 'not_object')
    and one JSON-text column per contract key. The first failing check gives the reason.
    """
    d = DIALECTS[dialect]
    raw = {f.key: _q(d, f.key) for f in contract.fields}
    typed = {f.key: f"_t_{f.column}" for f in contract.fields}
    checks: list[tuple[str, str, str | None]] = []  # (condition meaning "reject", reason SQL, detail)
    checks.append(("parse_error IS NOT NULL", "parse_error", None))
    if "ts" in contract.keys:
        checks.append((f"{raw['ts']} IS NULL", "'missing_ts'", "ts"))
        checks.append(
            (f"{typed['ts']} IS NULL OR {typed['ts']} NOT BETWEEN {TS_MIN_MS} AND {TS_MAX_MS}", "'invalid_ts'", "ts")
        )
    for f in contract.fields:
        if f.required and f.key != "ts":
            empty = "" if f.allow_empty or f.type is not JsonType.TEXT else f" OR {typed[f.key]} = ''"
            checks.append((f"{raw[f.key]} IS NULL{empty}", "'missing_field'", f.key))
    for f in contract.fields:
        if f.key == "ts":
            continue
        bad = d["is_nested"].format(x=raw[f.key]) if f.type is JsonType.TEXT else f"{typed[f.key]} IS NULL"
        checks.append((f"{raw[f.key]} IS NOT NULL AND {bad}", "'invalid_type'", f.key))

    reason = "CASE\n" + "".join(f"        WHEN {c} THEN {r}\n" for c, r, _ in checks) + "    END"
    detail = "CASE\n" + "".join(
        f"        WHEN {c} THEN {'NULL' if det is None else repr(det)}\n" for c, _, det in checks
    ) + "    END"
    inner = ",\n        ".join(f"{_value_expr(f, d)} AS {typed[f.key]}" for f in contract.fields)
    outer = ",\n    ".join(f"{typed[f.key]} AS {f.column}" for f in contract.fields)
    return (
        f"-- generated from music_analytics.contract.{contract.name.upper()} ({dialect}); do not edit by hand\n"
        f"SELECT\n    source_file,\n    line_number,\n    {outer},\n"
        f"    {reason} AS reject_reason,\n    {detail} AS reject_detail\n"
        f"FROM (\n    SELECT\n        _r.*,\n        {inner}\n    FROM {source} AS _r\n) AS _v\n"
    )
