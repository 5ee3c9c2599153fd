#!/usr/bin/env bash
# Read throughput of customer-service with and without the read replica, side by side in one run, and
# the replica's lag under a write load (docs/performance.md explains the figures).
#
#   bench/read-throughput.sh
#
# Starts the suite with deploy/local/up.sh on shifted ports (own run dir), seeds customers, then:
#   A1  customer-service as configured (replica on): wrk GET /v1/customers/{id}, GET /v1/customers?size=20
#   B   customer-service restarted with the replica switched off: the same two loads
#   A2  restarted with the replica again: the same two loads, then a write load (POST /v1/customers)
#       while the replica lag is sampled every 200 ms (app gauges + pg_stat_replication)
# Requests go straight to customer-service (not through the gateway) with a gateway-issued token.
# Which server served the reads is proven by scalarhub_db_reads_total{target=...} and by the
# connections the service holds on each PostgreSQL server.
#
# Each phase starts with an uncounted warm-up of BENCH_WARMUP_SECONDS (5) per endpoint.
# Environment: BENCH_SECONDS (15), BENCH_CONNECTIONS (4), BENCH_SEED (200), SCALARHUB_RUN_DIR
# (bench/target/read-run), SCALARHUB_PORT_OFFSET (500). The apps it started are stopped at the end;
# PostgreSQL and Redis are left running.
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/read-run}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-500}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"

SECS=${BENCH_SECONDS:-15}
CONNS=${BENCH_CONNECTIONS:-4}
SEED=${BENCH_SEED:-200}
WARM=${BENCH_WARMUP_SECONDS:-5}
PG_PRIMARY_PORT=${SCALARHUB_PG_PORT:-55432}
PG_REPLICA_PORT=${SCALARHUB_PG_REPLICA_PORT:-55433}
# How the replica is switched off. An empty SCALARHUB_R2DBC_REPLICA_URL does NOT do it: Boot's
# @ConditionalOnProperty (no havingValue) matches any value but "false", empty included, and the app
# then fails to start (see docs/performance.md). "false" makes the condition not match.
NO_REPLICA_ENV=${BENCH_NO_REPLICA_ENV:-SCALARHUB_R2DBC_REPLICA_URL=false}
OUT=$RUN_DIR/results
mkdir -p "$OUT"
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)

cleanup() {
    [[ -n ${sampler:-} ]] && kill "$sampler" 2>/dev/null
    "$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true
}
trap cleanup EXIT

CS="http://127.0.0.1:$(app_port customer-service)"
MG="http://127.0.0.1:$(mgmt_port customer-service)"
GW="http://localhost:$(app_port gateway)"

log "starting the suite (run dir $RUN_DIR, port offset $PORT_OFFSET)"
"$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.out" 2>&1 || { tail -n 40 "$OUT/up.out"; die "up.sh failed"; }
grep 'suite up' "$OUT/up.out" || true
# the metrics below are read as the operator (management ports show nothing but probes to anyone else)
load_secrets

