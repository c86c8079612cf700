-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d).
-- POSTGRES_DB already created "herald"; the tests use their own database.
CREATE DATABASE herald_test;
