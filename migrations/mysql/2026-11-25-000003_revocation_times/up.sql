-- When each JWT session was revoked (epoch milliseconds, the revoking instance's clock). Every
-- instance keeps the deny-list in memory and reads only the rows revoked since its last look, so a
-- get-session with a valid JWT touches no table at all.
ALTER TABLE revoked_sessions ADD COLUMN revoked_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX revoked_sessions_revoked_at_idx ON revoked_sessions (revoked_at);
