-- Ending the sessions an admin started as other users (the admin is deleted, banned or no longer
-- an admin) finds them by the admin's id.
CREATE INDEX sessions_impersonated_by_idx ON sessions (impersonated_by);
