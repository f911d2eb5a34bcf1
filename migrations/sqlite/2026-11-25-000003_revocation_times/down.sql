DROP INDEX revoked_sessions_revoked_at_idx;
ALTER TABLE revoked_sessions DROP COLUMN revoked_at;
