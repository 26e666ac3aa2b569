-- generated from music_analytics.contract.EVENTS (duckdb); do not edit by hand
SELECT
    source_file,
    line_number,
    _t_artist AS artist,
    _t_auth AS auth,
    _t_first_name AS first_name,
    _t_gender AS gender,
    _t_item_in_session AS item_in_session,
    _t_last_name AS last_name,
    _t_length AS length,
    _t_level AS level,
    _t_location AS location,
    _t_method AS method,
    _t_page AS page,
    _t_registration AS registration,
    _t_session_id AS session_id,
    _t_song AS song,
    _t_status AS status,
    _t_ts AS ts,
    _t_user_agent AS user_agent,
    _t_user_id AS user_id,
    CASE
        WHEN parse_error IS NOT NULL THEN parse_error
        WHEN "ts" IS NULL THEN 'missing_ts'
        WHEN _t_ts IS NULL OR _t_ts NOT BETWEEN 946684800000 AND 4102444800000 THEN 'invalid_ts'
        WHEN "auth" IS NULL OR _t_auth = '' THEN 'missing_field'
        WHEN "itemInSession" IS NULL THEN 'missing_field'
        WHEN "level" IS NULL OR _t_level = '' THEN 'missing_field'
        WHEN "page" IS NULL OR _t_page = '' THEN 'missing_field'
        WHEN "sessionId" IS NULL THEN 'missing_field'
        WHEN "userId" IS NULL THEN 'missing_field'
        WHEN "artist" IS NOT NULL AND left("artist", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "auth" IS NOT NULL AND left("auth", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "firstName" IS NOT NULL AND left("firstName", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "gender" IS NOT NULL AND left("gender", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "itemInSession" IS NOT NULL AND _t_item_in_session IS NULL THEN 'invalid_type'
        WHEN "lastName" IS NOT NULL AND left("lastName", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "length" IS NOT NULL AND _t_length IS NULL THEN 'invalid_type'
        WHEN "level" IS NOT NULL AND left("level", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "location" IS NOT NULL AND left("location", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "method" IS NOT NULL AND left("method", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "page" IS NOT NULL AND left("page", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "registration" IS NOT NULL AND _t_registration IS NULL THEN 'invalid_type'
        WHEN "sessionId" IS NOT NULL AND _t_session_id IS NULL THEN 'invalid_type'
        WHEN "song" IS NOT NULL AND left("song", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "status" IS NOT NULL AND _t_status IS NULL THEN 'invalid_type'
        WHEN "userAgent" IS NOT NULL AND left("userAgent", 1) IN ('[', '{') THEN 'invalid_type'
        WHEN "userId" IS NOT NULL AND left("userId", 1) IN ('[', '{') THEN 'invalid_type'
    END AS reject_reason,
    CASE
        WHEN parse_error IS NOT NULL THEN NULL
        WHEN "ts" IS NULL THEN 'ts'
        WHEN _t_ts IS NULL OR _t_ts NOT BETWEEN 946684800000 AND 4102444800000 THEN 'ts'
        WHEN "auth" IS NULL OR _t_auth = '' THEN 'auth'
        WHEN "itemInSession" IS NULL THEN 'itemInSession'
        WHEN "level" IS NULL OR _t_level = '' THEN 'level'
        WHEN "page" IS NULL OR _t_page = '' THEN 'page'
        WHEN "sessionId" IS NULL THEN 'sessionId'
        WHEN "userId" IS NULL THEN 'userId'
        WHEN "artist" IS NOT NULL AND left("artist", 1) IN ('[', '{') THEN 'artist'
        WHEN "auth" IS NOT NULL AND left("auth", 1) IN ('[', '{') THEN 'auth'
        WHEN "firstName" IS NOT NULL AND left("firstName", 1) IN ('[', '{') THEN 'firstName'
        WHEN "gender" IS NOT NULL AND left("gender", 1) IN ('[', '{') THEN 'gender'
        WHEN "itemInSession" IS NOT NULL AND _t_item_in_session IS NULL THEN 'itemInSession'
        WHEN "lastName" IS NOT NULL AND left("lastName", 1) IN ('[', '{') THEN 'lastName'
        WHEN "length" IS NOT NULL AND _t_length IS NULL THEN 'length'
        WHEN "level" IS NOT NULL AND left("level", 1) IN ('[', '{') THEN 'level'
        WHEN "location" IS NOT NULL AND left("location", 1) IN ('[', '{') THEN 'location'
        WHEN "method" IS NOT NULL AND left("method", 1) IN ('[', '{') THEN 'method'
        WHEN "page" IS NOT NULL AND left("page", 1) IN ('[', '{') THEN 'page'
        WHEN "registration" IS NOT NULL AND _t_registration IS NULL THEN 'registration'
        WHEN "sessionId" IS NOT NULL AND _t_session_id IS NULL THEN 'sessionId'
        WHEN "song" IS NOT NULL AND left("song", 1) IN ('[', '{') THEN 'song'
        WHEN "status" IS NOT NULL AND _t_status IS NULL THEN 'status'
        WHEN "userAgent" IS NOT NULL AND left("userAgent", 1) IN ('[', '{') THEN 'userAgent'
        WHEN "userId" IS NOT NULL AND left("userId", 1) IN ('[', '{') THEN 'userId'
    END AS reject_detail
FROM (
    SELECT
        _r.*,
        CASE WHEN left("artist", 1) = '"' THEN CASE WHEN contains("artist", '\') THEN json_extract_string("artist", '$') ELSE "artist"[2:-2] END WHEN left("artist", 1) IN ('[', '{') THEN NULL ELSE "artist" END AS _t_artist,
        CASE WHEN left("auth", 1) = '"' THEN CASE WHEN contains("auth", '\') THEN json_extract_string("auth", '$') ELSE "auth"[2:-2] END WHEN left("auth", 1) IN ('[', '{') THEN NULL ELSE "auth" END AS _t_auth,
        CASE WHEN left("firstName", 1) = '"' THEN CASE WHEN contains("firstName", '\') THEN json_extract_string("firstName", '$') ELSE "firstName"[2:-2] END WHEN left("firstName", 1) IN ('[', '{') THEN NULL ELSE "firstName" END AS _t_first_name,
        CASE WHEN left("gender", 1) = '"' THEN CASE WHEN contains("gender", '\') THEN json_extract_string("gender", '$') ELSE "gender"[2:-2] END WHEN left("gender", 1) IN ('[', '{') THEN NULL ELSE "gender" END AS _t_gender,
        CASE WHEN (NOT left("itemInSession", 1) = '"' AND NOT left("itemInSession", 1) IN ('[', '{') AND NOT "itemInSession" IN ('true', 'false')) THEN CASE WHEN TRY_CAST("itemInSession" AS DOUBLE) = TRY_CAST("itemInSession" AS BIGINT) THEN TRY_CAST("itemInSession" AS BIGINT) END END AS _t_item_in_session,
        CASE WHEN left("lastName", 1) = '"' THEN CASE WHEN contains("lastName", '\') THEN json_extract_string("lastName", '$') ELSE "lastName"[2:-2] END WHEN left("lastName", 1) IN ('[', '{') THEN NULL ELSE "lastName" END AS _t_last_name,
        CASE WHEN (NOT left("length", 1) = '"' AND NOT left("length", 1) IN ('[', '{') AND NOT "length" IN ('true', 'false')) THEN TRY_CAST("length" AS DOUBLE) END AS _t_length,
        CASE WHEN left("level", 1) = '"' THEN CASE WHEN contains("level", '\') THEN json_extract_string("level", '$') ELSE "level"[2:-2] END WHEN left("level", 1) IN ('[', '{') THEN NULL ELSE "level" END AS _t_level,
        CASE WHEN left("location", 1) = '"' THEN CASE WHEN contains("location", '\') THEN json_extract_string("location", '$') ELSE "location"[2:-2] END WHEN left("location", 1) IN ('[', '{') THEN NULL ELSE "location" END AS _t_location,
        CASE WHEN left("method", 1) = '"' THEN CASE WHEN contains("method", '\') THEN json_extract_string("method", '$') ELSE "method"[2:-2] END WHEN left("method", 1) IN ('[', '{') THEN NULL ELSE "method" END AS _t_method,
        CASE WHEN left("page", 1) = '"' THEN CASE WHEN contains("page", '\') THEN json_extract_string("page", '$') ELSE "page"[2:-2] END WHEN left("page", 1) IN ('[', '{') THEN NULL ELSE "page" END AS _t_page,
        CASE WHEN (NOT left("registration", 1) = '"' AND NOT left("registration", 1) IN ('[', '{') AND NOT "registration" IN ('true', 'false')) THEN TRY_CAST("registration" AS DOUBLE) END AS _t_registration,
        CASE WHEN (NOT left("sessionId", 1) = '"' AND NOT left("sessionId", 1) IN ('[', '{') AND NOT "sessionId" IN ('true', 'false')) THEN CASE WHEN TRY_CAST("sessionId" AS DOUBLE) = TRY_CAST("sessionId" AS BIGINT) THEN TRY_CAST("sessionId" AS BIGINT) END END AS _t_session_id,
        CASE WHEN left("song", 1) = '"' THEN CASE WHEN contains("song", '\') THEN json_extract_string("song", '$') ELSE "song"[2:-2] END WHEN left("song", 1) IN ('[', '{') THEN NULL ELSE "song" END AS _t_song,
        CASE WHEN (NOT left("status", 1) = '"' AND NOT left("status", 1) IN ('[', '{') AND NOT "status" IN ('true', 'false')) THEN CASE WHEN TRY_CAST("status" AS DOUBLE) = TRY_CAST("status" AS BIGINT) THEN TRY_CAST("status" AS BIGINT) END END AS _t_status,
        CASE WHEN (NOT left("ts", 1) = '"' AND NOT left("ts", 1) IN ('[', '{') AND NOT "ts" IN ('true', 'false')) THEN CASE WHEN TRY_CAST("ts" AS DOUBLE) = TRY_CAST("ts" AS BIGINT) THEN TRY_CAST("ts" AS BIGINT) END END AS _t_ts,
        CASE WHEN left("userAgent", 1) = '"' THEN CASE WHEN contains("userAgent", '\') THEN json_extract_string("userAgent", '$') ELSE "userAgent"[2:-2] END WHEN left("userAgent", 1) IN ('[', '{') THEN NULL ELSE "userAgent" END AS _t_user_agent,
        CASE WHEN left("userId", 1) = '"' THEN CASE WHEN contains("userId", '\') THEN json_extract_string("userId", '$') ELSE "userId"[2:-2] END WHEN left("userId", 1) IN ('[', '{') THEN NULL ELSE "userId" END AS _t_user_id
    FROM raw_events AS _r
) AS _v
