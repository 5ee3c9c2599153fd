#!/usr/bin/env bash
# What tenant scoping costs a request: customer-service as it is now (every transaction sets the tenant,
# row-level security on every table) against the same service as it was just before tenants (commit
# 7d28833, BENCH_BASELINE), side by side, in interleaved rounds, with medians.
#
#   bench/tenancy-cost.sh
#
# Starts the suite with deploy/local/up.sh on shifted ports for a token (auth-server); builds the baseline
# jar once in a git worktree (bench/target/tenancy-cost/baseline); then runs both jars standalone with the
# same settings (no config-server, no Eureka, the same JVM flags, primary + streaming replica), each on a
# database of its own seeded with BENCH_SEED customers, pre-warms each JVM with BENCH_PREWARM_SECONDS of load
# (not counted), and loads GET /v1/customers/{id} straight at each:
# BENCH_ROUNDS rounds, the order of the two alternating, each a warm-up of BENCH_WARMUP_SECONDS then a
# counted wrk run of BENCH_SECONDS. Per run: req/s, p50, p99, the JVM's CPU per request (utime + stime
# from /proc over the counted run, divided by the requests), the replica's (its postmaster and children), and
# the transactions PostgreSQL counts per request. BENCH_BASELINE=<commit> compares any earlier customer-service.
# BENCH_BASELINE_JAVA_OPTS: JVM options for the "before" variant alone, after customer-service's own; with it and no
# BENCH_BASELINE, both variants run the build's own jar and only the options differ.
#
# Environment: BENCH_ROUNDS (4), BENCH_SECONDS (15), BENCH_WARMUP_SECONDS (10), BENCH_PREWARM_SECONDS (90),
# BENCH_CONNECTIONS (4),
# BENCH_SEED (200), BENCH_BASELINE (7d28833), SCALARHUB_RUN_DIR (bench/target/tenancy-cost),
# SCALARHUB_PORT_OFFSET (600). Everything it started is stopped at the end; PostgreSQL and Redis stay.
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/tenancy-cost}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-600}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS=${BENCH_ROUNDS:-4}
SECS=${BENCH_SECONDS:-15}
WARM=${BENCH_WARMUP_SECONDS:-10}
PREWARM=${BENCH_PREWARM_SECONDS:-90}
CONNS=${BENCH_CONNECTIONS:-4}
SEED=${BENCH_SEED:-200}
BASELINE_OPTS=${BENCH_BASELINE_JAVA_OPTS:-}
# with options to compare and no commit named, the build's own jar on both sides
BASELINE=${BENCH_BASELINE:-$([[ -n $BASELINE_OPTS ]] || echo 7d28833)}
PG_PORT=${SCALARHUB_PG_PORT:-55432}
PG_REPLICA_PORT=${SCALARHUB_PG_REPLICA_PORT:-55433}
OUT=$RUN_DIR/results
mkdir -p "$OUT"
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
have wrk || die "wrk is needed (apt-get install wrk)"
GW="http://localhost:$(app_port gateway)"
AUTH="http://localhost:$(app_port auth-server)"
declare -A PORT=([now]=$((18600 + PORT_OFFSET)) [before]=$((18601 + PORT_OFFSET)))
declare -A PID JAR DB

psql_su() { bench_psql "$1" -d postgres -c "$2"; }

cleanup() {
    for variant in "${!PID[@]}"; do kill "${PID[$variant]}" 2>/dev/null || true; done
    "$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true
}
trap cleanup EXIT

# ---- the two jars --------------------------------------------------------------------------------------
JAR[now]=$(ls "$REPO_ROOT"/customer-service/target/customer-service-*.jar 2>/dev/null | grep -v plain | head -n 1 || true)
[[ -n ${JAR[now]} ]] || die "customer-service is not built: run deploy/local/up.sh (or mvn package) first"
# one worktree per commit: a folder reused for another BENCH_BASELINE would measure the old one
if [[ -n $BASELINE ]]; then
    JAR[before]=$(baseline_jar customer-service "$BASELINE" "$RUN_DIR/baseline-$BASELINE" "$OUT/baseline-build.log")
else
    JAR[before]=${JAR[now]}
fi
log "now: customer-service as built; before: ${BASELINE:-the same jar}${BASELINE_OPTS:+, with $BASELINE_OPTS}"

