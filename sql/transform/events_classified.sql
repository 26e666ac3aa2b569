-- Every raw event record with its verdict: reject_reason NULL means accepted.
-- Adds the rules that span fields or records: a play needs song, artist and a positive length;
-- the first read (by file, line) of a natural key wins, later copies are duplicate_event.
WITH checked AS (
    SELECT
        *,
        CASE
            WHEN reject_reason IS NOT NULL THEN reject_reason
            WHEN page = 'NextSong' AND (song IS NULL OR song = '' OR artist IS NULL OR artist = ''
                                        OR length IS NULL OR length <= 0) THEN 'incomplete_play'
        END AS pre_reason,
        CASE
            WHEN reject_reason IS NOT NULL THEN reject_detail
            WHEN page = 'NextSong' AND (song IS NULL OR song = '') THEN 'song'
            WHEN page = 'NextSong' AND (artist IS NULL OR artist = '') THEN 'artist'
            WHEN page = 'NextSong' AND (length IS NULL OR length <= 0) THEN 'length'
        END AS pre_detail
    FROM events_checked
),
ranked AS (
    SELECT
        *,
        ROW_NUMBER() OVER (
            PARTITION BY pre_reason IS NULL, user_id, session_id, item_in_session, ts
            ORDER BY source_file, line_number
        ) AS key_rank
    FROM checked
)
SELECT
    source_file,
    line_number,
    artist,
    auth,
    first_name,
    gender,
    item_in_session,
    last_name,
    length,
    level,
    location,
    method,
    page,
    registration,
    session_id,
    song,
    status,
    ts,
    user_agent,
    user_id,
    CASE WHEN pre_reason IS NULL AND key_rank > 1 THEN 'duplicate_event' ELSE pre_reason END AS reject_reason,
    CASE WHEN pre_reason IS NULL AND key_rank > 1 THEN 'userId,sessionId,itemInSession,ts' ELSE pre_detail END
        AS reject_detail
FROM ranked
