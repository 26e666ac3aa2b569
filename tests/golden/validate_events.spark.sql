-- generated from music_analytics.contract.EVENTS (spark); do not edit by hand
SELECT
    source_file,
    record_position,
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
    `artist` IS NULL AND `auth` IS NULL AND `firstName` IS NULL AND `gender` IS NULL AND `itemInSession` IS NULL AND `lastName` IS NULL AND `length` IS NULL AND `level` IS NULL AND `location` IS NULL AND `method` IS NULL AND `page` IS NULL AND `registration` IS NULL AND `sessionId` IS NULL AND `song` IS NULL AND `status` IS NULL AND `ts` IS NULL AND `userAgent` IS NULL AND `userId` IS NULL AS unparsed,
    CASE
        WHEN `itemInSession` IN ('NaN', 'Infinity', '-Infinity') THEN 'not_json'
        WHEN `length` IN ('NaN', 'Infinity', '-Infinity') THEN 'not_json'
        WHEN `registration` IN ('NaN', 'Infinity', '-Infinity') THEN 'not_json'
        WHEN `sessionId` IN ('NaN', 'Infinity', '-Infinity') THEN 'not_json'
        WHEN `status` IN ('NaN', 'Infinity', '-Infinity') THEN 'not_json'
        WHEN `ts` IN ('NaN', 'Infinity', '-Infinity') THEN 'not_json'
        WHEN `ts` IS NULL THEN 'missing_ts'
        WHEN _t_ts IS NULL OR _t_ts NOT BETWEEN 946684800000 AND 4102444800000 THEN 'invalid_ts'
        WHEN `auth` IS NULL OR _t_auth = '' THEN 'missing_field'
        WHEN `itemInSession` IS NULL THEN 'missing_field'
        WHEN `level` IS NULL OR _t_level = '' THEN 'missing_field'
        WHEN `page` IS NULL OR _t_page = '' THEN 'missing_field'
        WHEN `sessionId` IS NULL THEN 'missing_field'
        WHEN `userId` IS NULL THEN 'missing_field'
        WHEN _t_item_in_session IS NULL AND abs(TRY_CAST(`itemInSession` AS DOUBLE)) >= 9.223372036854775807e18 THEN 'out_of_range'
        WHEN _t_session_id IS NULL AND abs(TRY_CAST(`sessionId` AS DOUBLE)) >= 9.223372036854775807e18 THEN 'out_of_range'
        WHEN _t_status IS NULL AND abs(TRY_CAST(`status` AS DOUBLE)) >= 9.223372036854775807e18 THEN 'out_of_range'
        WHEN `itemInSession` IS NOT NULL AND _t_item_in_session IS NULL THEN 'invalid_type'
        WHEN `length` IS NOT NULL AND _t_length IS NULL THEN 'invalid_type'
        WHEN `registration` IS NOT NULL AND _t_registration IS NULL THEN 'invalid_type'
        WHEN `sessionId` IS NOT NULL AND _t_session_id IS NULL THEN 'invalid_type'
        WHEN `status` IS NOT NULL AND _t_status IS NULL THEN 'invalid_type'
        WHEN contains(_t_artist, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_artist) > 1024 THEN 'too_long'
        WHEN contains(_t_auth, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_auth) > 32 THEN 'too_long'
        WHEN contains(_t_first_name, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_first_name) > 256 THEN 'too_long'
        WHEN contains(_t_gender, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_gender) > 16 THEN 'too_long'
        WHEN _t_item_in_session NOT BETWEEN -2147483648 AND 2147483647 THEN 'out_of_range'
        WHEN contains(_t_last_name, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_last_name) > 256 THEN 'too_long'
        WHEN abs(_t_length) > 1.7976931348623157e308 THEN 'out_of_range'
        WHEN contains(_t_level, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_level) > 16 THEN 'too_long'
        WHEN contains(_t_location, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_location) > 1024 THEN 'too_long'
        WHEN contains(_t_method, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_method) > 8 THEN 'too_long'
        WHEN contains(_t_page, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_page) > 64 THEN 'too_long'
        WHEN _t_registration NOT BETWEEN -62135596800000 AND 253402300799999 THEN 'out_of_range'
        WHEN contains(_t_song, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_song) > 1024 THEN 'too_long'
        WHEN _t_status NOT BETWEEN -2147483648 AND 2147483647 THEN 'out_of_range'
        WHEN contains(_t_user_agent, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_user_agent) > 1024 THEN 'too_long'
        WHEN contains(_t_user_id, chr(0)) THEN 'invalid_text'
        WHEN octet_length(_t_user_id) > 64 THEN 'too_long'
        WHEN _t_page = 'NextSong' AND (_t_song IS NULL OR _t_song = '') THEN 'incomplete_play'
        WHEN _t_page = 'NextSong' AND (_t_artist IS NULL OR _t_artist = '') THEN 'incomplete_play'
        WHEN _t_page = 'NextSong' AND (_t_length IS NULL OR _t_length <= 0) THEN 'incomplete_play'
        WHEN _t_auth IS NOT NULL AND (_t_auth NOT IN ('Cancelled', 'Guest', 'Logged In', 'Logged Out')) THEN 'invalid_value'
        WHEN _t_gender IS NOT NULL AND (_t_gender NOT IN ('F', 'M')) THEN 'invalid_value'
        WHEN _t_item_in_session IS NOT NULL AND (_t_item_in_session < 0) THEN 'invalid_value'
        WHEN _t_length IS NOT NULL AND (_t_length <= 0 OR _t_length > 86400) THEN 'invalid_value'
        WHEN _t_level IS NOT NULL AND (_t_level NOT IN ('free', 'paid')) THEN 'invalid_value'
        WHEN _t_method IS NOT NULL AND (_t_method NOT IN ('GET', 'PUT')) THEN 'invalid_value'
        WHEN _t_page IS NOT NULL AND (_t_page NOT IN ('About', 'Add Friend', 'Add to Playlist', 'Cancel', 'Cancellation Confirmation', 'Downgrade', 'Error', 'Help', 'Home', 'Login', 'Logout', 'NextSong', 'Register', 'Roll Advert', 'Save Settings', 'Settings', 'Submit Downgrade', 'Submit Registration', 'Submit Upgrade', 'Thumbs Down', 'Thumbs Up', 'Upgrade')) THEN 'invalid_value'
        WHEN _t_session_id IS NOT NULL AND (_t_session_id < 0) THEN 'invalid_value'
        WHEN _t_status IS NOT NULL AND (_t_status NOT IN (200, 307, 404)) THEN 'invalid_value'
    END AS reject_reason,
    CASE
        WHEN `itemInSession` IN ('NaN', 'Infinity', '-Infinity') THEN NULL
        WHEN `length` IN ('NaN', 'Infinity', '-Infinity') THEN NULL
        WHEN `registration` IN ('NaN', 'Infinity', '-Infinity') THEN NULL
        WHEN `sessionId` IN ('NaN', 'Infinity', '-Infinity') THEN NULL
        WHEN `status` IN ('NaN', 'Infinity', '-Infinity') THEN NULL
        WHEN `ts` IN ('NaN', 'Infinity', '-Infinity') THEN NULL
        WHEN `ts` IS NULL THEN 'ts'
        WHEN _t_ts IS NULL OR _t_ts NOT BETWEEN 946684800000 AND 4102444800000 THEN 'ts'
        WHEN `auth` IS NULL OR _t_auth = '' THEN 'auth'
        WHEN `itemInSession` IS NULL THEN 'itemInSession'
        WHEN `level` IS NULL OR _t_level = '' THEN 'level'
        WHEN `page` IS NULL OR _t_page = '' THEN 'page'
        WHEN `sessionId` IS NULL THEN 'sessionId'
        WHEN `userId` IS NULL THEN 'userId'
        WHEN _t_item_in_session IS NULL AND abs(TRY_CAST(`itemInSession` AS DOUBLE)) >= 9.223372036854775807e18 THEN 'itemInSession'
        WHEN _t_session_id IS NULL AND abs(TRY_CAST(`sessionId` AS DOUBLE)) >= 9.223372036854775807e18 THEN 'sessionId'
        WHEN _t_status IS NULL AND abs(TRY_CAST(`status` AS DOUBLE)) >= 9.223372036854775807e18 THEN 'status'
        WHEN `itemInSession` IS NOT NULL AND _t_item_in_session IS NULL THEN 'itemInSession'
        WHEN `length` IS NOT NULL AND _t_length IS NULL THEN 'length'
        WHEN `registration` IS NOT NULL AND _t_registration IS NULL THEN 'registration'
        WHEN `sessionId` IS NOT NULL AND _t_session_id IS NULL THEN 'sessionId'
        WHEN `status` IS NOT NULL AND _t_status IS NULL THEN 'status'
        WHEN contains(_t_artist, chr(0)) THEN 'artist'
        WHEN octet_length(_t_artist) > 1024 THEN 'artist'
        WHEN contains(_t_auth, chr(0)) THEN 'auth'
        WHEN octet_length(_t_auth) > 32 THEN 'auth'
        WHEN contains(_t_first_name, chr(0)) THEN 'firstName'
        WHEN octet_length(_t_first_name) > 256 THEN 'firstName'
        WHEN contains(_t_gender, chr(0)) THEN 'gender'
        WHEN octet_length(_t_gender) > 16 THEN 'gender'
        WHEN _t_item_in_session NOT BETWEEN -2147483648 AND 2147483647 THEN 'itemInSession'
        WHEN contains(_t_last_name, chr(0)) THEN 'lastName'
        WHEN octet_length(_t_last_name) > 256 THEN 'lastName'
        WHEN abs(_t_length) > 1.7976931348623157e308 THEN 'length'
        WHEN contains(_t_level, chr(0)) THEN 'level'
        WHEN octet_length(_t_level) > 16 THEN 'level'
        WHEN contains(_t_location, chr(0)) THEN 'location'
        WHEN octet_length(_t_location) > 1024 THEN 'location'
        WHEN contains(_t_method, chr(0)) THEN 'method'
        WHEN octet_length(_t_method) > 8 THEN 'method'
        WHEN contains(_t_page, chr(0)) THEN 'page'
        WHEN octet_length(_t_page) > 64 THEN 'page'
        WHEN _t_registration NOT BETWEEN -62135596800000 AND 253402300799999 THEN 'registration'
        WHEN contains(_t_song, chr(0)) THEN 'song'
        WHEN octet_length(_t_song) > 1024 THEN 'song'
        WHEN _t_status NOT BETWEEN -2147483648 AND 2147483647 THEN 'status'
        WHEN contains(_t_user_agent, chr(0)) THEN 'userAgent'
        WHEN octet_length(_t_user_agent) > 1024 THEN 'userAgent'
        WHEN contains(_t_user_id, chr(0)) THEN 'userId'
        WHEN octet_length(_t_user_id) > 64 THEN 'userId'
        WHEN _t_page = 'NextSong' AND (_t_song IS NULL OR _t_song = '') THEN 'song'
        WHEN _t_page = 'NextSong' AND (_t_artist IS NULL OR _t_artist = '') THEN 'artist'
        WHEN _t_page = 'NextSong' AND (_t_length IS NULL OR _t_length <= 0) THEN 'length'
        WHEN _t_auth IS NOT NULL AND (_t_auth NOT IN ('Cancelled', 'Guest', 'Logged In', 'Logged Out')) THEN 'auth'
        WHEN _t_gender IS NOT NULL AND (_t_gender NOT IN ('F', 'M')) THEN 'gender'
        WHEN _t_item_in_session IS NOT NULL AND (_t_item_in_session < 0) THEN 'itemInSession'
        WHEN _t_length IS NOT NULL AND (_t_length <= 0 OR _t_length > 86400) THEN 'length'
        WHEN _t_level IS NOT NULL AND (_t_level NOT IN ('free', 'paid')) THEN 'level'
        WHEN _t_method IS NOT NULL AND (_t_method NOT IN ('GET', 'PUT')) THEN 'method'
        WHEN _t_page IS NOT NULL AND (_t_page NOT IN ('About', 'Add Friend', 'Add to Playlist', 'Cancel', 'Cancellation Confirmation', 'Downgrade', 'Error', 'Help', 'Home', 'Login', 'Logout', 'NextSong', 'Register', 'Roll Advert', 'Save Settings', 'Settings', 'Submit Downgrade', 'Submit Registration', 'Submit Upgrade', 'Thumbs Down', 'Thumbs Up', 'Upgrade')) THEN 'page'
        WHEN _t_session_id IS NOT NULL AND (_t_session_id < 0) THEN 'sessionId'
        WHEN _t_status IS NOT NULL AND (_t_status NOT IN (200, 307, 404)) THEN 'status'
    END AS reject_detail