# ---- the suite, for tokens -----------------------------------------------------------------------------
log "starting the suite (run dir $RUN_DIR, port offset $PORT_OFFSET) for auth-server"
"$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.out" 2>&1 || { tail -n 40 "$OUT/up.out"; die "up.sh failed"; }
TOKEN=$(curl -s -u scalarhub-demo:demo-secret -d grant_type=client_credentials "$GW/oauth2/token" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || die "no token from the gateway"

# ---- both variants, standalone, the same settings ------------------------------------------------------
# the JDK and JVM options up.sh gives customer-service (launch.sh: JAVA, jvm_opts): the comparison is made on the JDK
# the suite runs on (until 2026-12-01 both variants ran on the java on PATH, JDK 17, beside a suite on JDK 25)
# shellcheck source=deploy/local/launch.sh
source "$REPO_ROOT/deploy/local/launch.sh"
start() { # start VARIANT
    local variant=$1 db extra_opts=
    [[ $1 == before ]] && extra_opts=$BASELINE_OPTS
    db=customer_tenancy_bench_$variant
    DB[$variant]=$db
    psql_su "$PG_PORT" "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    psql_su "$PG_PORT" "CREATE DATABASE $db OWNER scalarhub"
    wait_for 30 "the replica to have $db" \
        bash -c "psql -X -At -h 127.0.0.1 -p $PG_REPLICA_PORT -U postgres -d $db -c 'select 1' >/dev/null 2>&1"
    # shellcheck disable=SC2046 # jvm_opts prints a list of options
    env SERVER_PORT="${PORT[$variant]}" MANAGEMENT_SERVER_PORT=0 \
        SPRING_CLOUD_CONFIG_ENABLED=false SPRING_CONFIG_IMPORT= EUREKA_CLIENT_ENABLED=false \
        SPRING_R2DBC_URL="r2dbc:postgresql://127.0.0.1:$PG_PORT/$db" SPRING_R2DBC_USERNAME=scalarhub SPRING_R2DBC_PASSWORD=scalarhub \
        SPRING_R2DBC_POOL_INITIAL_SIZE=2 SPRING_R2DBC_POOL_MAX_SIZE=20 \
        SPRING_FLYWAY_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/$db" SPRING_FLYWAY_USER=scalarhub SPRING_FLYWAY_PASSWORD=scalarhub \
        SCALARHUB_R2DBC_REPLICA_URL="r2dbc:pool:postgresql://127.0.0.1:$PG_REPLICA_PORT/$db?initialSize=2&maxSize=20&maxAcquireTime=PT2S&maxCreateConnectionTime=PT1S&connectTimeout=PT1S&validationDepth=LOCAL&applicationName=bench-$variant-replica" \
        SCALARHUB_R2DBC_REPLICA_USERNAME=scalarhub SCALARHUB_R2DBC_REPLICA_PASSWORD=scalarhub SCALARHUB_R2DBC_REPLICA_MAX_LAG=1s \
        SCALARHUB_SECURITY_ISSUER="$GW" SCALARHUB_SECURITY_JWK_SET_URI="$AUTH/oauth2/jwks" \
        SCALARHUB_SERVICEIDENTITY_CLIENTID=customer-service SCALARHUB_SERVICEIDENTITY_CLIENTSECRET=customer-service-secret \
        SCALARHUB_SERVICEIDENTITY_TOKENURI="$AUTH/oauth2/token" \
        LOGGING_LEVEL_IO_SCALARHUB_REQUEST=WARN \
        "$JAVA" $(jvm_opts customer-service) $extra_opts -Djava.io.tmpdir="$RUN_DIR/tmp" \
        -jar "${JAR[$variant]}" >"$OUT/$variant.log" 2>&1 &
    PID[$variant]=$!
}
mkdir -p "$RUN_DIR/tmp"
start now
start before
for variant in now before; do
    wait_for 120 "customer-service ($variant) to answer" \
        bash -c "curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:${PORT[$variant]}/v1/customers?size=1 | grep -q 200"
    log "seeding $SEED customers into the $variant variant"
    : >"$OUT/ids-$variant.txt"
    for ((i = 1; i <= SEED; i++)); do
        curl -s -o /dev/null -D - -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
            -d "{\"name\":\"Seed $i\",\"email\":\"seed-$i@example.com\",\"metadata\":{\"plan\":\"bench\"}}" \
            "http://127.0.0.1:${PORT[$variant]}/v1/customers" |
            sed -n 's|^[Ll]ocation: .*/v1/customers/\([^[:space:]]*\).*|\1|p' >>"$OUT/ids-$variant.txt"
    done
    (($(wc -l <"$OUT/ids-$variant.txt") == SEED)) || die "seeding $variant failed"
done

# the replica's CPU (bench/lib.sh's pg_ticks): the variants take turns on it
REPLICA_PID=$(postmaster_of "$PG_REPLICA_PORT")
xacts() { # committed transactions of the variant's database, primary + replica
    echo $(($(psql_su "$PG_PORT" "select xact_commit from pg_stat_database where datname = '$1'") +
        $(psql_su "$PG_REPLICA_PORT" "select xact_commit from pg_stat_database where datname = '$1'")))
}
HZ=$(getconf CLK_TCK)
RESULTS=$OUT/tenancy-cost.txt
: >"$RESULTS"
run() { # run VARIANT ROUND
    local variant=$1 url="http://127.0.0.1:${PORT[$1]}" t0 t1 x0 x1 r0 r1
    BENCH_IDS=$OUT/ids-$variant.txt wrk -t1 -c"$CONNS" -d"${WARM}s" -H "Authorization: Bearer $TOKEN" \
        -s "$BENCH_DIR/lua/get-by-id.lua" "$url" >/dev/null
    t0=$(proc_ticks "${PID[$variant]}") x0=$(xacts "${DB[$variant]}") r0=$(pg_ticks "$REPLICA_PID")
    BENCH_IDS=$OUT/ids-$variant.txt wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" \
        -s "$BENCH_DIR/lua/get-by-id.lua" "$url" >"$OUT/wrk-$variant-$2.txt"
    t1=$(proc_ticks "${PID[$variant]}") x1=$(xacts "${DB[$variant]}") r1=$(pg_ticks "$REPLICA_PID")
    awk -v v="$variant" -v r="$2" -v cpu="$((t1 - t0))" -v hz="$HZ" -v x="$((x1 - x0))" -v rep="$((r1 - r0))" '
        /Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
        /requests in/ {n=$1}
        END {printf "%-7s round %s  %8.1f req/s  p50 %-8s p99 %-8s non-2xx %s  jvm %.3f ms cpu/req  pg %.2f xact/req  replica %.3f ms cpu/req\n",
             v, r, rps, p50, p99, (bad == "" ? 0 : bad), cpu * 1000 / hz / n, x / n, rep * 1000 / hz / n}' "$OUT/wrk-$variant-$2.txt" |
        tee -a "$RESULTS"
}
# both JVMs reach their steady speed first (C2 takes a minute or more of traffic here): not counted
log "pre-warming each variant for ${PREWARM}s"
for variant in now before; do
    BENCH_IDS=$OUT/ids-$variant.txt wrk -t1 -c"$CONNS" -d"${PREWARM}s" -H "Authorization: Bearer $TOKEN" \
        -s "$BENCH_DIR/lua/get-by-id.lua" "http://127.0.0.1:${PORT[$variant]}" >/dev/null
done
log "GET /v1/customers/{id}, wrk -t1 -c$CONNS, ${WARM}s warm-up + ${SECS}s counted, $ROUNDS interleaved rounds"
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then run now "$round"; run before "$round"; else run before "$round"; run now "$round"; fi
done

{
    echo
    for variant in before now; do
        rps=$(awk -v v="$variant" '$1 == v {print $4}' "$RESULTS" | median)
        cpu=$(awk -v v="$variant" '$1 == v {for (i = 1; i <= NF; i++) if ($i == "jvm") print $(i + 1)}' "$RESULTS" | median)
        rep=$(awk -v v="$variant" '$1 == v {for (i = 1; i <= NF; i++) if ($i == "replica") print $(i + 1)}' "$RESULTS" | median)
        printf 'median %-7s %8.1f req/s  %.3f ms cpu/req  replica %.3f ms cpu/req\n' "$variant" "$rps" "$cpu" "$rep"
    done
} | tee -a "$RESULTS"
awk '/^median before/ {r0=$3; c0=$5; p0=$9} /^median now/ {r1=$3; c1=$5; p1=$9}
     END {printf "now against before: throughput %.3f; JVM CPU per request %+.3f ms (%+.1f %%); replica CPU per request %+.3f ms (%+.1f %%)\n",
          r1 / r0, c1 - c0, (c1 - c0) * 100 / c0, p1 - p0, (p0 > 0 ? (p1 - p0) * 100 / p0 : 0)}' \
    "$RESULTS" | tee -a "$RESULTS"
# each JVM's resident memory after the rounds (both have served the same requests)
for variant in before now; do
    printf 'rss %-7s %s MiB\n' "$variant" "$(awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/${PID[$variant]}/status")"
