DROP TABLE session_invalidations;
