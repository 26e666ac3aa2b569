-- The table the pipeline lock is taken on (it holds no rows). Created outside any transaction.
CREATE TABLE IF NOT EXISTS music_analytics_lock (holder VARCHAR(256)) DISTSTYLE ALL
