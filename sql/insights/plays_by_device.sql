-- Listening by device: browser and operating system parsed from the user agent (first rule wins).
WITH plays AS (
    SELECT
        user_id,
        CASE WHEN user_agent IS NULL THEN 'unknown'
             WHEN user_agent LIKE '%Edge/%' THEN 'Edge'
             WHEN user_agent LIKE '%OPR/%' OR user_agent LIKE '%Opera%' THEN 'Opera'
             WHEN user_agent LIKE '%Chrome/%' OR user_agent LIKE '%CriOS%' THEN 'Chrome'
             WHEN user_agent LIKE '%Firefox/%' THEN 'Firefox'
             WHEN user_agent LIKE '%Safari/%' THEN 'Safari'
             WHEN user_agent LIKE '%Trident/%' OR user_agent LIKE '%MSIE %' THEN 'Internet Explorer'
             ELSE 'Other' END AS browser,
        CASE WHEN user_agent IS NULL THEN 'unknown'
             WHEN user_agent LIKE '%Windows%' THEN 'Windows'
             WHEN user_agent LIKE '%Android%' THEN 'Android'
             WHEN user_agent LIKE '%iPhone%' OR user_agent LIKE '%iPad%' THEN 'iOS'
             WHEN user_agent LIKE '%Macintosh%' THEN 'macOS'
             WHEN user_agent LIKE '%CrOS%' THEN 'Chrome OS'
             WHEN user_agent LIKE '%Linux%' THEN 'Linux'
             ELSE 'Other' END AS os
    FROM events
    WHERE page = 'NextSong' AND user_id IS NOT NULL
      AND start_time >= {{start}} AND start_time < {{end}}
)
SELECT browser, os, COUNT(DISTINCT user_id) AS listeners, COUNT(*) AS plays
FROM plays
GROUP BY browser, os
ORDER BY plays DESC, browser, os
