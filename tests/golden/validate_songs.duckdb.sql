-- generated from music_analytics.contract.SONGS (duckdb); do not edit by hand
SELECT
    source_file,
    record_position,
    _t_num_songs AS num_songs,
    _t_artist_id AS artist_id,
    _t_artist_latitude AS artist_latitude,
    _t_artist_longitude AS artist_longitude,
    _t_artist_location AS artist_location,
    _t_artist_name AS artist_name,
    _t_song_id AS song_id,
    _t_title AS title,
    _t_duration AS duration,
    _t_year AS year,
    "num_songs" IS NULL AND "artist_id" IS NULL AND "artist_latitude" IS NULL AND "artist_longitude" IS NULL AND "artist_location" IS NULL AND "artist_name" IS NULL AND "song_id" IS NULL AND "title" IS NULL AND "duration" IS NULL AND "year" IS NULL AS unparsed,
    CASE
        WHEN "num_songs" IN ('NaN', 'Infinity', '-Infinity') THEN 'not_json'
        WHEN "artist_latitude" IN ('NaN', 'Infinity', '-Infinity') THEN 'not_json'
        WHEN "artist_longitude" IN ('NaN', 'Infinity', '-Infinity') THEN 'not_json'
        WHEN "duration" IN ('NaN', 'Infinity', '-Infinity') THEN 'not_json'
        WHEN "year" IN ('NaN', 'Infinity', '-Infinity') THEN 'not_json'
        WHEN "artist_id" IS NULL OR _t_artist_id = '' THEN 'missing_field'
        WHEN "artist_name" IS NULL OR _t_artist_name = '' THEN 'missing_field'
        WHEN "song_id" IS NULL OR _t_song_id = '' THEN 'missing_field'
        WHEN "title" IS NULL OR _t_title = '' THEN 'missing_field'
        WHEN "duration" IS NULL THEN 'missing_field'
        WHEN _t_num_songs IS NULL AND abs(TRY_CAST("num_songs" AS DOUBLE)) >= 9.223372036854775807e18 THEN 'out_of_range'
        WHEN _t_year IS NULL AND abs(TRY_CAST("year" AS DOUBLE)) >= 9.223372036854775807e18 THEN 'out_of_range'
        WHEN "num_songs" IS NOT NULL AND _t_num_songs IS NULL THEN 'invalid_type'
        WHEN "artist_latitude" IS NOT NULL AND _t_artist_latitude IS NULL THEN 'invalid_type'
        WHEN "artist_longitude" IS NOT NULL AND _t_artist_longitude IS NULL THEN 'invalid_type'
        WHEN "duration" IS NOT NULL AND _t_duration IS NULL THEN 'invalid_type'
        WHEN "year" IS NOT NULL AND _t_year IS NULL THEN 'invalid_type'
        WHEN contains(_t_artist_id, chr(0)) THEN 'invalid_text'
        WHEN strlen(_t_artist_id) > 32 THEN 'too_long'
        WHEN abs(_t_artist_latitude) > 1.7976931348623157e308 THEN 'out_of_range'
        WHEN abs(_t_artist_longitude) > 1.7976931348623157e308 THEN 'out_of_range'
        WHEN contains(_t_artist_location, chr(0)) THEN 'invalid_text'
        WHEN strlen(_t_artist_location) > 1024 THEN 'too_long'
        WHEN contains(_t_artist_name, chr(0)) THEN 'invalid_text'
        WHEN strlen(_t_artist_name) > 1024 THEN 'too_long'
        WHEN contains(_t_song_id, chr(0)) THEN 'invalid_text'
        WHEN strlen(_t_song_id) > 32 THEN 'too_long'
        WHEN contains(_t_title, chr(0)) THEN 'invalid_text'
        WHEN strlen(_t_title) > 1024 THEN 'too_long'
        WHEN abs(_t_duration) > 1.7976931348623157e308 THEN 'out_of_range'
        WHEN _t_year NOT BETWEEN -2147483648 AND 2147483647 THEN 'out_of_range'
        WHEN _t_artist_latitude IS NOT NULL AND (_t_artist_latitude < -90 OR _t_artist_latitude > 90) THEN 'invalid_value'
        WHEN _t_artist_longitude IS NOT NULL AND (_t_artist_longitude < -180 OR _t_artist_longitude > 180) THEN 'invalid_value'
        WHEN _t_duration IS NOT NULL AND (_t_duration <= 0) THEN 'invalid_value'
        WHEN _t_year IS NOT NULL AND (_t_year <> 0 AND (_t_year < 1000 OR _t_year > 2100)) THEN 'invalid_value'
    END AS reject_reason,
    CASE
        WHEN "num_songs" IN ('NaN', 'Infinity', '-Infinity') THEN NULL
        WHEN "artist_latitude" IN ('NaN', 'Infinity', '-Infinity') THEN NULL
        WHEN "artist_longitude" IN ('NaN', 'Infinity', '-Infinity') THEN NULL
        WHEN "duration" IN ('NaN', 'Infinity', '-Infinity') THEN NULL
        WHEN "year" IN ('NaN', 'Infinity', '-Infinity') THEN NULL
        WHEN "artist_id" IS NULL OR _t_artist_id = '' THEN 'artist_id'
        WHEN "artist_name" IS NULL OR _t_artist_name = '' THEN 'artist_name'
        WHEN "song_id" IS NULL OR _t_song_id = '' THEN 'song_id'
        WHEN "title" IS NULL OR _t_title = '' THEN 'title'
        WHEN "duration" IS NULL THEN 'duration'
        WHEN _t_num_songs IS NULL AND abs(TRY_CAST("num_songs" AS DOUBLE)) >= 9.223372036854775807e18 THEN 'num_songs'
        WHEN _t_year IS NULL AND abs(TRY_CAST("year" AS DOUBLE)) >= 9.223372036854775807e18 THEN 'year'
        WHEN "num_songs" IS NOT NULL AND _t_num_songs IS NULL THEN 'num_songs'
        WHEN "artist_latitude" IS NOT NULL AND _t_artist_latitude IS NULL THEN 'artist_latitude'
        WHEN "artist_longitude" IS NOT NULL AND _t_artist_longitude IS NULL THEN 'artist_longitude'
        WHEN "duration" IS NOT NULL AND _t_duration IS NULL THEN 'duration'
        WHEN "year" IS NOT NULL AND _t_year IS NULL THEN 'year'
        WHEN contains(_t_artist_id, chr(0)) THEN 'artist_id'
        WHEN strlen(_t_artist_id) > 32 THEN 'artist_id'
        WHEN abs(_t_artist_latitude) > 1.7976931348623157e308 THEN 'artist_latitude'
        WHEN abs(_t_artist_longitude) > 1.7976931348623157e308 THEN 'artist_longitude'
        WHEN contains(_t_artist_location, chr(0)) THEN 'artist_location'
        WHEN strlen(_t_artist_location) > 1024 THEN 'artist_location'
        WHEN contains(_t_artist_name, chr(0)) THEN 'artist_name'
        WHEN strlen(_t_artist_name) > 1024 THEN 'artist_name'
        WHEN contains(_t_song_id, chr(0)) THEN 'song_id'
        WHEN strlen(_t_song_id) > 32 THEN 'song_id'
        WHEN contains(_t_title, chr(0)) THEN 'title'
        WHEN strlen(_t_title) > 1024 THEN 'title'
        WHEN abs(_t_duration) > 1.7976931348623157e308 THEN 'duration'
        WHEN _t_year NOT BETWEEN -2147483648 AND 2147483647 THEN 'year'
        WHEN _t_artist_latitude IS NOT NULL AND (_t_artist_latitude < -90 OR _t_artist_latitude > 90) THEN 'artist_latitude'
        WHEN _t_artist_longitude IS NOT NULL AND (_t_artist_longitude < -180 OR _t_artist_longitude > 180) THEN 'artist_longitude'
        WHEN _t_duration IS NOT NULL AND (_t_duration <= 0) THEN 'duration'
        WHEN _t_year IS NOT NULL AND (_t_year <> 0 AND (_t_year < 1000 OR _t_year > 2100)) THEN 'year'
    END AS reject_detail
