-- JWT sessions get a row too (the registry): no token is stored for them, so `token_hash` becomes
-- optional. A user can then list and revoke every session, in both strategies, from this one
-- table. SQLite cannot drop a NOT NULL constraint in place: the table is rebuilt.
CREATE TABLE sessions_new (
    id         TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT CONSTRAINT sessions_token_hash_key UNIQUE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL,
    ip_address TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO sessions_new SELECT id, token_hash, user_id, expires_at, ip_address, user_agent,
    created_at, updated_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
