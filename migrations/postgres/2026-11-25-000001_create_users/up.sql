-- Users, their password credentials, database sessions and the JWT deny-list.
-- Ids are 32 random alphanumerics made by the application (portable across backends); times are
-- UTC. Emails and usernames are lower-cased by the application before they get here, and the
-- CHECK constraints make sure no code path forgets: a unique index on the plain column is then a
-- case-insensitive uniqueness rule without collations that differ between backends.

CREATE TABLE users (
    id               TEXT PRIMARY KEY NOT NULL,
    name             TEXT NOT NULL,
    email            TEXT NOT NULL CONSTRAINT users_email_key UNIQUE CHECK (email = lower(email)),
    email_verified   BOOLEAN NOT NULL DEFAULT FALSE,
    image            TEXT,
    username         TEXT CONSTRAINT users_username_key UNIQUE CHECK (username = lower(username)),
    display_username TEXT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- One row per way of signing in; provider 'credential' holds the bcrypt hash (as Better Auth's
-- "account" table does), so other providers can be added without touching users.
CREATE TABLE accounts (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider_id   TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    password_hash TEXT,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    CONSTRAINT accounts_provider_account_key UNIQUE (provider_id, account_id)
);
CREATE INDEX accounts_user_id_idx ON accounts (user_id);

-- Only the SHA-256 of a session token is stored (hex), so a dump of this table signs nobody in.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL CONSTRAINT sessions_token_hash_key UNIQUE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL,
    ip_address TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- JWT strategy: signed-out session ids, kept until no token of that session can still be valid.
CREATE TABLE revoked_sessions (
    sid        TEXT PRIMARY KEY NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX revoked_sessions_expires_at_idx ON revoked_sessions (expires_at);
