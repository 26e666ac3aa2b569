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
-- Duplicates are rare: find the repeated keys with an aggregate, rank only their records.
repeated_keys AS (
    SELECT user_id, session_id, item_in_session, ts
    FROM checked
    WHERE pre_reason IS NULL
    GROUP BY user_id, session_id, item_in_session, ts
    HAVING COUNT(*) > 1
),
later_copies AS (
    SELECT source_file, record_position
    FROM (
        SELECT
            c.source_file,
            c.record_position,
            ROW_NUMBER() OVER (
                PARTITION BY c.user_id, c.session_id, c.item_in_session, c.ts
                ORDER BY c.source_file, c.record_position
            ) AS copy_rank
        FROM checked AS c
        JOIN repeated_keys AS k
          ON c.user_id = k.user_id AND c.session_id = k.session_id
         AND c.item_in_session = k.item_in_session AND c.ts = k.ts
        WHERE c.pre_reason IS NULL
    ) AS ranked
    WHERE copy_rank > 1
)
SELECT
    c.source_file,
    c.record_position,
    c.artist,
    c.auth,
    c.first_name,
    c.gender,
    c.item_in_session,
    c.last_name,
    c.length,
    c.level,
    c.location,
    c.method,
    c.page,
    c.registration,
    c.session_id,
    c.song,
    c.status,
    c.ts,
    c.user_agent,
    c.user_id,
    CASE WHEN d.record_position IS NOT NULL THEN 'duplicate_event' ELSE c.pre_reason END AS reject_reason,
    CASE WHEN d.record_position IS NOT NULL THEN 'userId,sessionId,itemInSession,ts' ELSE c.pre_detail END
        AS reject_detail
FROM checked AS c
LEFT JOIN later_copies AS d ON c.source_file = d.source_file AND c.record_position = d.record_position
