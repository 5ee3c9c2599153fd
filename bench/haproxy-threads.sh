#!/usr/bin/env bash
# HAProxy's own cost per database round trip with its default threads (one per CPU) against one thread: two
# throw-away HAProxy instances, configured as infra.sh's primary listener but for nbthread, both in front of the
# node that leads now; pgbench's select-only transaction (one primary-key read, the shape of the apps' reads)
# through each in BENCH_ROUNDS interleaved rounds; per run tps, latency and HAProxy's CPU (utime + stime) per
# transaction, then the medians. Needs the local cluster (deploy/local/infra.sh up) and nothing else running.
#
#   bench/haproxy-threads.sh          BENCH_ROUNDS (6), BENCH_SECONDS (10), BENCH_CONNECTIONS (8); ~3 min
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
ROUNDS=${BENCH_ROUNDS:-6}
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-8}
PG_PORT=${SCALARHUB_PG_PORT:-55432}
PG_BIN=$(pg_config --bindir)
DIR=$(cd "$(dirname "$0")" && pwd)/target/haproxy-threads
DB=pgbench_haproxy_threads
mkdir -p "$DIR"
command -v haproxy >/dev/null || { echo "haproxy is needed (deploy/local/infra.sh installs it)" >&2; exit 1; }

LEADER=$(leader_port "$PG_PORT")

declare -A PORT=([default]=$((PG_PORT + 570)) [one]=$((PG_PORT + 571)))
start_proxy() { # start_proxy VARIANT
    {
        echo "global"
        echo "    maxconn 4000"
        [[ $1 == one ]] && echo "    nbthread 1"
        printf 'defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1h\n    timeout server 1h\n'
        printf 'listen db\n    bind 127.0.0.1:%s\n    server leader 127.0.0.1:%s\n' "${PORT[$1]}" "$LEADER"
    } >"$DIR/$1.cfg"
    haproxy -D -p "$DIR/$1.pid" -f "$DIR/$1.cfg"
}
cleanup() {
    kill "$(cat "$DIR/default.pid" 2>/dev/null)" "$(cat "$DIR/one.pid" 2>/dev/null)" 2>/dev/null || true
    drop_scratch_db "$LEADER" "$DB"
}
trap cleanup EXIT
start_proxy default
start_proxy one
scratch_db "$LEADER" "$DB"
"$PG_BIN/pgbench" -q -i -s 10 -h 127.0.0.1 -p "$LEADER" -U postgres "$DB" >/dev/null 2>&1

proxy_ticks() { proc_ticks "$(cat "$DIR/$1.pid")"; }
: >"$DIR/results.txt"
echo "pgbench -S, $CONNS clients, ${SECS}s a run, $ROUNDS interleaved rounds; HAProxy in front of the leader :$LEADER; cpu: HAProxy's"
for ((round = 1; round <= ROUNDS; round++)); do
    order="default one"
    ((round % 2)) || order="one default"
    for variant in $order; do
        h0=$(proxy_ticks "$variant")
        out=$("$PG_BIN/pgbench" -n -S -M prepared -c "$CONNS" -j 2 -T "$SECS" -h 127.0.0.1 -p "${PORT[$variant]}" -U postgres "$DB" 2>&1)
        h1=$(proxy_ticks "$variant")
        pgbench_run "$variant round $round" "$h0" "$h1" <<<"$out" | tee -a "$DIR/results.txt"
    done
done
for variant in default one; do
    tps=$(awk -v v="$variant" '$1 == v {print $5}' "$DIR/results.txt" | median)
    cpu=$(awk -v v="$variant" '$1 == v {print $10}' "$DIR/results.txt" | median)
    echo "median $variant threads: $tps tps, HAProxy $cpu us per transaction"
done
