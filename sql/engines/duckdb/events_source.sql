-- DuckDB engine: the event files as the contract check's input (a FROM item, not a statement).
-- Number fields are read as JSON and handed on as their JSON text: a JSON-typed value would be
-- cast JSON-aware ("123" -> 123), which must stay an invalid_type.
(SELECT substr(filename, {{prefix_len}}) AS source_file, * EXCLUDE (filename) REPLACE ({{json_as_text}})
 FROM read_json({{files}}, format = 'newline_delimited', columns = {{columns}},
                filename = true, ignore_errors = true, maximum_object_size = 16777216))
