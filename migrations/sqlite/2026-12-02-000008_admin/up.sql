-- Administration (GATEHOUSE_ADMIN, `gatehouse user`). The columns exist whatever the switch says;
-- the switch decides only what the API serves.
-- `role`: "user" or "admin", several comma-joined ("user,admin"), as Better Auth's admin plugin
-- stores them. A ban is enforced whenever a session is created; `ban_expires` NULL is for ever.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'user';
ALTER TABLE users ADD COLUMN banned BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN ban_reason TEXT;
ALTER TABLE users ADD COLUMN ban_expires TIMESTAMP;
-- Listings page through users newest first.
CREATE INDEX users_created_at_idx ON users (created_at, id);

-- The admin's user id on a session an admin started as someone else (impersonation).
ALTER TABLE sessions ADD COLUMN impersonated_by TEXT;

-- Every administrative action, from the API or the command line, written in the transaction
-- that does it. No foreign keys: the record outlives the users it names. `actor` is the admin's
-- email, or "cli:<operating-system user>"; `target` the target user's email at the time;
-- `detail` what changed (never a password, a hash or a token).
CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY NOT NULL,
    at         TIMESTAMP NOT NULL,
    actor_id   TEXT,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target_id  TEXT,
    target     TEXT,
    ip_address TEXT NOT NULL,
    detail     TEXT
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_target_id_idx ON audit_log (target_id, at);
