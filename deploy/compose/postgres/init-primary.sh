#!/bin/bash
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d), as deploy/local/infra.sh
# does for the local cluster: the apps' role and databases, and what the streaming replica connects with.
# SCALARHUB_DATABASES is generated from deploy/suite.yml into suite.yml; the passwords come from .env.
set -euo pipefail
: "${SCALARHUB_DATABASES:?no databases (suite.yml sets SCALARHUB_DATABASES)}"
: "${SCALARHUB_DB_PASSWORD:?}" "${SCALARHUB_REPLICATION_PASSWORD:?}"

# psql variables (:'name') quote the passwords, whatever characters they hold
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
    -v app_password="$SCALARHUB_DB_PASSWORD" -v replication_password="$SCALARHUB_REPLICATION_PASSWORD" <<'SQL'
create role scalarhub login createdb password :'app_password';
create role replicator login replication password :'replication_password';
SQL
for db in $SCALARHUB_DATABASES; do
    [[ $db =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "invalid database name '$db'" >&2; exit 1; }
    psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -c "create database $db owner scalarhub"
done

# the image's pg_hba.conf lets any host into any database with a password, but "all" does not cover replication
echo 'host replication replicator all scram-sha-256' >>"$PGDATA/pg_hba.conf"
