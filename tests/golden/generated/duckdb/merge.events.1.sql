UPDATE "events" AS t
SET "start_time" = s."start_time", "ts" = s."ts", "user_id" = NULLIF(s.user_id, ''), "session_id" = s."session_id", "item_in_session" = s."item_in_session", "page" = s."page", "auth" = s."auth", "level" = s."level", "method" = s."method", "status" = s."status", "location" = s."location", "user_agent" = s."user_agent", "registration_time" = s."registration_time", "song" = s."song", "artist" = s."artist", "length" = s."length"
FROM "staging"."events" AS s
WHERE t."event_id" = s."event_id"
  AND (t."start_time" IS DISTINCT FROM s."start_time"
       OR t."ts" IS DISTINCT FROM s."ts"
       OR t."user_id" IS DISTINCT FROM NULLIF(s.user_id, '')
       OR t."session_id" IS DISTINCT FROM s."session_id"
       OR t."item_in_session" IS DISTINCT FROM s."item_in_session"
       OR t."page" IS DISTINCT FROM s."page"
       OR t."auth" IS DISTINCT FROM s."auth"
       OR t."level" IS DISTINCT FROM s."level"
       OR t."method" IS DISTINCT FROM s."method"
       OR t."status" IS DISTINCT FROM s."status"
       OR t."location" IS DISTINCT FROM s."location"
       OR t."user_agent" IS DISTINCT FROM s."user_agent"
       OR t."registration_time" IS DISTINCT FROM s."registration_time"
       OR t."song" IS DISTINCT FROM s."song"
       OR t."artist" IS DISTINCT FROM s."artist"
       OR t."length" IS DISTINCT FROM s."length")