FROM (
    SELECT
        _r.*,
        CASE WHEN NOT contains("num_songs", '.') AND NOT contains("num_songs", 'e') AND NOT contains("num_songs", 'E') THEN TRY_CAST("num_songs" AS BIGINT) WHEN TRY_CAST("num_songs" AS DOUBLE) = TRY_CAST("num_songs" AS BIGINT) THEN TRY_CAST("num_songs" AS BIGINT) END AS _t_num_songs,
        "artist_id" AS _t_artist_id,
        TRY_CAST("artist_latitude" AS DOUBLE) AS _t_artist_latitude,
        TRY_CAST("artist_longitude" AS DOUBLE) AS _t_artist_longitude,
        "artist_location" AS _t_artist_location,
        "artist_name" AS _t_artist_name,
        "song_id" AS _t_song_id,
        "title" AS _t_title,
        TRY_CAST("duration" AS DOUBLE) AS _t_duration,
        CASE WHEN NOT contains("year", '.') AND NOT contains("year", 'e') AND NOT contains("year", 'E') THEN TRY_CAST("year" AS BIGINT) WHEN TRY_CAST("year" AS DOUBLE) = TRY_CAST("year" AS BIGINT) THEN TRY_CAST("year" AS BIGINT) END AS _t_year
    FROM raw_songs AS _r
) AS _v
