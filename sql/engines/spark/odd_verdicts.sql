-- Spark engine: the exact JSON verdict of the texts parsed.sql could not settle (few rows).
SELECT {{keys}}, json_verdict(odd_text) AS verdict FROM {{relation}} WHERE NOT settled
