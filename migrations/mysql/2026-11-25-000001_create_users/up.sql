-- Users, their password credentials, database sessions and the JWT deny-list: the MySQL and
-- MariaDB mirror of migrations/postgres, with the same tables, columns and constraints.
-- Every table is InnoDB in utf8mb4 with the binary collation: text compares byte for byte, as on
-- PostgreSQL and SQLite, so tokens and ids never match a differently accented or cased value.
-- Emails and usernames are lower-cased by the application before they get here, and the CHECK
-- constraints make sure no code path forgets: a unique index on the plain column is then the same
-- case-insensitive uniqueness rule as on the other backends.
-- Columns that are indexed are VARCHARs sized for what the application lets in (InnoDB indexes
-- at most 3072 bytes, 768 utf8mb4 characters); the others are TEXT. Times are DATETIME(6), UTC.

CREATE TABLE users (
    id               VARCHAR(255) NOT NULL PRIMARY KEY,
    name             TEXT NOT NULL,
    email            VARCHAR(254) NOT NULL,
    email_verified   BOOLEAN NOT NULL DEFAULT FALSE,
    image            TEXT,
    username         VARCHAR(255),
    display_username TEXT,
    created_at       DATETIME(6) NOT NULL,
    updated_at       DATETIME(6) NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_email_lower CHECK (email = LOWER(email)),
    CONSTRAINT users_username_lower CHECK (username = LOWER(username))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One row per way of signing in; provider 'credential' holds the bcrypt hash (as Better Auth's
-- "account" table does), so other providers can be added without touching users.
CREATE TABLE accounts (
    id            VARCHAR(255) NOT NULL PRIMARY KEY,
    user_id       VARCHAR(255) NOT NULL,
    provider_id   VARCHAR(255) NOT NULL,
    account_id    VARCHAR(255) NOT NULL,
    password_hash TEXT,
    created_at    DATETIME(6) NOT NULL,
    updated_at    DATETIME(6) NOT NULL,
    CONSTRAINT accounts_provider_account_key UNIQUE (provider_id, account_id),
    CONSTRAINT accounts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX accounts_user_id_idx ON accounts (user_id);

-- Only the SHA-256 of a session token is stored (hex), so a dump of this table signs nobody in.
CREATE TABLE sessions (
    id         VARCHAR(255) NOT NULL PRIMARY KEY,
    token_hash VARCHAR(128) NOT NULL,
    user_id    VARCHAR(255) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    ip_address TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
    CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- JWT strategy: signed-out session ids, kept until no token of that session can still be valid.
CREATE TABLE revoked_sessions (
    sid        VARCHAR(255) NOT NULL PRIMARY KEY,
    expires_at DATETIME(6) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX revoked_sessions_expires_at_idx ON revoked_sessions (expires_at);
