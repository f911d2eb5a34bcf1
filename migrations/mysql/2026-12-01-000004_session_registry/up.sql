-- JWT sessions get a row too (the registry): no token is stored for them, so `token_hash` becomes
-- optional. A user can then list and revoke every session, in both strategies, from this one
-- table.
ALTER TABLE sessions MODIFY token_hash VARCHAR(128) NULL;
