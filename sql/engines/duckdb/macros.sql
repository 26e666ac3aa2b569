-- Portable helpers the transform models call; each engine defines them in its own folder.
-- stable_id: a 60-bit positive BIGINT from the first 15 hex digits of MD5(text): the same
-- value in every engine, so ids derived from natural keys survive an engine switch.
CREATE OR REPLACE TEMP MACRO stable_id(k) AS CAST(('0x' || SUBSTRING(MD5(k), 1, 15)) AS BIGINT);
-- epoch_ms_of: milliseconds since 1970-01-01 of a UTC timestamp.
CREATE OR REPLACE TEMP MACRO epoch_ms_of(t) AS epoch_ms(t);
-- timestamp_from_ms: a UTC TIMESTAMP (no time zone) with millisecond precision from epoch ms.
CREATE OR REPLACE TEMP MACRO timestamp_from_ms(ms) AS epoch_ms(ms);
-- storable_raw: a rejected record's raw text as every warehouse can store it in
-- rejected_records.raw VARCHAR(65535): NUL (no PostgreSQL or Redshift text holds it) written as
-- the six characters \u0000, cut to 16,383 characters (at most 4 UTF-8 bytes each: <= 65,532).
CREATE OR REPLACE TEMP MACRO storable_raw(t) AS left(replace(t, chr(0), '\u0000'), 16383);
