DROP TABLE audit_log;
ALTER TABLE sessions DROP COLUMN impersonated_by;
DROP INDEX users_created_at_idx ON users;
ALTER TABLE users DROP COLUMN ban_expires;
ALTER TABLE users DROP COLUMN ban_reason;
ALTER TABLE users DROP COLUMN banned;
ALTER TABLE users DROP COLUMN role;
