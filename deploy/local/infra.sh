#!/usr/bin/env bash
# Local infrastructure for ScalarHub: a highly available PostgreSQL pair (Patroni with etcd, a synchronous
# streaming replica, automatic failover), HAProxy in front of it, and Redis.
#
#   deploy/local/infra.sh up       start (creating on first run) everything; idempotent; also brings back any
#                                  node a drill stopped or killed (it rejoins as a replica, pg_rewind if needed)
#   deploy/local/infra.sh down     stop our PostgreSQL nodes, etcd, HAProxy, and Redis only if we started it
#   deploy/local/infra.sh status   the leader, the replica and its lag, HAProxy, Redis; exit 0 only if all is well
#   deploy/local/infra.sh stop primary|replica    fault drill WITHOUT failover: pause Patroni (maintenance
#                                                 mode) and stop the server in that role
#   deploy/local/infra.sh start primary|replica   ...bring back whatever stop stopped, and resume Patroni
#   deploy/local/infra.sh kill primary|replica    fault drill WITH failover: the node in that role dies at once
#                                                 (kill -9 of its Patroni and its PostgreSQL); a killed primary
#                                                 is replaced by the replica within Patroni's ttl; `up` rejoins it
#   deploy/local/infra.sh switchover              planned hand-over of the primary role to the replica
#   deploy/local/infra.sh pause-replay|resume-replay   fault drill: the replica stops applying WAL (falls behind)
#   deploy/local/infra.sh backup [full|incr]      a pgBackRest backup (WAL is archived continuously, a segment
#                                                 within 30 s); deploy/drills/backup-restore.sh restores one
#   deploy/local/infra.sh secret auth-keys        print the password of auth-server's key set (made once)
#
# What listens (127.0.0.1 only). Apps and tests only ever use the first two: HAProxy sends each connection to
# the node Patroni's REST API reports in that role, so a failover needs no app restart.
#   SCALARHUB_PG_PORT           [55432]  the current primary (HAProxy)
#   SCALARHUB_PG_REPLICA_PORT   [55433]  the current replica (HAProxy); refused while there is none
#   PostgreSQL nodes node1, node2 on SCALARHUB_PG_PORT + 10, + 11; their Patroni REST APIs on + 3010, + 3011;
#   HAProxy's statistics page on SCALARHUB_PG_PORT + 3000 (http://127.0.0.1:58432/)
#   SCALARHUB_ETCD_PORT         [52379]  etcd, Patroni's consensus store (peer port + 1)
#
# Environment (defaults in brackets):
#   SCALARHUB_STATE_DIR         [$HOME/.local/state/scalarhub; /var/lib/scalarhub, see below]
#   SCALARHUB_REDIS_HOST        [127.0.0.1]
#   SCALARHUB_REDIS_PORT        [6379]   an existing Redis answering PING there is reused
#   SCALARHUB_DATABASES         [the databases deploy/suite.yml names]
#   SCALARHUB_PG_BIN            [pg_config --bindir, else newest /usr/lib/postgresql/*/bin]
#   SCALARHUB_WAIT_TIMEOUT      [60] seconds to wait for any server to come up / go down
#
# As root on a machine with apt-get, missing Patroni, etcd and HAProxy are installed from Debian's packages.
# The state lives outside the repository on purpose: several clones share one local cluster.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$SCRIPT_DIR/lib.sh"

PG_PORT=${SCALARHUB_PG_PORT:-55432}
PG_REPLICA_PORT=${SCALARHUB_PG_REPLICA_PORT:-55433}
ETCD_PORT=${SCALARHUB_ETCD_PORT:-52379}
REDIS_HOST=${SCALARHUB_REDIS_HOST:-127.0.0.1}
REDIS_PORT=${SCALARHUB_REDIS_PORT:-6379}
DATABASES=${SCALARHUB_DATABASES:-$SUITE_DATABASES}
TIMEOUT=${SCALARHUB_WAIT_TIMEOUT:-60}

PG_HOST=127.0.0.1
PG_SUPERUSER=postgres # fixed via initdb, so it is the same for root and laptop users
APP_ROLE=scalarhub
APP_PASSWORD=scalarhub
CLUSTER=scalarhub # Patroni's scope: its keys in etcd live under /scalarhub/scalarhub/
NODES=(node1 node2)
node_index() { case $1 in node1) echo 0 ;; node2) echo 1 ;; esac; }
node_pg_port() { echo $((PG_PORT + 10 + $(node_index "$1"))); }
node_rest_port() { echo $((PG_PORT + 3010 + $(node_index "$1"))); }
HAPROXY_STATS_PORT=$((PG_PORT + 3000))

