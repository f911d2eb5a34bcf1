DROP INDEX sessions_impersonated_by_idx ON sessions;
