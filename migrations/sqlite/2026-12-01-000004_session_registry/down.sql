-- Registry rows (JWT sessions) have no token: they go, and `token_hash` is required again.
DELETE FROM sessions WHERE token_hash IS NULL;
CREATE TABLE sessions_old (
    id         TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL CONSTRAINT sessions_token_hash_key UNIQUE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL,
    ip_address TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO sessions_old SELECT id, token_hash, user_id, expires_at, ip_address, user_agent,
    created_at, updated_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_old RENAME TO sessions;
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
