#!/usr/bin/env bash
# Local infrastructure for ScalarHub: a PostgreSQL primary with a streaming hot-standby
# replica, plus Redis.
#
#   deploy/local/infra.sh up       start (creating on first run) everything; idempotent
#   deploy/local/infra.sh down     stop our PostgreSQL servers, and Redis only if we started it
#   deploy/local/infra.sh status   show what is running; exit 0 only if everything is up
#   deploy/local/infra.sh stop primary|replica    fault drills: stop one PostgreSQL server
#   deploy/local/infra.sh start primary|replica   ...and start it again (it must exist)
#   deploy/local/infra.sh secret auth-keys         print the password of auth-server's key set (made once)
#
# Environment (defaults in brackets):
#   SCALARHUB_STATE_DIR         [$HOME/.local/state/scalarhub; /var/lib/scalarhub, see below]
#   SCALARHUB_PG_PORT           [55432]  primary, 127.0.0.1 only
#   SCALARHUB_PG_REPLICA_PORT   [55433]  replica, 127.0.0.1 only
#   SCALARHUB_REDIS_HOST        [127.0.0.1]
#   SCALARHUB_REDIS_PORT        [6379]   an existing Redis answering PING there is reused
#   SCALARHUB_DATABASES         ["customer account ledger product subscription auth"]
#   SCALARHUB_PG_BIN            [pg_config --bindir, else newest /usr/lib/postgresql/*/bin]
#   SCALARHUB_WAIT_TIMEOUT      [60] seconds to wait for any server to come up / go down
#
# The state lives outside the repository on purpose: several clones share one local cluster.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$SCRIPT_DIR/lib.sh"

PG_PORT=${SCALARHUB_PG_PORT:-55432}
PG_REPLICA_PORT=${SCALARHUB_PG_REPLICA_PORT:-55433}
REDIS_HOST=${SCALARHUB_REDIS_HOST:-127.0.0.1}
REDIS_PORT=${SCALARHUB_REDIS_PORT:-6379}
DATABASES=${SCALARHUB_DATABASES:-customer account ledger product subscription auth}
TIMEOUT=${SCALARHUB_WAIT_TIMEOUT:-60}

PG_HOST=127.0.0.1
PG_SUPERUSER=postgres # fixed via initdb -U, so it is the same for root and laptop users
APP_ROLE=scalarhub
APP_PASSWORD=scalarhub
SLOT=scalarhub_replica
REPLICA_NAME=scalarhub_replica # cluster_name, shows up as application_name on the primary

CHANGED=0 # set when `up` actually had to do something

# --- environment discovery -------------------------------------------------------------------

# PostgreSQL refuses to run as root, so as root every server-side tool runs as `postgres`.
# cd / first: postgres usually cannot read root's working directory.
if ((EUID == 0)); then
    id postgres >/dev/null 2>&1 ||
        die "running as root needs an OS user 'postgres' to run PostgreSQL (it refuses to run as root)"
    PG_OS_USER=postgres
    pg_as() { (cd / && runuser -u postgres -- "$@"); }
else
    PG_OS_USER=$(id -un)
    pg_as() { "$@"; }
fi

find_pg_bin() {
    local dir=${SCALARHUB_PG_BIN:-}
    if [[ -z $dir ]]; then
        dir=$(pg_config --bindir 2>/dev/null || true)
        # pg_config may come from libpq-dev alone, without the server binaries next to it.
        if [[ ! -x $dir/initdb ]]; then
            local candidates=(/usr/lib/postgresql/*/bin)
            dir=$(printf '%s\n' "${candidates[@]}" | sort -V | tail -n1)
        fi
    fi
    [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/psql ]] ||
        die "PostgreSQL server binaries not found (tried pg_config --bindir and /usr/lib/postgresql/*/bin); install the postgresql server package or set SCALARHUB_PG_BIN"
    PG_BIN=$dir
    PG_MAJOR=$("$PG_BIN/postgres" --version | awk '{print $3}' | sed -E 's/^([0-9]+).*/\1/')
}

# can_reach DIR: can the PostgreSQL OS user get to DIR (or, if it does not exist yet, to its
# nearest existing ancestor — directories we create later are root-made, mode 755)?
can_reach() {
    local dir=$1
    while [[ ! -e $dir ]]; do dir=$(dirname "$dir"); done
    pg_as test -x "$dir"
}