TOKEN=$(curl -s -u scalarhub-demo:demo-secret -d grant_type=client_credentials "$GW/oauth2/token" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || die "no token from the gateway"

log "seeding $SEED customers"
nonce=$(date +%s%N)
: >"$OUT/ids.txt"
for ((i = 1; i <= SEED; i++)); do
    curl -s -o /dev/null -D - -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"name\":\"Seed $i\",\"email\":\"seed-$nonce-$i@example.com\",\"metadata\":{\"plan\":\"bench\"}}" \
        "$CS/v1/customers" | sed -n 's|^[Ll]ocation: .*/v1/customers/\([^[:space:]]*\).*|\1|p' >>"$OUT/ids.txt"
done
(($(wc -l <"$OUT/ids.txt") == SEED)) || die "seeding failed: $(wc -l <"$OUT/ids.txt") of $SEED created"

reads() { # reads TARGET: the read counter, or "absent"
    curl -fsS -u "scalarhub-ops:$SCALARHUB_MANAGEMENT_PASSWORD" "$MG/actuator/prometheus" | awk -v t="target=\"$1\"" '/^scalarhub_db_reads_total/ && index($0, t) {print int($NF); f=1} END {if (!f) print "absent"}'
}
connections() { # connections PORT: sessions customer-service holds on that PostgreSQL server
    psql -h 127.0.0.1 -p "$1" -U postgres -Atc "select count(*) from pg_stat_activity where application_name like 'customer-service%'"
}
wrk_run() { # wrk_run LABEL ARGS...: one bounded load; prints "req/s p50 p99 non2xx"
    local label=$1
    shift
    BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" "$@" >"$OUT/wrk-$label.txt"
    awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
         /Socket errors/ {err=$0} END {printf "%s %s %s %s\n", rps, p50, p99, (bad == "" ? 0 : bad)}' "$OUT/wrk-$label.txt"
}

restart_customer_service() { # restart_customer_service [ENV=VALUE]: stop it, let up.sh start it again
    local pid
    pid=$(cat "$(pid_file customer-service)")
    kill -TERM "$pid"
    wait_for 30 "customer-service to stop" bash -c "! kill -0 $pid 2>/dev/null"
    rm -f "$(pid_file customer-service)"
    env "$@" "$REPO_ROOT/deploy/local/up.sh" >"$OUT/up-restart.out" 2>&1 || { tail -n 40 "$OUT/up-restart.out"; die "restart failed"; }
}

RESULTS=$OUT/read-table.txt
: >"$RESULTS"
phase() { # phase LABEL
    local label=$1 r0 p0 r1 p1
    # warm-up (not counted): every phase but the first follows a restart, and a cold JIT would decide it
    BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"${WARM}s" -H "Authorization: Bearer $TOKEN" -s "$BENCH_DIR/lua/get-by-id.lua" "$CS" >/dev/null
    wrk -t1 -c"$CONNS" -d"${WARM}s" -H "Authorization: Bearer $TOKEN" "$CS/v1/customers?size=20" >/dev/null
    r0=$(reads replica) p0=$(reads primary)
    local byid list
    byid=$(wrk_run "$label-by-id" -s "$BENCH_DIR/lua/get-by-id.lua" "$CS")
    list=$(wrk_run "$label-list" "$CS/v1/customers?size=20")
    r1=$(reads replica) p1=$(reads primary)
    local dr="-" dp="-"
    [[ $r0 != absent ]] && dr=$((r1 - r0)) && dp=$((p1 - p0))
    local conns="primary=$(connections "$PG_PRIMARY_PORT") replica=$(connections "$PG_REPLICA_PORT")"
    printf '%-22s %-32s %s reads(replica/primary)=%s/%s pg_sessions:%s\n' "$label" "GET /v1/customers/{id}" "$byid" "$dr" "$dp" "$conns" | tee -a "$RESULTS"
    printf '%-22s %-32s %s\n' "$label" "GET /v1/customers?size=20" "$list" | tee -a "$RESULTS"
}

log "columns: req/s p50 p99 non-2xx (wrk -t1 -c$CONNS -d${SECS}s, straight to customer-service)"
phase A1-with-replica
log "restarting customer-service with the replica off ($NO_REPLICA_ENV)"
restart_customer_service "$NO_REPLICA_ENV"
[[ $(reads replica) == absent ]] || die "the replica is still configured: scalarhub_db_reads_total is exposed"
phase B-primary-only
log "restarting customer-service with the replica (default configuration)"
restart_customer_service
[[ $(reads replica) != absent ]] || die "the replica did not come back"
phase A2-with-replica

log "write load (POST /v1/customers, ${SECS}s) with replica lag sampled every 200 ms"
lag_file=$OUT/lag-samples.txt
: >"$lag_file"
(
    while :; do
        m=$(curl -fsS -u "scalarhub-ops:$SCALARHUB_MANAGEMENT_PASSWORD" "$MG/actuator/prometheus" 2>/dev/null | awk '/^scalarhub_db_replica_lag_seconds / {s=$2} /^scalarhub_db_replica_lag_bytes / {b=$2} END {print (s == "" ? "NaN" : s), (b == "" ? "NaN" : b)}')
        p=$(psql -h 127.0.0.1 -p "$PG_PRIMARY_PORT" -U postgres -Atc \
            "select coalesce(extract(epoch from replay_lag) * 1000, 0)::numeric(10,1), pg_wal_lsn_diff(sent_lsn, replay_lsn) from pg_stat_replication limit 1" 2>/dev/null | tr '|' ' ')
        echo "$(date +%s.%N | cut -c1-14) $m ${p:-NaN NaN}" >>"$lag_file"
        sleep 0.2
    done
) &
sampler=$!
BENCH_NONCE=$nonce wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" \
    -s "$BENCH_DIR/lua/post-customer.lua" "$CS" >"$OUT/wrk-writes.txt"
kill "$sampler" 2>/dev/null || true
sampler=
writes=$(awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "%s %s %s %s\n", rps, p50, p99, (bad == "" ? 0 : bad)}' "$OUT/wrk-writes.txt")
printf '%-22s %-32s %s\n' A2-with-replica "POST /v1/customers" "$writes" | tee -a "$RESULTS"

stat() { # stat COLUMN: "max median n" over the numeric samples of that column
    awk -v c="$1" '$c != "NaN" && $c != "" {print $c}' "$lag_file" | sort -g |
        awk '{a[NR]=$1} END {if (!NR) {print "- - 0"; exit} printf "%s %s %d\n", a[NR], a[int((NR+1)/2)], NR}'
}
{
    echo
    echo "replica lag during the write load (max median samples):"
    echo "  app gauge scalarhub_db_replica_lag_seconds   $(stat 2)"
    echo "  app gauge scalarhub_db_replica_lag_bytes     $(stat 3)"
    echo "  pg_stat_replication replay_lag (ms)          $(stat 4)"
    echo "  pg_stat_replication sent-replay (bytes)      $(stat 5)"
} | tee -a "$RESULTS"
for app in customer-service gateway auth-server; do
    n=$(grep -c ' ERROR ' "$RUN_DIR/logs/$app.log" 2>/dev/null || true)
    [[ ${n:-0} == 0 ]] || warn "$n ERROR lines in $RUN_DIR/logs/$app.log"
done
