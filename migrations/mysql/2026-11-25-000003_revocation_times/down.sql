DROP INDEX revoked_sessions_revoked_at_idx ON revoked_sessions;
ALTER TABLE revoked_sessions DROP COLUMN revoked_at;
