-- Spark engine: text values ({{relation}}.{{text}}) parsed once into a VARIANT, with the contract's
-- keys taken from it and the parse verdict. Spark's JSON parser stops after the first value and
-- ignores what follows ('{"a":1} x' parses), so `settled` marks the texts whose parse is known to
-- span the whole text: one object with exactly one "{" (at the start) and one "}" (at the end).
-- The others (nested values, braces inside strings, arrays, trailing text) keep their text as
-- `odd_text` for an exact verdict (json_verdict, in Python): they are rare.
SELECT {{keep}}{{extracted_keys}}, skip, settled,
       CASE WHEN NOT skip AND v IS NULL THEN 'not_json' END AS parse_verdict,
       CASE WHEN NOT settled THEN {{text}} END AS odd_text
FROM (SELECT *, skip OR v IS NULL OR (left(t, 1) = '{' AND instr(t, '}') = length(t) AND instr(substr(t, 2), '{') = 0)
                AS settled
      FROM (SELECT *, CASE WHEN NOT skip THEN try_parse_json({{text}}) END AS v,
                   trim(BOTH ' \t\r\n' FROM {{text}}) AS t
            FROM (SELECT *, {{skip}} AS skip FROM {{relation}})))
