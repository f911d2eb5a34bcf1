DROP TABLE audit_log;
ALTER TABLE sessions DROP COLUMN impersonated_by;
ALTER TABLE users DROP COLUMN ban_expires;
ALTER TABLE users DROP COLUMN ban_reason;
ALTER TABLE users DROP COLUMN banned;
ALTER TABLE users DROP COLUMN role;
