DROP TABLE revoked_sessions;
DROP TABLE sessions;
DROP TABLE accounts;
DROP TABLE users;
