-- Mailed tokens (password reset first; email verification, change of email, magic links and
-- delete confirmations use the same table). Only the SHA-256 of a token is stored (hex), with the
-- purpose it was made for: a token is looked up by hash and purpose, so it cannot serve another
-- purpose, and a dump of this table resets nobody's password. `used_at` makes each single use.
CREATE TABLE verifications (
    id         TEXT PRIMARY KEY NOT NULL,
    purpose    TEXT NOT NULL,
    token_hash TEXT NOT NULL CONSTRAINT verifications_token_hash_key UNIQUE,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    new_email  TEXT,
    name       TEXT,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX verifications_user_id_idx ON verifications (user_id);
CREATE INDEX verifications_expires_at_idx ON verifications (expires_at);
