-- Administration (GATEHOUSE_ADMIN, `gatehouse user`). The columns exist whatever the switch says;
-- the switch decides only what the API serves.
-- `role`: "user" or "admin", several comma-joined ("user,admin"), as Better Auth's admin plugin
-- stores them (a VARCHAR: MySQL gives no TEXT column a literal default). A ban is enforced
-- whenever a session is created; `ban_expires` NULL is for ever.
ALTER TABLE users ADD COLUMN role VARCHAR(255) NOT NULL DEFAULT 'user';
ALTER TABLE users ADD COLUMN banned BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN ban_reason TEXT;
ALTER TABLE users ADD COLUMN ban_expires DATETIME(6);
-- Listings page through users newest first.
CREATE INDEX users_created_at_idx ON users (created_at, id);

-- The admin's user id on a session an admin started as someone else (impersonation).
ALTER TABLE sessions ADD COLUMN impersonated_by VARCHAR(255);

-- Every administrative action, from the API or the command line, written in the transaction
-- that does it. No foreign keys: the record outlives the users it names. `actor` is the admin's
-- email, or "cli:<operating-system user>"; `target` the target user's email at the time;
-- `detail` what changed (never a password, a hash or a token).
CREATE TABLE audit_log (
    id         VARCHAR(255) NOT NULL PRIMARY KEY,
    at         DATETIME(6) NOT NULL,
    actor_id   VARCHAR(255),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target_id  VARCHAR(255),
    target     TEXT,
    ip_address TEXT NOT NULL,
    detail     TEXT
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_target_id_idx ON audit_log (target_id, at);
