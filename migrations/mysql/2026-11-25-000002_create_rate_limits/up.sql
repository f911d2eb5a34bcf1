-- Abuse-limit counters: one row per key (client address + route, or a sign-in identifier), with a
-- fixed window. They live in the database so every instance sharing it shares the limits. The one
-- statement that touches them is an atomic upsert (src/db/rate_limits.rs). Window starts are
-- epoch milliseconds: plain integers compare the same way on every backend. (`key` is a reserved
-- word in MySQL: quoted.)
CREATE TABLE rate_limits (
    `key`        VARCHAR(512) NOT NULL PRIMARY KEY,
    count        INTEGER NOT NULL,
    window_start BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX rate_limits_window_start_idx ON rate_limits (window_start);
