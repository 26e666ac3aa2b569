-- Sessions of the sessions this run touched ({{touched}}), rebuilt from all their events (after
-- play_skips, whose verdicts they count). A session runs from its first event to the end of its last
-- song (a play lasts its length), as the sessions insight measures it; end_time to the millisecond below
-- (FLOOR: ROUND breaks a tie to even on PostgreSQL and away from zero on DuckDB). Level, device, place: the first
-- event's. The time zone: the location's first state code (as plays_by_location parses it) looked up in
-- state_time_zones; no known code: {{unknown_zone}}, time_zone_known false.
DELETE FROM sessions
WHERE EXISTS (
    SELECT 1 FROM {{touched}} AS s WHERE s.user_id = sessions.user_id AND s.session_id = sessions.session_id
);
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
    COALESCE(z.time_zone, {{unknown_zone}}) AS time_zone,
    z.time_zone IS NOT NULL AS time_zone_known,
    (g.start_time AT TIME ZONE 'UTC') AT TIME ZONE COALESCE(z.time_zone, {{unknown_zone}}) AS local_start_time
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
        -- Only narrow columns go through the sort (session_id first, as in play_skips.sql: integers before
        -- text); the first event's user agent and location are joined by its id below.
        SELECT e.event_id, e.user_id, e.session_id, e.start_time, e.ts, e.page, e.length,
               ROW_NUMBER() OVER (PARTITION BY e.session_id, e.user_id ORDER BY e.ts, e.item_in_session) AS event_number
        FROM events AS e
        WHERE EXISTS (SELECT 1 FROM {{touched}} AS s WHERE s.user_id = e.user_id AND s.session_id = e.session_id)
    ) AS o
    LEFT JOIN play_skips AS k ON k.songplay_id = o.event_id
    GROUP BY o.user_id, o.session_id
) AS g
JOIN events AS f ON f.event_id = g.first_event_id
LEFT JOIN state_time_zones AS z ON z.state = SPLIT_PART(SPLIT_PART(f.location, ', ', 2), '-', 1)