CHANGED=0        # set when `up` actually had to do something
CONFIG_CHANGED=0 # set when a running node's Patroni configuration was rewritten

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
    ETCD_DIR=$STATE_DIR/etcd
    BACKUP_DIR=$STATE_DIR/pgbackrest
    HAPROXY_DIR=$STATE_DIR/haproxy
    REDIS_DIR=$STATE_DIR/redis
    REDIS_PIDFILE=$REDIS_DIR/redis.pid
    REDIS_MARKER=$REDIS_DIR/started-by-scalarhub # present only while we own the running Redis
}

validate_config() {
    local p
    for p in "$PG_PORT" "$PG_REPLICA_PORT" "$ETCD_PORT" "$REDIS_PORT" "$TIMEOUT"; do
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
    mkdir -p "$PG_DIR" "$REDIS_DIR" "$ETCD_DIR" "$HAPROXY_DIR" "$BACKUP_DIR"
    if ((EUID == 0)); then
        chown postgres: "$STATE_DIR"
        find "$PG_DIR" "$BACKUP_DIR" ! -user postgres -exec chown postgres: {} +
    fi
}

# Serialise concurrent `up`/`down` runs from several clones sharing the state dir.
# Daemons we start must be started with 9>&- so they do not inherit (and keep) the lock.
take_lock() {
    have flock || return 0
    exec 9>>"$STATE_DIR/.infra.lock"
    flock -w "$TIMEOUT" 9 || die "another infra.sh is running on $STATE_DIR (lock held for ${TIMEOUT}s)"
}

# --- tools -----------------------------------------------------------------------------------

