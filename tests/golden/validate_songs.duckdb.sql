-- generated from music_analytics.contract.SONGS (duckdb); do not edit by hand
SELECT
    source_file,
    line_number,
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
    CASE
        WHEN parse_error IS NOT NULL THEN parse_error
        WHEN "artist_id" IS NULL OR _t_artist_id = '' THEN 'missing_field'
        WHEN "artist_name" IS NULL OR _t_artist_name = '' THEN 'missing_field'
        WHEN "song_id" IS NULL OR _t_song_id = '' THEN 'missing_field'
        WHEN "title" IS NULL OR _t_title = '' THEN 'missing_field'
        WHEN "duration" IS NULL THEN 'missing_field'
        WHEN "num_songs" IS NOT NULL AND _t_num_songs IS NULL THEN 'invalid_type'
        WHEN "artist_id" IS NOT NULL AND left("artist_id", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "artist_latitude" IS NOT NULL AND _t_artist_latitude IS NULL THEN 'invalid_type'
        WHEN "artist_longitude" IS NOT NULL AND _t_artist_longitude IS NULL THEN 'invalid_type'
        WHEN "artist_location" IS NOT NULL AND left("artist_location", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "artist_name" IS NOT NULL AND left("artist_name", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "song_id" IS NOT NULL AND left("song_id", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "title" IS NOT NULL AND left("title", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "duration" IS NOT NULL AND _t_duration IS NULL THEN 'invalid_type'
        WHEN "year" IS NOT NULL AND _t_year IS NULL THEN 'invalid_type'
    END AS reject_reason,
    CASE
        WHEN parse_error IS NOT NULL THEN NULL
        WHEN "artist_id" IS NULL OR _t_artist_id = '' THEN 'artist_id'
        WHEN "artist_name" IS NULL OR _t_artist_name = '' THEN 'artist_name'
        WHEN "song_id" IS NULL OR _t_song_id = '' THEN 'song_id'
        WHEN "title" IS NULL OR _t_title = '' THEN 'title'
        WHEN "duration" IS NULL THEN 'duration'
        WHEN "num_songs" IS NOT NULL AND _t_num_songs IS NULL THEN 'num_songs'
        WHEN "artist_id" IS NOT NULL AND left("artist_id", 1) IN ('[', '{') THEN 'artist_id'
        WHEN "artist_latitude" IS NOT NULL AND _t_artist_latitude IS NULL THEN 'artist_latitude'
        WHEN "artist_longitude" IS NOT NULL AND _t_artist_longitude IS NULL THEN 'artist_longitude'
        WHEN "artist_location" IS NOT NULL AND left("artist_location", 1) IN ('[', '{') THEN 'artist_location'
        WHEN "artist_name" IS NOT NULL AND left("artist_name", 1) IN ('[', '{') THEN 'artist_name'
        WHEN "song_id" IS NOT NULL AND left("song_id", 1) IN ('[', '{') THEN 'song_id'
        WHEN "title" IS NOT NULL AND left("title", 1) IN ('[', '{') THEN 'title'
        WHEN "duration" IS NOT NULL AND _t_duration IS NULL THEN 'duration'
        WHEN "year" IS NOT NULL AND _t_year IS NULL THEN 'year'
    END AS reject_detail
FROM (
    SELECT
        _r.*,
        CASE WHEN (NOT left("num_songs", 1) = '"' AND NOT left("num_songs", 1) IN ('[', '{') AND NOT "num_songs" IN ('true', 'false')) THEN CASE WHEN TRY_CAST("num_songs" AS DOUBLE) = TRY_CAST("num_songs" AS BIGINT) THEN TRY_CAST("num_songs" AS BIGINT) END END AS _t_num_songs,
        CASE WHEN left("artist_id", 1) = '"' THEN CASE WHEN contains("artist_id", '\') THEN json_extract_string("artist_id", '$') ELSE "artist_id"[2:-2] END WHEN left("artist_id", 1) IN ('[', '{') THEN NULL ELSE "artist_id" END AS _t_artist_id,
        CASE WHEN (NOT left("artist_latitude", 1) = '"' AND NOT left("artist_latitude", 1) IN ('[', '{') AND NOT "artist_latitude" IN ('true', 'false')) THEN TRY_CAST("artist_latitude" AS DOUBLE) END AS _t_artist_latitude,
        CASE WHEN (NOT left("artist_longitude", 1) = '"' AND NOT left("artist_longitude", 1) IN ('[', '{') AND NOT "artist_longitude" IN ('true', 'false')) THEN TRY_CAST("artist_longitude" AS DOUBLE) END AS _t_artist_longitude,
        CASE WHEN left("artist_location", 1) = '"' THEN CASE WHEN contains("artist_location", '\') THEN json_extract_string("artist_location", '$') ELSE "artist_location"[2:-2] END WHEN left("artist_location", 1) IN ('[', '{') THEN NULL ELSE "artist_location" END AS _t_artist_location,
        CASE WHEN left("artist_name", 1) = '"' THEN CASE WHEN contains("artist_name", '\') THEN json_extract_string("artist_name", '$') ELSE "artist_name"[2:-2] END WHEN left("artist_name", 1) IN ('[', '{') THEN NULL ELSE "artist_name" END AS _t_artist_name,
        CASE WHEN left("song_id", 1) = '"' THEN CASE WHEN contains("song_id", '\') THEN json_extract_string("song_id", '$') ELSE "song_id"[2:-2] END WHEN left("song_id", 1) IN ('[', '{') THEN NULL ELSE "song_id" END AS _t_song_id,
        CASE WHEN left("title", 1) = '"' THEN CASE WHEN contains("title", '\') THEN json_extract_string("title", '$') ELSE "title"[2:-2] END WHEN left("title", 1) IN ('[', '{') THEN NULL ELSE "title" END AS _t_title,
        CASE WHEN (NOT left("duration", 1) = '"' AND NOT left("duration", 1) IN ('[', '{') AND NOT "duration" IN ('true', 'false')) THEN TRY_CAST("duration" AS DOUBLE) END AS _t_duration,
        CASE WHEN (NOT left("year", 1) = '"' AND NOT left("year", 1) IN ('[', '{') AND NOT "year" IN ('true', 'false')) THEN CASE WHEN TRY_CAST("year" AS DOUBLE) = TRY_CAST("year" AS BIGINT) THEN TRY_CAST("year" AS BIGINT) END END AS _t_year
    FROM raw_songs AS _r
) AS _v
