-- What an OAuth / OpenID Connect provider gave at sign-in, on the user's account with it. The
-- tokens are sealed (XChaCha20-Poly1305 with a key derived from the secret, bound to the row's
-- id): a dump of this table gives nobody access to the users' provider accounts. MEDIUMTEXT: a
-- sealed ID token may be longer than TEXT's 64 KiB.
ALTER TABLE accounts ADD COLUMN access_token MEDIUMTEXT;
ALTER TABLE accounts ADD COLUMN refresh_token MEDIUMTEXT;
ALTER TABLE accounts ADD COLUMN id_token MEDIUMTEXT;
ALTER TABLE accounts ADD COLUMN access_token_expires_at DATETIME(6);
ALTER TABLE accounts ADD COLUMN scope TEXT;

-- An OAuth sign-in in progress is a verification row of purpose `oauth-state`, keyed by the hash
-- of its `state`: single use, ten minutes. `payload` holds what the callback needs (the PKCE
-- verifier, the nonce, where to go), as JSON.
ALTER TABLE verifications ADD COLUMN payload MEDIUMTEXT;
