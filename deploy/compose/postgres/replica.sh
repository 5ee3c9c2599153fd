#!/bin/bash
# The streaming replica (infrastructure.yml): on an empty volume, a copy of the primary taken with pg_basebackup
# through a replication slot of its own (the primary keeps the WAL the replica has not received yet), then a hot
# standby on port 5433 that follows it. Runs as the postgres user, in the primary's network namespace.
set -euo pipefail
: "${PGDATA:?}" "${SCALARHUB_REPLICATION_PASSWORD:?}"
export PGPASSWORD=$SCALARHUB_REPLICATION_PASSWORD

if [[ ! -s $PGDATA/PG_VERSION ]]; then
    # compose starts this once the primary's health check passes; a deadline rather than a wait without end in case
    # the primary's first start is still settling
    deadline=$((SECONDS + 120))
    until pg_isready -q -h 127.0.0.1 -p 5432 -U replicator -d postgres; do
        ((SECONDS < deadline)) || { echo "no primary on 127.0.0.1:5432 after 120 s" >&2; exit 1; }
        sleep 1
    done
    mkdir -p "$PGDATA" && chmod 0700 "$PGDATA"
    # -R writes primary_conninfo and standby.signal; -C -S creates the slot (once: a second clone of an existing
    # slot would fail, and a volume that already has data never gets here)
    pg_basebackup -h 127.0.0.1 -p 5432 -U replicator -D "$PGDATA" -X stream -R -C -S replica1 --checkpoint=fast
fi
exec postgres -D "$PGDATA" -p 5433 -c hot_standby=on