# Default is $HOME/.local/state/scalarhub. As root, $HOME is typically /root (mode 700) and the
# postgres user cannot traverse it; rather than loosening permissions on someone's home we fall
# back to /var/lib/scalarhub, the conventional place for system-wide service state. An explicit
# SCALARHUB_STATE_DIR is never second-guessed: if postgres cannot reach it we fail.
resolve_state_dir() {
    local dir
    if [[ -n ${SCALARHUB_STATE_DIR:-} ]]; then
        dir=$SCALARHUB_STATE_DIR
        [[ $dir == /* ]] || dir=$PWD/$dir # pg tools run from / (see pg_as)
        can_reach "$dir" ||
            die "SCALARHUB_STATE_DIR=$dir is not reachable by OS user '$PG_OS_USER'; choose a directory whose parents it can traverse"
    else
        dir=${HOME:?HOME is not set; set SCALARHUB_STATE_DIR}/.local/state/scalarhub
        if ! can_reach "$dir"; then
            ((EUID == 0)) || die "cannot access $dir; set SCALARHUB_STATE_DIR"
            dir=/var/lib/scalarhub
        fi
    fi
    STATE_DIR=$dir
    PG_DIR=$STATE_DIR/pg
    PRIMARY_DIR=$PG_DIR/primary
    REPLICA_DIR=$PG_DIR/replica
    REDIS_DIR=$STATE_DIR/redis
    REDIS_PIDFILE=$REDIS_DIR/redis.pid
    REDIS_MARKER=$REDIS_DIR/started-by-scalarhub # present only while we own the running Redis
}

validate_config() {
    local p
    for p in "$PG_PORT" "$PG_REPLICA_PORT" "$REDIS_PORT" "$TIMEOUT"; do
        [[ $p =~ ^[0-9]+$ ]] || die "not a number: '$p'"
    done
    ((PG_PORT != PG_REPLICA_PORT)) || die "primary and replica ports must differ (both $PG_PORT)"
    DATABASES=${DATABASES//,/ }
    local db
    for db in $DATABASES; do
        [[ $db =~ ^[a-z_][a-z0-9_]*$ ]] || die "invalid database name '$db' in SCALARHUB_DATABASES"
    done
}

# Create the state tree; the PostgreSQL part must belong to whoever runs postgres. Only fixes
# what is wrong, so a second `up` touches nothing. (Redis files stay with the user running it.)
prepare_state_dir() {
    mkdir -p "$PG_DIR" "$REDIS_DIR"
    if ((EUID == 0)); then
        chown postgres: "$STATE_DIR"
        find "$PG_DIR" ! -user postgres -exec chown postgres: {} +
    fi
}

# Serialise concurrent `up`/`down` runs from several clones sharing the state dir.
# Daemons we start must be started with 9>&- so they do not inherit (and keep) the lock.
take_lock() {
    have flock || return 0
    exec 9>>"$STATE_DIR/.infra.lock"
    flock -w "$TIMEOUT" 9 || die "another infra.sh is running on $STATE_DIR (lock held for ${TIMEOUT}s)"
}

# --- PostgreSQL helpers ----------------------------------------------------------------------

pg_sql() { # pg_sql PORT DB psql-args...
    local port=$1 db=$2
    shift 2
    "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$port" -U "$PG_SUPERUSER" -d "$db" "$@"
}

pg_running() { # pg_running DATADIR: our postmaster for that data dir is alive
    [[ -f $1/PG_VERSION ]] && pg_as "$PG_BIN/pg_ctl" status -D "$1" >/dev/null 2>&1
}

pg_ready() { "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$1"; }

# The port an existing data dir was set up for (last setting wins, as in postgres).
conf_port() {
    sed -nE "s/^[[:space:]]*port[[:space:]]*=[[:space:]]*'?([0-9]+).*/\1/p" \
        "$1/postgresql.conf" "$1/postgresql.auto.conf" 2>/dev/null | tail -n1
}

# Refuse to use a data dir made for another port or another PostgreSQL major version.
check_datadir() { # check_datadir DIR PORT ENVVAR
    local dir=$1 port=$2 var=$3 have_port data_major
    [[ -f $dir/PG_VERSION ]] || die "$dir exists but is not a PostgreSQL data directory; remove it"
    data_major=$(<"$dir/PG_VERSION")
    [[ $data_major == "$PG_MAJOR" ]] ||
        die "$dir was created by PostgreSQL $data_major but the binaries in $PG_BIN are $PG_MAJOR; set SCALARHUB_PG_BIN or remove $STATE_DIR"
    have_port=$(conf_port "$dir")
    [[ $have_port == "$port" ]] ||
        die "$dir is configured for port $have_port, but $var=$port; use that port, or run 'down' and remove $PG_DIR to recreate"
}

ensure_port_free() { # ensure_port_free PORT WHAT ENVVAR
    if port_open "$PG_HOST" "$1"; then
        die "port $PG_HOST:$1 is in use by something that is not ScalarHub's $2; stop it or set $3 to another port"
    fi
}

# run_quiet DESCRIPTION CMD...: keep routine tool chatter out of the output unless it fails.
run_quiet() {
    local what=$1 out
    shift
    if ! out=$("$@" 2>&1); then
        printf '%s\n' "$out" >&2
        die "$what failed"
    fi
}

pg_start() { # pg_start DIR NAME
    local dir=$1 name=$2
    log "starting $name (log: $PG_DIR/$name.log)"
    # 9>&-: the daemon must not inherit the lock fd, or it would hold the lock forever.
    run_quiet "starting $name (see $PG_DIR/$name.log)" \
        pg_as "$PG_BIN/pg_ctl" -w -t "$TIMEOUT" -D "$dir" -l "$PG_DIR/$name.log" start 9>&-
    CHANGED=1
}

pg_stop() { # pg_stop DIR NAME
    local dir=$1 name=$2
    if pg_running "$dir"; then
        run_quiet "stopping $name" pg_as "$PG_BIN/pg_ctl" -w -t "$TIMEOUT" -D "$dir" -m fast stop
        log "$name stopped"
    else
        log "$name is not running"
    fi
}

init_primary() {
    local tmp=$PG_DIR/primary.init locale=C
    # C.UTF-8 keeps byte-order collation but gives Unicode-aware upper()/lower().
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=C.UTF-8; fi
    rm -rf "$tmp" # leftover of an interrupted run; the real dir only appears once complete
    log "initialising primary in $PRIMARY_DIR"
    run_quiet initdb pg_as "$PG_BIN/initdb" -D "$tmp" -U "$PG_SUPERUSER" --auth=trust -E UTF8 --locale="$locale"
    # Appended as the postgres user so file ownership stays intact in every case.
    pg_as tee -a "$tmp/postgresql.conf" >/dev/null <<EOF

# --- ScalarHub local cluster (deploy/local/infra.sh) ---
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
cluster_name = 'scalarhub_primary'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = '256MB'
hot_standby = on
hot_standby_feedback = on
max_connections = 300
shared_buffers = '128MB'
EOF
    grep -qE "^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust" "$tmp/pg_hba.conf" ||
        echo "host replication all 127.0.0.1/32 trust" | pg_as tee -a "$tmp/pg_hba.conf" >/dev/null
    mv "$tmp" "$PRIMARY_DIR"
    # A replica cloned from a previous primary can never follow this one; it holds no data of
    # its own, so rebuild it.
    if [[ -e $REPLICA_DIR ]]; then
        warn "discarding $REPLICA_DIR: it was cloned from a previous primary"
        pg_stop "$REPLICA_DIR" replica
        rm -rf "$REPLICA_DIR"
    fi
    CHANGED=1
}

primary_up() {
    [[ -e $PRIMARY_DIR ]] && check_datadir "$PRIMARY_DIR" "$PG_PORT" SCALARHUB_PG_PORT
    if pg_running "$PRIMARY_DIR"; then
        wait_for "$TIMEOUT" "primary to accept connections" pg_ready "$PG_PORT" || die "primary is running but not accepting connections; see $PG_DIR/primary.log"
        log "primary already running on $PG_HOST:$PG_PORT"
        return
    fi
    ensure_port_free "$PG_PORT" "PostgreSQL primary" SCALARHUB_PG_PORT
    [[ -e $PRIMARY_DIR ]] || init_primary
    pg_start "$PRIMARY_DIR" primary
}

create_replica() {
    local tmp=$PG_DIR/replica.init active
    rm -rf "$tmp"
    # pg_basebackup -C fails if the slot exists, e.g. after the replica dir was deleted or a
    # previous clone was interrupted. An inactive slot is ours and stale; an active one is not.
    active=$(pg_sql "$PG_PORT" postgres -c "select active from pg_replication_slots where slot_name = '$SLOT'")
    if [[ $active == t ]]; then
        die "replication slot $SLOT on the primary is in use by another standby; cannot create $REPLICA_DIR"
    elif [[ $active == f ]]; then
        pg_sql "$PG_PORT" postgres -c "select pg_drop_replication_slot('$SLOT')" >/dev/null
    fi
    log "cloning replica from primary into $REPLICA_DIR"
    run_quiet pg_basebackup pg_as "$PG_BIN/pg_basebackup" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_SUPERUSER" \
        -D "$tmp" -R -X stream -c fast -C -S "$SLOT"
    # -R wrote standby.signal, primary_conninfo and primary_slot_name; override what differs.
    pg_as tee -a "$tmp/postgresql.conf" >/dev/null <<EOF

# --- ScalarHub replica overrides ---
port = $PG_REPLICA_PORT
cluster_name = '$REPLICA_NAME'
EOF
    mv "$tmp" "$REPLICA_DIR"
    CHANGED=1
}

replica_in_recovery() { [[ $(pg_sql "$PG_REPLICA_PORT" postgres -c 'select pg_is_in_recovery()' 2>/dev/null) == t ]]; }

replica_up() {
    [[ -e $REPLICA_DIR ]] && check_datadir "$REPLICA_DIR" "$PG_REPLICA_PORT" SCALARHUB_PG_REPLICA_PORT
    if pg_running "$REPLICA_DIR"; then
        wait_for "$TIMEOUT" "replica to accept connections" pg_ready "$PG_REPLICA_PORT" || die "replica is running but not accepting connections; see $PG_DIR/replica.log"
        log "replica already running on $PG_HOST:$PG_REPLICA_PORT"
    else
        ensure_port_free "$PG_REPLICA_PORT" "PostgreSQL replica" SCALARHUB_PG_REPLICA_PORT
        [[ -e $REPLICA_DIR ]] || create_replica
        pg_start "$REPLICA_DIR" replica
    fi
    replica_in_recovery || die "server on $PG_HOST:$PG_REPLICA_PORT is not in recovery, so it is not a replica; see $PG_DIR/replica.log"
}

# "state|replay lag in bytes" of our replica as seen by the primary; empty if not connected.
replication_state() {
    pg_sql "$PG_PORT" postgres -F '|' -c "select state, coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint
        from pg_stat_replication where application_name = '$REPLICA_NAME'" 2>/dev/null || true
}
replica_streaming() { [[ $(replication_state) == streaming\|* ]]; }

ensure_role_and_databases() {
    local attrs db owner created=""
    attrs=$(pg_sql "$PG_PORT" postgres -c "select rolcanlogin::int::text || rolcreatedb::int::text from pg_roles where rolname = '$APP_ROLE'")
    if [[ -z $attrs ]]; then
        pg_sql "$PG_PORT" postgres -c "create role $APP_ROLE login createdb password '$APP_PASSWORD'"
        log "created role $APP_ROLE"
        CHANGED=1
    elif [[ $attrs != 11 ]]; then
        pg_sql "$PG_PORT" postgres -c "alter role $APP_ROLE login createdb"
        log "granted LOGIN CREATEDB to role $APP_ROLE"
        CHANGED=1
    fi
    for db in $DATABASES; do
        owner=$(pg_sql "$PG_PORT" postgres -c "select pg_get_userbyid(datdba) from pg_database where datname = '$db'")
        if [[ -z $owner ]]; then
            pg_sql "$PG_PORT" postgres -c "create database $db owner $APP_ROLE"
            created+=" $db"
        elif [[ $owner != "$APP_ROLE" ]]; then
            pg_sql "$PG_PORT" postgres -c "alter database $db owner to $APP_ROLE"
            log "database $db: owner changed from $owner to $APP_ROLE"
            CHANGED=1
        fi
    done
    if [[ -n $created ]]; then
        log "created databases:$created"
        CHANGED=1
    else
        log "role $APP_ROLE and databases already present"
    fi
}

# --- Redis -----------------------------------------------------------------------------------

redis_ping() {
    if have redis-cli; then
        local cli=(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping)
        have timeout && cli=(timeout 3 "${cli[@]}")
        [[ $("${cli[@]}" 2>/dev/null) == PONG ]]
    else
        # RESP inline command over /dev/tcp; the reply to PING is "+PONG".
        (
            exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT" || exit 1
            printf 'PING\r\n' >&3
            IFS= read -r -t 3 reply <&3 || exit 1
            [[ $reply == +PONG* ]]
        ) 2>/dev/null
    fi
}

# The Redis on the port is the one we started (marker present and its pid alive).
redis_ours() {
    local pid
    [[ -f $REDIS_MARKER && -f $REDIS_PIDFILE ]] || return 1
    pid=$(<"$REDIS_PIDFILE")
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
        [[ $(ps -o comm= -p "$pid" 2>/dev/null) == redis-server* ]]
}

redis_up() {
    if redis_ping; then
        if redis_ours; then
            log "redis (started by infra.sh) already running on $REDIS_HOST:$REDIS_PORT"
        else
            rm -f "$REDIS_MARKER"
            log "reusing existing redis on $REDIS_HOST:$REDIS_PORT (not managed by infra.sh)"
        fi
        return
    fi
    port_open "$REDIS_HOST" "$REDIS_PORT" &&
        die "$REDIS_HOST:$REDIS_PORT is in use but does not answer Redis PING; set SCALARHUB_REDIS_PORT to another port"
    [[ $REDIS_HOST == 127.0.0.1 || $REDIS_HOST == localhost ]] ||
        die "no Redis answers at $REDIS_HOST:$REDIS_PORT, and infra.sh can only start a local one"
    if ! have redis-server; then
        if ((EUID == 0)) && have apt-get; then
            log "redis-server not found; installing it with apt-get"
            run_quiet "apt-get update" apt-get update
            run_quiet "apt-get install redis-server" env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server
            # The Debian package may have started its own service on the default port.
            if redis_ping; then
                log "reusing the redis-server service started by the package on $REDIS_HOST:$REDIS_PORT"
                return
            fi
        else
            die "redis-server is not installed; install it (e.g. 'sudo apt-get install redis-server') or run Redis on $REDIS_HOST:$REDIS_PORT"
        fi
    fi
    log "starting redis on $REDIS_HOST:$REDIS_PORT (log: $REDIS_DIR/redis.log)"
    rm -f "$REDIS_PIDFILE"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
        --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_DIR/redis.log" --dir "$REDIS_DIR" \
        --save "" --appendonly no 9>&- # see pg_start
    echo "$REDIS_PORT" >"$REDIS_MARKER"
    CHANGED=1
    wait_for "$TIMEOUT" "redis to answer PING" redis_ping || die "redis did not come up; see $REDIS_DIR/redis.log"
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

redis_down() {
    if redis_ours; then
        local pid
        pid=$(<"$REDIS_PIDFILE")
        kill -TERM "$pid"
        wait_for "$TIMEOUT" "redis (pid $pid) to exit" pid_gone "$pid" ||
            die "redis (pid $pid) did not stop"
        rm -f "$REDIS_MARKER" "$REDIS_PIDFILE"
        log "redis stopped"
    else
        rm -f "$REDIS_MARKER"
        log "redis not started by infra.sh; leaving it alone"
    fi
}

# --- commands --------------------------------------------------------------------------------

print_summary() {
    local repl
    repl=$(replication_state)
    echo
    echo "ScalarHub local infrastructure (state: $STATE_DIR)"
    echo "  primary : postgresql://$APP_ROLE:$APP_PASSWORD@$PG_HOST:$PG_PORT/<db>   (jdbc:postgresql://$PG_HOST:$PG_PORT/<db>)"
    echo "  replica : postgresql://$APP_ROLE:$APP_PASSWORD@$PG_HOST:$PG_REPLICA_PORT/<db>   (read-only hot standby)"
    echo "  dbs     : $DATABASES"
    if redis_ours; then
        echo "  redis   : $REDIS_HOST:$REDIS_PORT (started by infra.sh)"
    else
        echo "  redis   : $REDIS_HOST:$REDIS_PORT (existing, not managed by infra.sh)"
    fi
    if [[ $repl == streaming\|* ]]; then
        echo "  replication: streaming (replay lag ${repl#*|} bytes)"
    else
        echo "  replication: NOT streaming${repl:+ (state ${repl%%|*})}; see $PG_DIR/replica.log"
    fi
}

cmd_up() {
    prepare_state_dir
    take_lock
    primary_up
    ensure_role_and_databases
    replica_up
    wait_for "$TIMEOUT" "replica to start streaming" replica_streaming || true # reported below
    redis_up
    if ((CHANGED)); then
        log "up: done"
    else
        log "up: everything was already up; nothing changed"
    fi
    print_summary
}

# secret auth-keys: prints the password auth-server encrypts its signing keys with (in the auth database), made
# once and kept with the data it protects, so that every suite on this machine (the developer's, the end-to-end
# test's) reads the same key set; readable by this user only
cmd_secret() {
    [[ $1 == auth-keys ]] || usage
    local file=$STATE_DIR/secrets/auth-keys.password
    if [[ ! -s $file ]]; then
        mkdir -p "$STATE_DIR/secrets"
        chmod 700 "$STATE_DIR/secrets"
        (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$file")
    fi
    cat "$file"
}

cmd_down() {
    if [[ ! -d $STATE_DIR ]]; then
        log "no state in $STATE_DIR; nothing to stop"
        return
    fi
    take_lock
    # Replica first, so the primary's shutdown does not wait on / log about a live walsender.
    pg_stop "$REPLICA_DIR" replica
    pg_stop "$PRIMARY_DIR" primary
    redis_down
}

cmd_status() {
    local rc=0 repl pid
    echo "state dir: $STATE_DIR"
    if [[ ! -e $PRIMARY_DIR ]]; then
        echo "primary : not initialised"
        rc=1
    elif pg_running "$PRIMARY_DIR"; then
        pid=$(head -n1 "$PRIMARY_DIR/postmaster.pid" 2>/dev/null || true)
        echo "primary : running on $PG_HOST:$PG_PORT (pid ${pid:-?})"
    else
        echo "primary : stopped"
        rc=1
    fi
    if [[ ! -e $REPLICA_DIR ]]; then
        echo "replica : not initialised"
        rc=1
    elif pg_running "$REPLICA_DIR"; then
        pid=$(head -n1 "$REPLICA_DIR/postmaster.pid" 2>/dev/null || true)
        if replica_in_recovery; then
            echo "replica : running on $PG_HOST:$PG_REPLICA_PORT (pid ${pid:-?}), in recovery"
        else
            echo "replica : running on $PG_HOST:$PG_REPLICA_PORT (pid ${pid:-?}), NOT in recovery"
            rc=1
        fi
    else
        echo "replica : stopped"
        rc=1
    fi
    repl=""
    pg_running "$PRIMARY_DIR" && repl=$(replication_state)
    if [[ $repl == streaming\|* ]]; then
        echo "replication: streaming (replay lag ${repl#*|} bytes)"
    else
        echo "replication: not streaming${repl:+ (state ${repl%%|*})}"
        rc=1
    fi
    if redis_ping; then
        if redis_ours; then
            echo "redis   : answering on $REDIS_HOST:$REDIS_PORT (started by infra.sh, pid $(<"$REDIS_PIDFILE"))"
        else
            echo "redis   : answering on $REDIS_HOST:$REDIS_PORT (not managed by infra.sh)"
        fi
    else
        echo "redis   : not answering on $REDIS_HOST:$REDIS_PORT"
        rc=1
    fi
    return "$rc"
}

server_dir() { # server_dir primary|replica
    case $1 in
    primary) echo "$PRIMARY_DIR" ;;
    replica) echo "$REPLICA_DIR" ;;
    *) usage ;;
    esac
}

cmd_stop() { # one server, for fault drills; `up` brings everything back
    local dir
    dir=$(server_dir "$1")
    take_lock
    pg_stop "$dir" "$1"
}

cmd_start() {
    local dir
    dir=$(server_dir "$1")
    [[ -d $dir ]] || die "$1 does not exist yet; run: $0 up"
    take_lock
    if pg_running "$dir"; then
        log "$1 already running"
    else
        pg_start "$dir" "$1"
    fi
}

usage() {
    echo "usage: $0 up|down|status|stop primary|stop replica|start primary|start replica|secret auth-keys" >&2
    exit 2
}

main() {
    case ${1:-} in
    up | down | status) (($# == 1)) || usage ;;
    stop | start | secret) (($# == 2)) || usage ;;
    *) usage ;;
    esac
    validate_config
    find_pg_bin
    resolve_state_dir
    "cmd_$1" "${@:2}"
}

main "$@"