FROM (
    SELECT
        _r.*,
        `artist` AS _t_artist,
        `auth` AS _t_auth,
        `firstName` AS _t_first_name,
        `gender` AS _t_gender,
        CASE WHEN NOT contains(`itemInSession`, '.') AND NOT contains(`itemInSession`, 'e') AND NOT contains(`itemInSession`, 'E') THEN TRY_CAST(`itemInSession` AS BIGINT) WHEN TRY_CAST(`itemInSession` AS DOUBLE) = TRY_CAST(TRY_CAST(`itemInSession` AS DOUBLE) AS BIGINT) THEN TRY_CAST(TRY_CAST(`itemInSession` AS DOUBLE) AS BIGINT) END AS _t_item_in_session,
        `lastName` AS _t_last_name,
        TRY_CAST(`length` AS DOUBLE) AS _t_length,
        `level` AS _t_level,
        `location` AS _t_location,
        `method` AS _t_method,
        `page` AS _t_page,
        TRY_CAST(`registration` AS DOUBLE) AS _t_registration,
        CASE WHEN NOT contains(`sessionId`, '.') AND NOT contains(`sessionId`, 'e') AND NOT contains(`sessionId`, 'E') THEN TRY_CAST(`sessionId` AS BIGINT) WHEN TRY_CAST(`sessionId` AS DOUBLE) = TRY_CAST(TRY_CAST(`sessionId` AS DOUBLE) AS BIGINT) THEN TRY_CAST(TRY_CAST(`sessionId` AS DOUBLE) AS BIGINT) END AS _t_session_id,
        `song` AS _t_song,
        CASE WHEN NOT contains(`status`, '.') AND NOT contains(`status`, 'e') AND NOT contains(`status`, 'E') THEN TRY_CAST(`status` AS BIGINT) WHEN TRY_CAST(`status` AS DOUBLE) = TRY_CAST(TRY_CAST(`status` AS DOUBLE) AS BIGINT) THEN TRY_CAST(TRY_CAST(`status` AS DOUBLE) AS BIGINT) END AS _t_status,
        CASE WHEN NOT contains(`ts`, '.') AND NOT contains(`ts`, 'e') AND NOT contains(`ts`, 'E') THEN TRY_CAST(`ts` AS BIGINT) WHEN TRY_CAST(`ts` AS DOUBLE) = TRY_CAST(TRY_CAST(`ts` AS DOUBLE) AS BIGINT) THEN TRY_CAST(TRY_CAST(`ts` AS DOUBLE) AS BIGINT) END AS _t_ts,
        `userAgent` AS _t_user_agent,
        `userId` AS _t_user_id
    FROM raw_events AS _r
) AS _v
