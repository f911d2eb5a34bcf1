-- JWT sessions get a row too (the registry): no token is stored for them, so `token_hash` becomes
-- optional. A user can then list and revoke every session, in both strategies, from this one
-- table.
ALTER TABLE sessions ALTER COLUMN token_hash DROP NOT NULL;
