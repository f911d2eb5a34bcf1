-- Registry rows (JWT sessions) have no token: they go, and `token_hash` is required again.
DELETE FROM sessions WHERE token_hash IS NULL;
ALTER TABLE sessions MODIFY token_hash VARCHAR(128) NOT NULL;