done | tee -a "$RESULTS"
# ---- PostgreSQL's side: which part of that is row-level security, which the extra statement ------------------
# pgbench on the "now" database, as the service's role, the statements one GET sends (BEGIN READ ONLY, the
# read by primary key, COMMIT) in three forms: on a copy of the table without RLS; on the RLS table with the
# tenant set once per session (RLS alone); on the RLS table with set_config in every transaction (what the
# service does). Interleaved rounds, medians.
PGBENCH=$(pg_config --bindir 2>/dev/null)/pgbench
if [[ -x $PGBENCH ]]; then
    db=${DB[now]}
    tenant=d3e00000-0000-4000-8000-000000000001
    psql -X -q -o /dev/null -h 127.0.0.1 -p "$PG_PORT" -U scalarhub -d "$db" -v ON_ERROR_STOP=1 <<SQL
BEGIN;
SELECT set_config('scalarhub.tenant_id', '$tenant', true);
CREATE TABLE customer_plain AS SELECT * FROM customer;
ALTER TABLE customer_plain ADD PRIMARY KEY (id);
CREATE TABLE bench_ids AS SELECT row_number() OVER (ORDER BY id)::int AS n, id FROM customer;
ALTER TABLE bench_ids ADD PRIMARY KEY (n);
COMMIT;
ANALYZE customer_plain; ANALYZE bench_ids;
SQL
    n=$(psql -X -At -h 127.0.0.1 -p "$PG_PORT" -U scalarhub -d "$db" -c "select count(*) from bench_ids")
    read_sql() { echo "SELECT id, name, email, phone, metadata, status, version, created_at, updated_at FROM $1 WHERE id = (SELECT id FROM bench_ids WHERE n = :n);"; }
    printf '\set n random(1, %s)\nBEGIN READ ONLY;\n%s\nCOMMIT;\n' "$n" "$(read_sql customer_plain)" >"$OUT/pg-plain.sql"
    printf '\set n random(1, %s)\nBEGIN READ ONLY;\n%s\nCOMMIT;\n' "$n" "$(read_sql customer)" >"$OUT/pg-rls.sql"
    printf '\set n random(1, %s)\nBEGIN READ ONLY;\nSELECT set_config('"'"'scalarhub.tenant_id'"'"', '"'"'%s'"'"', true);\n%s\nCOMMIT;\n' \
        "$n" "$tenant" "$(read_sql customer)" >"$OUT/pg-scoped.sql"
    pgbench_run() { # pgbench_run FORM ROUND: prints "FORM round N  tps  latency-ms"
        PGOPTIONS=$([[ $1 == rls ]] && echo "-c scalarhub.tenant_id=$tenant") \
            "$PGBENCH" -n -M prepared -c "$CONNS" -j 2 -T 10 -h 127.0.0.1 -p "$PG_PORT" -U scalarhub \
            -f "$OUT/pg-$1.sql" "$db" >"$OUT/pgbench-$1-$2.txt" 2>&1
        awk -v f="$1" -v r="$2" '/^tps/ {tps=$3} /latency average/ {lat=$4}
            END {printf "pg-%-7s round %s  %9.1f tps  %.3f ms\n", f, r, tps, lat}' "$OUT/pgbench-$1-$2.txt"
    }
    log "PostgreSQL alone: pgbench -c$CONNS -T10 per form, $ROUNDS interleaved rounds"
    for ((round = 1; round <= ROUNDS; round++)); do
        for form in plain rls scoped; do pgbench_run "$form" "$round" | tee -a "$RESULTS"; done
    done
    {
        echo
        for form in plain rls scoped; do
            tps=$(awk -v f="pg-$form" '$1 == f {print $4}' "$RESULTS" | median)
            printf 'median pg-%-7s %9.1f tps  %.1f us/transaction\n' "$form" "$tps" "$(echo "$tps" | awk -v c="$CONNS" '{print c * 1000000 / $1}')"
        done
    } | tee -a "$RESULTS"
fi
for variant in now before; do psql_su "$PG_PORT" "DROP DATABASE IF EXISTS ${DB[$variant]} WITH (FORCE)" || true; done