# Patroni (the failover manager), etcd (where Patroni keeps the leader lock), HAProxy (which sends each
# connection to the node in the role asked for) and pgBackRest (backups, WAL archive) come from Debian's packages, installed here as root the way
# Redis is; elsewhere the command to run is printed.
ensure_tools() {
    local missing=() tool
    for tool in patroni patronictl etcd etcdctl haproxy pgbackrest curl; do have "$tool" || missing+=("$tool"); done
    ((${#missing[@]} == 0)) && return
    local packages="patroni etcd-server etcd-client haproxy pgbackrest curl"
    if ((EUID == 0)) && have apt-get; then
        log "installing ${missing[*]} from Debian's packages ($packages)"
        run_quiet "apt-get update" apt-get update
        run_quiet "apt-get install $packages" env DEBIAN_FRONTEND=noninteractive apt-get install -y $packages
    else
        die "missing ${missing[*]}; install them (e.g. 'sudo apt-get install $packages')"
    fi
}

# --- PostgreSQL helpers ----------------------------------------------------------------------

pg_sql() { # pg_sql PORT DB psql-args...
    local port=$1 db=$2
    shift 2
    "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$port" -U "$PG_SUPERUSER" -d "$db" "$@"
}

pg_running() { # pg_running DATADIR: a postmaster for that data dir is alive
    [[ -f $1/PG_VERSION ]] && pg_as "$PG_BIN/pg_ctl" status -D "$1" >/dev/null 2>&1
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

pg_stop() { # pg_stop DIR NAME
    local dir=$1 name=$2
    if pg_running "$dir"; then
        run_quiet "stopping $name" pg_as "$PG_BIN/pg_ctl" -w -t "$TIMEOUT" -D "$dir" -m fast stop
        log "$name: PostgreSQL stopped"
    fi
}

# The two answers every caller needs: the primary port takes writes; the replica port is a server in recovery.
primary_writable() { [[ $(pg_sql "$PG_PORT" postgres -c 'select pg_is_in_recovery()' 2>/dev/null) == f ]]; }
replica_answers() { [[ $(pg_sql "$PG_REPLICA_PORT" postgres -c 'select pg_is_in_recovery()' 2>/dev/null) == t ]]; }
primary_down() { ! primary_writable; }
no_sync_standby() { [[ -z $(pg_sql "$PG_PORT" postgres -c 'show synchronous_standby_names' 2>/dev/null) ]]; }
replica_down() { ! replica_answers; }

# "state|sync_state|replay lag in bytes" of each standby as the primary sees it, one line each.
replication_state() {
    pg_sql "$PG_PORT" postgres -F '|' -c "select application_name, state, sync_state,
        coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint from pg_stat_replication" 2>/dev/null || true
}
# A commit is acknowledged only once the replica has it: the failover guarantee.
replica_synchronous() { replication_state | grep -qE '^[^|]+\|streaming\|(sync|quorum)\|'; }

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

# Before Patroni, infra.sh ran a plain primary and replica from pg/primary and pg/replica on the same ports.
# They are stopped so the ports are free; their data is left where it is (the new cluster starts empty).
retire_plain_pair() {
    local dir
    for dir in "$PG_DIR/replica" "$PG_DIR/primary"; do
        [[ -f $dir/PG_VERSION ]] || continue
        pg_stop "$dir" "${dir##*/} (before Patroni)"
        warn "$dir is from before Patroni and no longer used; remove it when you no longer need its data"
    done
}

# --- etcd ------------------------------------------------------------------------------------

etcd_healthy() { curl -fsS -m 2 "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'; }

etcd_up() {
    if etcd_healthy; then
        log "etcd already running on 127.0.0.1:$ETCD_PORT"
        return
    fi
    port_open 127.0.0.1 "$ETCD_PORT" && die "127.0.0.1:$ETCD_PORT is in use but is not a healthy etcd; set SCALARHUB_ETCD_PORT"
    log "starting etcd on 127.0.0.1:$ETCD_PORT (log: $ETCD_DIR/etcd.log)"
    local peer=http://127.0.0.1:$((ETCD_PORT + 1))
    # one member is enough locally: etcd holds Patroni's lock and topology, not data; history is compacted
    # hourly so the leader's heartbeats (one write per loop) do not grow it without bound
    setsid etcd --name scalarhub --data-dir "$ETCD_DIR/data" --log-level warn \
        --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
        --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "scalarhub=$peer" \
        --auto-compaction-mode periodic --auto-compaction-retention 1h \
        >>"$ETCD_DIR/etcd.log" 2>&1 </dev/null 9>&- &
    echo $! >"$ETCD_DIR/etcd.pid"
    CHANGED=1
    wait_for "$TIMEOUT" "etcd to be healthy" etcd_healthy || die "etcd did not come up; see $ETCD_DIR/etcd.log"
}

etcd_down() {
    local pid
    pid=$(cat "$ETCD_DIR/etcd.pid" 2>/dev/null) || return 0
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && [[ $(ps -o comm= -p "$pid") == etcd ]]; then
        kill -TERM "$pid"
        wait_for "$TIMEOUT" "etcd to exit" pid_gone "$pid" || die "etcd (pid $pid) did not stop"
        log "etcd stopped"
    fi
    rm -f "$ETCD_DIR/etcd.pid"
}

# --- Patroni nodes ---------------------------------------------------------------------------

node_config() { echo "$PG_DIR/$1.yml"; }
node_data() { echo "$PG_DIR/$1"; }
node_logs() { echo "$PG_DIR/logs/$1"; }
rest() { curl -s -m 2 -o /dev/null -w '%{http_code}' -X OPTIONS "http://127.0.0.1:$(node_rest_port "$1")/$2" 2>/dev/null; }
node_in_role() { [[ $(rest "$1" "$2") == 200 ]]; } # node_in_role NODE primary|replica
role_node() {                                       # role_node primary|replica: the node in that role now
    local node
    for node in "${NODES[@]}"; do
        node_in_role "$node" "$1" && echo "$node" && return
    done
    return 1
}
agent_pid() { pgrep -f "python3 [^ ]*patroni $(node_config "$1")\$" | head -n1; }
agent_running() { [[ -n $(agent_pid "$1") ]]; }
patronictl_() { patronictl -c "$(node_config node1)" "$@"; }
paused() { patronictl_ show-config 2>/dev/null | grep -qE '^pause: *true'; }

# The node's Patroni configuration, rewritten on every `up` (its cluster-wide part only matters at bootstrap;
# afterwards it lives in etcd: `patronictl edit-config`).
write_node_config() {
    local node=$1 locale=C
    # C.UTF-8 keeps byte-order collation but gives Unicode-aware upper()/lower().
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=C.UTF-8; fi
    mkdir -p "$(node_logs "$node")"
    ((EUID == 0)) && chown -R postgres: "$PG_DIR/logs"
    pg_as tee "$(node_config "$node").new" >/dev/null <<YAML
# Written by deploy/local/infra.sh on every up; edit the script, not this file.
scope: $CLUSTER
namespace: /scalarhub/
name: $node
log:
  dir: $(node_logs "$node")
  file_size: 4194304
  file_num: 4
restapi:
  listen: 127.0.0.1:$(node_rest_port "$node")
  connect_address: 127.0.0.1:$(node_rest_port "$node")
etcd3:
  hosts: 127.0.0.1:$ETCD_PORT
bootstrap:
  dcs:
    # a dead primary's lock expires after ttl seconds, then the synchronous replica takes over; each node
    # checks every loop_wait seconds (loop_wait + 2 x retry_timeout must stay below ttl)
    ttl: 10
    loop_wait: 2
    retry_timeout: 3
    maximum_lag_on_failover: 1048576
    # a commit is acknowledged only once the synchronous replica has it, and only that replica may be
    # promoted: no acknowledged write is lost. Not strict: with the replica gone, the primary goes on alone.
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        hot_standby_feedback: "on"
        wal_log_hints: "on"
        max_connections: 300
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
        shared_buffers: 128MB
  initdb:
    - encoding: UTF8
    - locale: $locale
    - username: $PG_SUPERUSER
    - auth: trust
postgresql:
  listen: 127.0.0.1:$(node_pg_port "$node")
  connect_address: 127.0.0.1:$(node_pg_port "$node")
  data_dir: $(node_data "$node")
  bin_dir: $PG_BIN
  pgpass: $PG_DIR/.$node.pgpass
  authentication:
    superuser:
      username: $PG_SUPERUSER
    replication:
      username: $PG_SUPERUSER
    rewind:
      username: $PG_SUPERUSER
  parameters:
    unix_socket_directories: $PG_DIR
    # a client that vanished in the middle of a transaction (an app instance cut off by the network: its connection
    # is dead but nothing told PostgreSQL) gives back its locks after this, an idempotency key's among them, so that a
    # retry on another instance goes through; the apps' own transactions never wait on their client that long
    idle_in_transaction_session_timeout: 30s
    # every WAL segment goes to pgBackRest's repository, and a segment with writes in it is closed within 30 s:
    # a restore loses at most that (the bar: a minute)
    archive_mode: "on"
    archive_command: pgbackrest --config=$BACKUP_DIR/pgbackrest.conf --stanza=$CLUSTER --pg1-path=$(node_data "$node") archive-push %p
    archive_timeout: 30s
    logging_collector: "on"
    log_directory: $(node_logs "$node")
    log_filename: postgresql-%a.log
    log_truncate_on_rotation: "on"
  # A node that follows fetches from the archive any WAL segment the primary no longer keeps. Without it, a former
  # primary that wrote more than wal_keep_size since its last checkpoint (a load test, then a failover drill) cannot
  # rejoin after pg_rewind: it needs segments of its old timeline that the new primary has recycled (seen 2026-12-02:
  # "requested WAL segment ... has already been removed", the replica down until reinitialised).
  recovery_conf:
    restore_command: pgbackrest --config=$BACKUP_DIR/pgbackrest.conf --stanza=$CLUSTER --pg1-path=$(node_data "$node") archive-get %f "%p"
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
YAML
    if ! cmp -s "$(node_config "$node").new" "$(node_config "$node")"; then
        # a running Patroni reads its file again only when told (cluster_up does)
        agent_running "$node" && CONFIG_CHANGED=1
        CHANGED=1
    fi
    pg_as mv "$(node_config "$node").new" "$(node_config "$node")"
}

agent_start() { # agent_start NODE: run its Patroni, which starts (or bootstraps, or clones) its PostgreSQL
    local node=$1
    agent_running "$node" && return
    log "starting $node (Patroni log: $(node_logs "$node")/patroni.log)"
    # 9>&-: the daemon must not inherit the lock fd, or it would hold the lock forever; setsid -f: it runs on its
    # own, nothing of this script waits for it
    pg_as setsid -f patroni "$(node_config "$node")" >>"$(node_logs "$node")/patroni.out" 2>&1 </dev/null 9>&-
    CHANGED=1
    wait_for "$TIMEOUT" "$node's Patroni to answer" node_rest_answers "$node" ||
        die "$node's Patroni did not start; see $(node_logs "$node")"
}
node_rest_answers() { [[ $(rest "$1" health) != 000 ]]; }

agent_stop() { # agent_stop NODE: SIGTERM; Patroni stops its PostgreSQL too, unless the cluster is paused
    local node=$1 pid
    pid=$(agent_pid "$node")
    [[ -n $pid ]] || return 0
    kill -TERM "$pid"
    wait_for "$TIMEOUT" "$node's Patroni to exit" pid_gone "$pid" || die "$node's Patroni (pid $pid) did not stop"
}

# --- HAProxy ---------------------------------------------------------------------------------

haproxy_pid() {
    local pid
    pid=$(head -n1 "$HAPROXY_DIR/haproxy.pid" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && [[ $(ps -o comm= -p "$pid") == haproxy ]] && echo "$pid"
}

write_haproxy_config() {
    local node listen role port
    {
        cat <<CFG
# Written by deploy/local/infra.sh on every up; edit the script, not this file.
global
    maxconn 4000
    # One thread, not one per CPU: it polls half as often per round trip (each wake-up finds twice the events),
    # 20 % less of HAProxy's CPU per round trip with no less throughput (bench/haproxy-threads.sh,
    # docs/performance.md "Threads and wake-ups"); one thread relays ~30,000 round trips a second here, far
    # more than the suite can ask of it on two cores
    nbthread 1
defaults
    mode tcp
    timeout connect 1s
    # pooled connections idle for long; the pools, not HAProxy, decide when to drop them
    timeout client 24h
    timeout server 24h
    timeout check 1s
listen stats
    bind 127.0.0.1:$HAPROXY_STATS_PORT
    mode http
    stats enable
    stats uri /
    stats refresh 2s
CFG
        for role in primary replica; do
            if [[ $role == primary ]]; then port=$PG_PORT; else port=$PG_REPLICA_PORT; fi
            cat <<CFG
# connections go to the node whose Patroni answers 200 to OPTIONS /$role (asked every second); when a
# node leaves the role, its open connections are cut so that pools reconnect to the one that holds it now
listen $role
    bind 127.0.0.1:$port
    option httpchk OPTIONS /$role
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
CFG
            for node in "${NODES[@]}"; do
                echo "    server $node 127.0.0.1:$(node_pg_port "$node") check port $(node_rest_port "$node")"
            done
        done
    } >"$HAPROXY_DIR/haproxy.cfg.new"
    run_quiet "checking the HAProxy configuration" haproxy -c -q -f "$HAPROXY_DIR/haproxy.cfg.new"
}

haproxy_up() {
    local pid changed=1
    write_haproxy_config
    cmp -s "$HAPROXY_DIR/haproxy.cfg.new" "$HAPROXY_DIR/haproxy.cfg" && changed=0
    mv "$HAPROXY_DIR/haproxy.cfg.new" "$HAPROXY_DIR/haproxy.cfg"
    if pid=$(haproxy_pid); then
        ((changed)) || { log "haproxy already running (primary :$PG_PORT, replica :$PG_REPLICA_PORT)"; return; }
        log "haproxy configuration changed; restarting it"
        haproxy_down
    fi
    local port
    for port in "$PG_PORT" "$PG_REPLICA_PORT" "$HAPROXY_STATS_PORT"; do
        port_open 127.0.0.1 "$port" &&
            die "port 127.0.0.1:$port is in use by something that is not ScalarHub's HAProxy; stop it or set SCALARHUB_PG_PORT / SCALARHUB_PG_REPLICA_PORT"
    done
    log "starting haproxy: primary :$PG_PORT, replica :$PG_REPLICA_PORT, statistics http://127.0.0.1:$HAPROXY_STATS_PORT/"
    haproxy -D -p "$HAPROXY_DIR/haproxy.pid" -f "$HAPROXY_DIR/haproxy.cfg" 9>&-
    CHANGED=1
}

haproxy_down() {
    local pid
    pid=$(haproxy_pid) || return 0
    kill -TERM "$pid"
    wait_for "$TIMEOUT" "haproxy to exit" pid_gone "$pid" || die "haproxy (pid $pid) did not stop"
    log "haproxy stopped"
}

# --- pgBackRest ------------------------------------------------------------------------------

backrest() { pg_as pgbackrest --config="$BACKUP_DIR/pgbackrest.conf" --stanza="$CLUSTER" "$@"; }

# The repository holds full and incremental backups plus every archived WAL segment; both nodes are listed, so a
# backup is taken from whichever is primary and archiving goes on after a failover.
write_backup_config() {
    mkdir -p "$BACKUP_DIR/repo" "$BACKUP_DIR/log" "$BACKUP_DIR/lock" "$BACKUP_DIR/spool"
    ((EUID == 0)) && chown -R postgres: "$BACKUP_DIR"
    pg_as tee "$BACKUP_DIR/pgbackrest.conf" >/dev/null <<CONF
# Written by deploy/local/infra.sh on every up; edit the script, not this file.
[global]
repo1-path=$BACKUP_DIR/repo
repo1-retention-full=2
log-path=$BACKUP_DIR/log
lock-path=$BACKUP_DIR/lock
spool-path=$BACKUP_DIR/spool
compress-type=lz4
start-fast=y
log-level-console=warn

[$CLUSTER]
pg1-path=$(node_data node1)
pg1-port=$(node_pg_port node1)
pg1-socket-path=$PG_DIR
pg2-path=$(node_data node2)
pg2-port=$(node_pg_port node2)
pg2-socket-path=$PG_DIR
CONF
}

# Archiving needs the stanza (made once, with the cluster) and, on a cluster made before it, a restart of each
# node for archive_mode: Patroni restarts what it marks pending.
backup_up() {
    if [[ ! -f $BACKUP_DIR/stanza-created ]]; then
        run_quiet "pgbackrest stanza-create" backrest stanza-create
        pg_as touch "$BACKUP_DIR/stanza-created"
        log "pgBackRest: stanza $CLUSTER created (repository $BACKUP_DIR/repo)"
        CHANGED=1
    fi
    if pending_restart; then
        log "restarting the PostgreSQL nodes for a changed setting (WAL archiving)"
        run_quiet "patronictl restart" patronictl_ restart "$CLUSTER" --pending --force
        wait_for "$TIMEOUT" "a primary behind :$PG_PORT" primary_writable || die "no writable primary after the restart"
        CHANGED=1
    fi
}

# --- the cluster as a whole ------------------------------------------------------------------

# Everything running, no drill in force: both nodes' Patroni, management resumed, a writable primary and a
# synchronous replica behind the two ports.
cluster_up() {
    local node
    etcd_up
    write_backup_config
    for node in "${NODES[@]}"; do write_node_config "$node"; done
    if paused; then
        # a drill's `stop`: Patroni would not start that server while paused; start it as it was, then hand
        # it back to Patroni (resumed below)
        local dir
        for node in "${NODES[@]}"; do
            dir=$(node_data "$node")
            if [[ -f $dir/PG_VERSION ]] && ! pg_running "$dir"; then
                run_quiet "starting $node" pg_as "$PG_BIN/pg_ctl" -w -t "$TIMEOUT" -D "$dir" \
                    -l "$(node_logs "$node")/startup.log" start 9>&-
                log "$node: PostgreSQL started"
            fi
        done
    fi
    for node in "${NODES[@]}"; do agent_start "$node"; done
    haproxy_up
    if paused; then
        log "Patroni was paused (maintenance mode, left by a drill); resuming"
        run_quiet "patronictl resume" patronictl_ resume --wait
        CHANGED=1
    fi
    wait_for "$TIMEOUT" "a primary behind :$PG_PORT" primary_writable ||
        die "no writable primary behind 127.0.0.1:$PG_PORT; see $PG_DIR/logs"
    if ((CONFIG_CHANGED)); then
        log "the nodes' configuration changed; Patroni reloads it"
        run_quiet "patronictl reload" patronictl_ reload "$CLUSTER" --force
        # a setting that needs a restart (archive_mode) is then flagged, and backup_up restarts the nodes
        wait_for 15 "Patroni to apply its configuration" archiving_configured || true
    fi
}
archiving_configured() {
    [[ $(pg_sql "$PG_PORT" postgres -c 'show archive_mode' 2>/dev/null) == on ]] || pending_restart
}
pending_restart() { patronictl_ list -f json 2>/dev/null | grep -q '"Pending restart": "\*"'; }

replica_streaming_async() { replication_state | grep -qE '^[^|]+\|streaming\|async\|'; }

wait_for_replica() {
    # Patroni 3.0 trusts its record in etcd of which replica is synchronous: a primary restarted while Patroni was
    # paused (a drill's stop/start) comes back without the setting, and Patroni would never notice. Dropping the
    # record makes it assign the replica again on its next loop (meanwhile no replica may be promoted: safe).
    if ! wait_for 10 "a synchronous replica" replica_synchronous && replica_streaming_async; then
        log "the replica streams but is not synchronous; having Patroni assign it again"
        run_quiet "etcdctl del" etcdctl --endpoints="127.0.0.1:$ETCD_PORT" del "/scalarhub/$CLUSTER/sync"
    fi
    wait_for "$TIMEOUT" "a synchronous replica" replica_synchronous &&
        wait_for "$TIMEOUT" "the replica behind :$PG_REPLICA_PORT" replica_answers
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
    echo "  primary : postgresql://$APP_ROLE:$APP_PASSWORD@$PG_HOST:$PG_PORT/<db>   (now $(role_node primary || echo none); jdbc:postgresql://$PG_HOST:$PG_PORT/<db>)"
    echo "  replica : postgresql://$APP_ROLE:$APP_PASSWORD@$PG_HOST:$PG_REPLICA_PORT/<db>   (now $(role_node replica || echo none); read-only hot standby)"
    echo "  dbs     : $DATABASES"
    echo "  failover: Patroni ($(patronictl_ list -f tsv 2>/dev/null | awk -F'\t' 'NR>1{printf "%s%s %s", sep, $2, $4; sep=", "}')), etcd :$ETCD_PORT, HAProxy statistics http://127.0.0.1:$HAPROXY_STATS_PORT/"
    if redis_ours; then
        echo "  redis   : $REDIS_HOST:$REDIS_PORT (started by infra.sh)"
    else
        echo "  redis   : $REDIS_HOST:$REDIS_PORT (existing, not managed by infra.sh)"
    fi
    if replica_synchronous; then
        echo "  replication: synchronous, streaming (replay lag $(echo "$repl" | head -n1 | cut -d'|' -f4) bytes)"
    else
        echo "  replication: NOT synchronous/streaming${repl:+ ($repl)}; see $PG_DIR/logs"
    fi
}

cmd_up() {
    prepare_state_dir
    take_lock
    ensure_tools
    retire_plain_pair
    cluster_up
    backup_up
    ensure_role_and_databases
    wait_for_replica || true # reported below
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
    haproxy_down
    # replicas first, so that the primary's departure does not make one of them take over
    local leader node
    leader=$(role_node primary || true)
    for node in $(printf '%s\n' "${NODES[@]}" | grep -vx "${leader:-none}") $leader; do
        agent_stop "$node"
        pg_stop "$(node_data "$node")" "$node" # still running if the cluster was paused
    done
    ((${#leader})) && log "PostgreSQL nodes stopped"
    etcd_down
    redis_down
}

cmd_status() {
    local rc=0 node role
    echo "state dir: $STATE_DIR"
    if etcd_healthy; then echo "etcd    : healthy on 127.0.0.1:$ETCD_PORT"; else echo "etcd    : NOT answering on 127.0.0.1:$ETCD_PORT"; rc=1; fi
    for node in "${NODES[@]}"; do
        role="down"
        if node_in_role "$node" primary; then role="primary (leader)"; elif node_in_role "$node" replica; then role="replica"; fi
        agent_running "$node" || role+=", Patroni not running"
        echo "$node   : $role, PostgreSQL on 127.0.0.1:$(node_pg_port "$node"), Patroni API :$(node_rest_port "$node")"
    done
    if etcd_healthy && paused; then echo "patroni : PAUSED (maintenance mode: no automatic failover; 'up' resumes)"; rc=1; fi
    if haproxy_pid >/dev/null; then echo "haproxy : running, primary :$PG_PORT, replica :$PG_REPLICA_PORT, http://127.0.0.1:$HAPROXY_STATS_PORT/"; else echo "haproxy : not running"; rc=1; fi
    if primary_writable; then echo "primary : :$PG_PORT takes writes"; else echo "primary : NOTHING writable behind :$PG_PORT"; rc=1; fi
    if replica_answers; then echo "replica : :$PG_REPLICA_PORT answers (in recovery)"; else echo "replica : nothing behind :$PG_REPLICA_PORT"; rc=1; fi
    local repl
    repl=$(replication_state)
    if replica_synchronous; then
        echo "replication: synchronous, streaming (replay lag $(echo "$repl" | head -n1 | cut -d'|' -f4) bytes)"
    else
        echo "replication: NOT synchronous/streaming${repl:+ ($repl)}"
        rc=1
    fi
    local archiver archived last at failed
    archiver=$(pg_sql "$PG_PORT" postgres -F ' ' -c "select archived_count, coalesce(last_archived_wal, '-'),
        coalesce(to_char(last_archived_time, 'HH24:MI:SS'), '-'), failed_count from pg_stat_archiver" 2>/dev/null || true)
    if [[ -n $archiver ]]; then
        read -r archived last at failed <<<"$archiver"
        echo "archive : $archived WAL segments to pgBackRest (last $last at $at), $failed failed; 'infra.sh backup' takes a backup"
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

role_arg() { [[ $1 == primary || $1 == replica ]] || usage; }

# stop ROLE: the server in that role goes down and stays down: Patroni is paused first (maintenance mode), so
# nothing fails over or restarts it. For drills of "the database is down", not of failover (that is `kill`).
cmd_stop() {
    role_arg "$1"
    take_lock
    local node
    if ! node=$(role_node "$1"); then
        log "no $1 is running; nothing to stop"
        return
    fi
    paused || run_quiet "patronictl pause" patronictl_ pause --wait
    agent_stop "$node" # paused: its PostgreSQL goes on running...
    pg_stop "$(node_data "$node")" "$node ($1)" # ...until now
    wait_for "$TIMEOUT" "HAProxy to see the $1 gone" "$1_down" || die "the $1 port still answers"
    # commits must not wait for a replica that is gone: Patroni drops it from the synchronous set, paused or not
    [[ $1 == replica ]] && { wait_for "$TIMEOUT" "the primary to stop waiting for the replica" no_sync_standby ||
        die "the primary still waits for the stopped replica's acknowledgement"; }
    return 0
}

# start ROLE: undo `stop` (of either role): start what it stopped, then resume Patroni.
cmd_start() {
    role_arg "$1"
    take_lock
    cluster_up
    wait_for_replica || die "the replica did not come back; see $PG_DIR/logs"
}

# pause-replay: the replica goes on receiving WAL (so synchronous commits go on) but stops applying it: a replica
# falling behind, as the read path must notice. Patroni would resume replay on its next loop, so it is paused
# (maintenance mode) first.
cmd_pause_replay() {
    take_lock
    replica_answers || die "no replica answers on :$PG_REPLICA_PORT"
    paused || run_quiet "patronictl pause" patronictl_ pause --wait
    pg_sql "$PG_REPLICA_PORT" postgres -c 'select pg_wal_replay_pause()' >/dev/null
    log "replica: WAL replay paused"
}

# resume-replay: undo pause-replay, and resume Patroni.
cmd_resume_replay() {
    take_lock
    replica_answers && pg_sql "$PG_REPLICA_PORT" postgres -c 'select pg_wal_replay_resume()' >/dev/null
    cluster_up
    wait_for_replica || die "the replica is not back in sync; see $PG_DIR/logs"
}

# kill ROLE: the node in that role dies at once, as a machine would: kill -9 of its Patroni, its postmaster and
# every backend. Nothing is paused: a killed primary's lock expires and the replica is promoted. `up` brings the
# dead node back as a replica.
cmd_kill() {
    role_arg "$1"
    take_lock
    local node agent postmaster
    node=$(role_node "$1") || die "no node is $1 now"
    agent=$(agent_pid "$node")
    postmaster=$(head -n1 "$(node_data "$node")/postmaster.pid" 2>/dev/null || true)
    [[ -n $agent ]] && kill -KILL "$agent"
    if [[ $postmaster =~ ^[0-9]+$ ]]; then
        pkill -KILL -P "$postmaster" 2>/dev/null || true
        kill -KILL "$postmaster" 2>/dev/null || true
    fi
    log "killed $node, the $1 (Patroni pid ${agent:-none}, postmaster pid ${postmaster:-none})"
}

# switchover: a planned hand-over (maintenance of the primary's host): the synchronous replica becomes the
# primary, the old primary follows it.
cmd_switchover() {
    take_lock
    local leader candidate
    leader=$(role_node primary) || die "no primary now"
    candidate=$(role_node replica) || die "no replica to hand over to"
    run_quiet "patronictl switchover" patronictl_ switchover --leader "$leader" --candidate "$candidate" --force
    wait_for "$TIMEOUT" "$candidate to be primary" node_in_role "$candidate" primary || die "switchover did not complete"
    wait_for "$TIMEOUT" "writes on :$PG_PORT" primary_writable || die "no writable primary after the switchover"
    log "switchover: $candidate is primary, $leader follows"
}

# backup [full|incr]: a backup of the whole cluster into pgBackRest's repository (full the first time), then what
# the repository holds. Restoring one is the backup-restore drill (deploy/drills/backup-restore.sh).
cmd_backup() {
    local type=${1:-incr}
    [[ $type == full || $type == incr ]] || usage
    take_lock
    primary_writable || die "no primary to back up"
    run_quiet "pgbackrest backup" backrest --type="$type" backup
    backrest info
}

usage() {
    echo "usage: $0 up|down|status|switchover|pause-replay|resume-replay|backup [full|incr]|stop ROLE|start ROLE|kill ROLE|secret auth-keys   (ROLE: primary|replica)" >&2
    exit 2
}

main() {
    case ${1:-} in
    up | down | status | switchover | pause-replay | resume-replay) (($# == 1)) || usage ;;
    stop | start | kill | secret) (($# == 2)) || usage ;;
    backup) (($# <= 2)) || usage ;;
    *) usage ;;
    esac
    validate_config
    find_pg_bin
    resolve_state_dir
    "cmd_${1//-/_}" "${@:2}"
}

main "$@"
