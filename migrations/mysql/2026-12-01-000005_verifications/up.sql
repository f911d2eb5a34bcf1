-- Mailed tokens (password reset first; email verification, change of email, magic links and
-- delete confirmations use the same table). Only the SHA-256 of a token is stored (hex), with the
-- purpose it was made for: a token is looked up by hash and purpose, so it cannot serve another
-- purpose, and a dump of this table resets nobody's password. `used_at` makes each single use.
CREATE TABLE verifications (
    id         VARCHAR(255) NOT NULL PRIMARY KEY,
    purpose    TEXT NOT NULL,
    token_hash VARCHAR(128) NOT NULL,
    user_id    VARCHAR(255),
    email      TEXT NOT NULL,
    new_email  TEXT,
    name       TEXT,
    expires_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    used_at    DATETIME(6),
    CONSTRAINT verifications_token_hash_key UNIQUE (token_hash),
    CONSTRAINT verifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX verifications_user_id_idx ON verifications (user_id);
CREATE INDEX verifications_expires_at_idx ON verifications (expires_at);
