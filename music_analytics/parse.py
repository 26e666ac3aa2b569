"""Turn the raw contract into the validating SELECT every engine runs on its parsed records.

Input relation (built by the engine): one row per raw record with `source_file`, `line_number`,
`parse_error` (NULL, 'not_json' or 'not_object') and one column per contract key: text fields as
text, number fields as the value's JSON text (NULL when absent or JSON null). Output: typed
snake_case columns plus `reject_reason` / `reject_detail` (NULL for accepted records).

Engine differences are data: each dialect below is a table of expression templates; the shape of
the query is the same for all. tests/golden/ holds the generated SQL so changes are reviewed.
"""

from __future__ import annotations

from collections.abc import Mapping

from .contract import TS_MAX_MS, TS_MIN_MS, Contract, Domain, Field, JsonType
from .tables import BY_NAME, Column

# What the warehouse column types hold, on every supported warehouse (DuckDB, PostgreSQL, Redshift).
INTEGER_RANGE = (-(2**31), 2**31 - 1)
# Beyond this magnitude a double is an integer no BIGINT holds (doubles past 2**53 are all integral).
BIGINT_MAGNITUDE = "9.223372036854775807e18"
DOUBLE_MAX = "1.7976931348623157e308"  # a larger magnitude is an infinity
# Epoch milliseconds of 0001-01-01 and 9999-12-31 23:59:59.999: every warehouse's and pyarrow's
# timestamp range covers these years (PostgreSQL's goes further, Python's datetime does not).
TIMESTAMP_MS_RANGE = (-62_135_596_800_000, 253_402_300_799_999)

# Text fields arrive as text (a JSON string unescaped; any other JSON value as its JSON text, as
# both DuckDB's and Spark's JSON readers render it). Number fields arrive as the value's JSON text,
# so a quoted "123" stays distinguishable from 123.
DIALECTS: dict[str, Mapping[str, str]] = {
    "duckdb": {
        # TRY_CAST('1.5' AS BIGINT) rounds: a value written with a fraction or exponent must also
        # equal its double. Quoted strings, booleans and nested values fail both casts.
        "as_integer": (
            "CASE WHEN NOT contains({x}, '.') AND NOT contains({x}, 'e') AND NOT contains({x}, 'E') "
            "THEN TRY_CAST({x} AS BIGINT) "
            "WHEN TRY_CAST({x} AS DOUBLE) = TRY_CAST({x} AS BIGINT) THEN TRY_CAST({x} AS BIGINT) END"
        ),
        "as_double": "TRY_CAST({x} AS DOUBLE)",
        "quote_ident": '"{name}"',
        "utf8_bytes": "strlen({x})",
    },
    "spark": {
        # Spark's JSON text of a number is the variant's rendering (1e3 -> 1000.0, 1.0 -> 1);
        # TRY_CAST('1.5' AS BIGINT) truncates: an integral value must equal its double.
        "as_integer": (
            "CASE WHEN NOT contains({x}, '.') AND NOT contains({x}, 'e') AND NOT contains({x}, 'E') "
            "THEN TRY_CAST({x} AS BIGINT) "
            "WHEN TRY_CAST({x} AS DOUBLE) = TRY_CAST(TRY_CAST({x} AS DOUBLE) AS BIGINT) "
            "THEN TRY_CAST(TRY_CAST({x} AS DOUBLE) AS BIGINT) END"
        ),
        "as_double": "TRY_CAST({x} AS DOUBLE)",
        "quote_ident": "`{name}`",
        "utf8_bytes": "octet_length({x})",
    },
}


def _q(dialect: Mapping[str, str], name: str) -> str:
    return dialect["quote_ident"].format(name=name)


def _value_expr(f: Field, d: Mapping[str, str]) -> str:
    """SQL yielding the typed value, or NULL when absent or of the wrong type."""
    x = _q(d, f.key)
    if f.type is JsonType.TEXT:
        return x
    cast = d["as_integer"] if f.type is JsonType.INTEGER else d["as_double"]
    return cast.format(x=x)


def _targets(f: Field) -> list[Column]:
    return [BY_NAME[table].column(column) for table, column in (t.split(".") for t in f.stored_as)]


def max_bytes(f: Field) -> int | None:
    """The UTF-8 length every column the text field is stored in holds (Redshift counts bytes,
    PostgreSQL characters: bytes are the stricter measure); None when it is not stored as text."""
    sizes = [int(c.type[len("varchar(") : -1]) for c in _targets(f) if c.type.startswith("varchar")]
    return min(sizes) if sizes else None


def _storable_checks(f: Field, d: Mapping[str, str], typed: str) -> list[tuple[str, str, str | None]]:
    """Checks that every warehouse can store the field's typed value in its stored_as columns."""
    if f.type is JsonType.TEXT:
        checks: list[tuple[str, str, str | None]] = [(f"contains({typed}, chr(0))", "'invalid_text'", f.key)]
        limit = max_bytes(f)
        if limit is not None:
            checks.append((f"{d['utf8_bytes'].format(x=typed)} > {limit}", "'too_long'", f.key))
        return checks
    types = {c.type for c in _targets(f)}
    conditions = []
    if "integer" in types:
        conditions.append(f"{typed} NOT BETWEEN {INTEGER_RANGE[0]} AND {INTEGER_RANGE[1]}")
    if "double" in types:
        conditions.append(f"abs({typed}) > {DOUBLE_MAX}")
    if "timestamp" in types:
        conditions.append(f"{typed} NOT BETWEEN {TIMESTAMP_MS_RANGE[0]} AND {TIMESTAMP_MS_RANGE[1]}")
    return [(c, "'out_of_range'", f.key) for c in conditions]


