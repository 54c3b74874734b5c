-- Run once by the postgres image on an empty volume (docker-entrypoint-initdb.d), as POSTGRES_USER.
-- One database per part: no part can reach another's tables by accident.
CREATE DATABASE gateway;
CREATE DATABASE goals;
CREATE DATABASE tasks;
CREATE DATABASE metrics;
