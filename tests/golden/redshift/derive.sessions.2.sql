INSERT INTO sessions (
    user_id, session_id, start_time, end_time, minutes, plays, skips, pages, level_at_start, user_agent,
    location, time_zone, time_zone_known, local_start_time
)
SELECT
    g.user_id,
    g.session_id,
    g.start_time,
    g.start_time + CAST(FLOOR(g.span_ms) AS BIGINT) * INTERVAL '1 millisecond' AS end_time,
    g.span_ms / 60000.0 AS minutes,
    g.plays,
    g.skips,
    g.pages,
    f.level AS level_at_start,
    f.user_agent,
    f.location,
    COALESCE(z.time_zone, 'UTC') AS time_zone,
    z.time_zone IS NOT NULL AS time_zone_known,
    (g.start_time AT TIME ZONE 'UTC') AT TIME ZONE COALESCE(z.time_zone, 'UTC') AS local_start_time
FROM (
    SELECT
        o.user_id,
        o.session_id,
        MIN(o.start_time) AS start_time,
        MAX(CASE WHEN o.page = 'NextSong' THEN o.ts + o.length * 1000 ELSE o.ts END) - MIN(o.ts) AS span_ms,
        COUNT(CASE WHEN o.page = 'NextSong' THEN 1 END) AS plays,
        COUNT(CASE WHEN k.skipped THEN 1 END) AS skips,
        COUNT(*) AS pages,
        MAX(CASE WHEN o.event_number = 1 THEN o.event_id END) AS first_event_id
    FROM (
        SELECT e.event_id, e.user_id, e.session_id, e.start_time, e.ts, e.page, e.length,
               ROW_NUMBER() OVER (PARTITION BY e.session_id, e.user_id ORDER BY e.ts, e.item_in_session) AS event_number
        FROM events AS e
        WHERE EXISTS (SELECT 1 FROM staging.events AS s WHERE s.user_id = e.user_id AND s.session_id = e.session_id)
    ) AS o
    LEFT JOIN play_skips AS k ON k.songplay_id = o.event_id
    GROUP BY o.user_id, o.session_id
) AS g
JOIN events AS f ON f.event_id = g.first_event_id
LEFT JOIN state_time_zones AS z ON z.state = SPLIT_PART(SPLIT_PART(f.location, ', ', 2), '-', 1)