def _literal(value: str | int | float) -> str:
    return "'" + value.replace("'", "''") + "'" if isinstance(value, str) else repr(value)


def domain_condition(domain: Domain, typed: str) -> str:
    """SQL meaning "the present value is outside `domain`" (NULL counts as inside: absence is checked apart)."""
    outside = []
    if domain.values:
        outside.append(f"{typed} NOT IN ({', '.join(_literal(v) for v in domain.values)})")
    if domain.min_value is not None:
        outside.append(f"{typed} {'<=' if domain.strict_min else '<'} {_literal(domain.min_value)}")
    if domain.max_value is not None:
        outside.append(f"{typed} > {_literal(domain.max_value)}")
    condition = " OR ".join(outside)
    if domain.unknown is not None:
        condition = f"{typed} <> {_literal(domain.unknown)} AND ({condition})"
    return f"{typed} IS NOT NULL AND ({condition})"


def validate_sql(contract: Contract, source: str, keep: tuple[str, ...], dialect: str = "duckdb") -> str:
    """The SELECT that types and checks every record of `source` against `contract`.

    `source` has one column per contract key (see the module docstring) plus the `keep` columns,
    passed through first. When `keep` holds `parse_error` (NULL, 'not_json' or 'not_object') it is
    the first check. `unparsed` is true when every key is NULL: a record the reader could not parse,
    or an object without any contract key; the engine tells these apart from the raw text.
    The first failing check gives the reason: parse, ts, required fields, types, what every
    warehouse can store, the requirements, then each field's domain.
    """
    d = DIALECTS[dialect]
    raw = {f.key: _q(d, f.key) for f in contract.fields}
    typed = {f.key: f"_t_{f.column}" for f in contract.fields}
    checks: list[tuple[str, str, str | None]] = []  # (condition meaning "reject", reason SQL, detail)
    if "parse_error" in keep:
        checks.append(("parse_error IS NOT NULL", "parse_error", None))
    # NaN and Infinity are not JSON. DuckDB's reader takes them as numbers (and hands on their
    # text), Spark's fails the line: either way the record is not_json.
    for f in contract.fields:
        if f.type is not JsonType.TEXT:
            checks.append((f"{raw[f.key]} IN ('NaN', 'Infinity', '-Infinity')", "'not_json'", None))
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
        if f.key != "ts" and f.type is JsonType.INTEGER:
            # An integral number no BIGINT holds is a number, not a wrong type.
            too_big = f"abs({d['as_double'].format(x=raw[f.key])}) >= {BIGINT_MAGNITUDE}"
            checks.append((f"{typed[f.key]} IS NULL AND {too_big}", "'out_of_range'", f.key))
    for f in contract.fields:
        if f.key != "ts" and f.type is not JsonType.TEXT:
            checks.append((f"{raw[f.key]} IS NOT NULL AND {typed[f.key]} IS NULL", "'invalid_type'", f.key))
    for f in contract.fields:
        checks.extend(_storable_checks(f, d, typed[f.key]))

    for req in contract.requirements:
        when = f"{typed[req.when_key]} = '{req.when_value}'"
        for key in req.non_empty:
            checks.append((f"{when} AND ({typed[key]} IS NULL OR {typed[key]} = '')", f"'{req.reason}'", key))
        for key in req.positive:
            checks.append((f"{when} AND ({typed[key]} IS NULL OR {typed[key]} <= 0)", f"'{req.reason}'", key))
    for f in contract.fields:
        if f.domain is not None:
            checks.append((domain_condition(f.domain, typed[f.key]), "'invalid_value'", f.key))

    reason = "CASE\n" + "".join(f"        WHEN {c} THEN {r}\n" for c, r, _ in checks) + "    END"
    detail = (
        "CASE\n"
        + "".join(f"        WHEN {c} THEN {'NULL' if det is None else repr(det)}\n" for c, _, det in checks)
        + "    END"
    )
    unparsed = " AND ".join(f"{raw[f.key]} IS NULL" for f in contract.fields)
    inner = ",\n        ".join(f"{_value_expr(f, d)} AS {typed[f.key]}" for f in contract.fields)
    outer = ",\n    ".join([*keep, *(f"{typed[f.key]} AS {f.column}" for f in contract.fields)])
    return (
        f"-- generated from music_analytics.contract.{contract.name.upper()} ({dialect}); do not edit by hand\n"
        f"SELECT\n    {outer},\n"
        f"    {unparsed} AS unparsed,\n"
        f"    {reason} AS reject_reason,\n    {detail} AS reject_detail\n"
        f"FROM (\n    SELECT\n        _r.*,\n        {inner}\n    FROM {source} AS _r\n) AS _v\n"
    )
