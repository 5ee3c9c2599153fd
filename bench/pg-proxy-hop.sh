#!/usr/bin/env bash
# What HAProxy in front of the PostgreSQL nodes costs (docs/reliability.md): pgbench's select-only transaction
# (one primary-key read, the shape of the apps' reads) on pooled connections, through the primary port (HAProxy)
# and straight to the node that leads now, in interleaved rounds; prints each round, the medians and the ratio.
# Needs the local cluster (deploy/local/infra.sh up) and nothing else running.
#
#   bench/pg-proxy-hop.sh            ROUNDS=3 SECS=10 CLIENTS=8 by default
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"

ROUNDS=${ROUNDS:-3}
SECS=${SECS:-10}
CLIENTS=${CLIENTS:-8}
PG_PORT=${SCALARHUB_PG_PORT:-55432}
PG_BIN=$(pg_config --bindir)
DB=pgbench_proxy_hop

DIRECT_PORT=$(leader_port "$PG_PORT")

scratch_db "$PG_PORT" "$DB"
trap 'drop_scratch_db "$PG_PORT" "$DB"' EXIT
"$PG_BIN/pgbench" -q -i -s 10 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$DB" >/dev/null 2>&1

# run PORT: "tps latency_ms"
run() {
    "$PG_BIN/pgbench" -n -S -c "$CLIENTS" -j 2 -T "$SECS" -h 127.0.0.1 -p "$1" -U postgres "$DB" 2>/dev/null |
        awk '/^latency average/ {lat = $4} /^tps/ {tps = $3} END {printf "%.0f %.3f\n", tps, lat}'
}

echo "pgbench -S, $CLIENTS clients, ${SECS}s a run, $ROUNDS interleaved rounds; HAProxy :$PG_PORT, leader direct :$DIRECT_PORT"
: >/tmp/pg-proxy-hop.$$
for ((r = 1; r <= ROUNDS; r++)); do
    for target in haproxy direct; do
        if [[ $target == haproxy ]]; then port=$PG_PORT; else port=$DIRECT_PORT; fi
        result=$(run "$port")
        echo "round $r $target: ${result% *} tps, ${result#* } ms average latency"
        echo "$target $result" >>/tmp/pg-proxy-hop.$$
    done
done
proxy_tps=$(awk '$1 == "haproxy" {print $2}' /tmp/pg-proxy-hop.$$ | median)
direct_tps=$(awk '$1 == "direct" {print $2}' /tmp/pg-proxy-hop.$$ | median)
proxy_lat=$(awk '$1 == "haproxy" {print $3}' /tmp/pg-proxy-hop.$$ | median)
direct_lat=$(awk '$1 == "direct" {print $3}' /tmp/pg-proxy-hop.$$ | median)
rm -f /tmp/pg-proxy-hop.$$
echo "median: through HAProxy $proxy_tps tps ($proxy_lat ms), direct $direct_tps tps ($direct_lat ms)"
awk -v p="$proxy_tps" -v d="$direct_tps" -v pl="$proxy_lat" -v dl="$direct_lat" \
    'BEGIN {printf "HAProxy/direct: throughput %.2f, latency +%.3f ms a transaction\n", p / d, pl - dl}'
