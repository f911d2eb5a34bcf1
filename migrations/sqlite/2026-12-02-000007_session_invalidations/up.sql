-- Session cache invalidations for instances that share one SQLite file: a write that ends or
-- changes a session or a user records its key ("s:<token hash>" or "u:<user id>") with the time
-- in epoch milliseconds, and every instance reads the rows since its last look (every 200 ms) and
-- drops those keys from its cache. PostgreSQL sends the same keys with NOTIFY and leaves this
-- table empty; it exists on both backends so they keep one schema.
CREATE TABLE session_invalidations (
    at BIGINT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (at, key)
);
