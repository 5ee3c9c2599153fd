#!/usr/bin/env bash
# A check of init-primary.sh and replica.sh without Docker (none on the build machines), by hand: as root, with this
# machine's PostgreSQL server binaries, in a private network namespace so that the scripts' fixed 127.0.0.1:5432 and
# :5433 are free. Makes a primary as the postgres image would (scram for hosts, trust on the socket), runs the init
# script on it, clones the replica with replica.sh, then checks the apps' role and databases, a row written on the
# primary read back on the replica, and the replica streaming through its slot. Leaves nothing running.
#
#   sudo deploy/compose/postgres/smoke.sh
set -euo pipefail
if [[ ${1:-} != --in-namespace ]]; then
    ((EUID == 0)) || { echo "run as root (a network namespace of its own, PostgreSQL as the postgres user)" >&2; exit 1; }
    exec unshare --net "$0" --in-namespace
fi
ip link set lo up
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
[[ -x $BIN/initdb ]] || { echo "no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 1; }
export PATH=$BIN:$PATH
DIR=$(mktemp -d /tmp/scalarhub-pg-smoke.XXXXXX)
chown postgres: "$DIR"
as_pg() { runuser -u postgres -- env PATH="$PATH" "$@"; }
stop_all() {
    as_pg pg_ctl -D "$DIR/replica/pgdata" -w stop >/dev/null 2>&1 || true
    as_pg pg_ctl -D "$DIR/primary" -w stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap stop_all EXIT
# wait_for SECONDS CMD...: polls to a deadline
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || { echo "timed out: $*" >&2; return 1; }
        sleep 0.2
    done
}
# passwords with quotes, spaces and a dollar: the scripts must quote them
export SCALARHUB_DATABASES="auth customer" SCALARHUB_DB_PASSWORD="it's a pass" SCALARHUB_REPLICATION_PASSWORD='r"e$pl'

as_pg initdb -D "$DIR/primary" -U postgres --auth-host=scram-sha-256 --auth-local=trust >/dev/null
echo "host all all all scram-sha-256" >>"$DIR/primary/pg_hba.conf"
# the image's initialisation: a server on the socket only, the init scripts, then the real start
as_pg pg_ctl -D "$DIR/primary" -o "-c listen_addresses='' -c unix_socket_directories=$DIR -p 5432" -w start >/dev/null
as_pg env PGDATA="$DIR/primary" POSTGRES_USER=postgres PGHOST="$DIR" PGPORT=5432 bash "$HERE/init-primary.sh" >/dev/null
as_pg pg_ctl -D "$DIR/primary" -w stop >/dev/null
as_pg pg_ctl -D "$DIR/primary" -o "-c listen_addresses='*' -c unix_socket_directories=$DIR -p 5432" -w start >/dev/null

as_pg env PGDATA="$DIR/replica/pgdata" bash "$HERE/replica.sh" >"$DIR/replica.log" 2>&1 &
wait_for 60 pg_isready -h 127.0.0.1 -p 5433 || { cat "$DIR/replica.log" >&2; exit 1; }

app() { PGPASSWORD=$SCALARHUB_DB_PASSWORD psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -U scalarhub -d customer "$@"; }
app -p 5432 -c 'create table smoke (x int)' -c 'insert into smoke values (42)'
replicated() { [[ $(app -p 5433 -c 'select pg_is_in_recovery(), x from smoke' 2>/dev/null) == 't|42' ]]; }
wait_for 30 replicated || { echo "the row did not reach the replica" >&2; exit 1; }
[[ $(psql -X -At -h "$DIR" -p 5432 -U postgres -c "select string_agg(datname, ' ' order by datname) from pg_database where datdba = 'scalarhub'::regrole") == "auth customer" ]] ||
    { echo "the apps' databases are not scalarhub's" >&2; exit 1; }
[[ $(psql -X -At -h "$DIR" -p 5432 -U postgres -c "select s.slot_name || ' ' || r.state from pg_stat_replication r join pg_replication_slots s on s.active_pid = r.pid") == "replica1 streaming" ]] ||
    { echo "the replica does not stream through its slot" >&2; exit 1; }
echo "init-primary.sh and replica.sh: role, databases, replication through slot replica1, reads on :5433 - OK ($("$BIN/postgres" --version))"
