-- Abuse-limit counters: one row per key (client address + route, or a sign-in identifier), with a
-- fixed window. They live in the database so every instance sharing it shares the limits. The one
-- statement that touches them is an atomic upsert (src/db/rate_limits.rs). Window starts are
-- epoch milliseconds: plain integers compare the same way on every backend.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY NOT NULL,
    count        INTEGER NOT NULL,
    window_start BIGINT NOT NULL
);
CREATE INDEX rate_limits_window_start_idx ON rate_limits (window_start);
