#!/bin/sh
# Run once by the postgres image, on the first start with an empty data volume
# (/docker-entrypoint-initdb.d): business-svc's own database and user next to auth-svc's.
# No database is shared between services, and neither user may connect to the other's.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v pw="$POSTGRES_BUSINESS_PASSWORD" <<'SQL'
CREATE ROLE business LOGIN PASSWORD :'pw';
CREATE DATABASE business OWNER business;
REVOKE CONNECT, TEMPORARY ON DATABASE business FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE auth FROM PUBLIC;
SQL
