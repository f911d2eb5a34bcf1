ALTER TABLE verifications DROP COLUMN payload;
ALTER TABLE accounts DROP COLUMN scope;
ALTER TABLE accounts DROP COLUMN access_token_expires_at;
ALTER TABLE accounts DROP COLUMN id_token;
ALTER TABLE accounts DROP COLUMN refresh_token;
ALTER TABLE accounts DROP COLUMN access_token;
