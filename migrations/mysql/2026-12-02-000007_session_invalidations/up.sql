-- Session cache invalidations for instances that share one SQLite file or one MySQL database
-- (MySQL has no NOTIFY): a write that ends or changes a session or a user records its key
-- ("s:<token hash>" or "u:<user id>") with the time in epoch milliseconds (on MySQL the server's
-- clock), and every instance reads the rows since its last look (every 200 ms) and drops those
-- keys from its cache.
CREATE TABLE session_invalidations (
    at    BIGINT NOT NULL,
    `key` VARCHAR(300) NOT NULL,
    PRIMARY KEY (at, `key`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
