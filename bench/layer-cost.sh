#!/usr/bin/env bash
# What the platform's layers cost a request (issue #13 item 1): customer-service against a bare reference app
# (bench/reference-app: WebFlux + R2DBC + JWT resource server, nothing else) on the same read, the ledger's
# transfer against that read, PostgreSQL's CPU per transfer, and a JFR breakdown by layer.
#
#   bench/layer-cost.sh        # ~20 min; results in bench/target/layer-cost/results/layer-cost.txt
#
# 1. Builds the reference app (mvn -q -f bench/reference-app/pom.xml package), starts the suite with
#    deploy/local/up.sh on shifted ports, seeds BENCH_SEED customers through customer-service, and starts the
#    reference app on the replica with a database role of its own (see "the reference app's role" below).
# 2. GET /v1/customers/{id}: both pre-warmed BENCH_PREWARM_SECONDS each (not counted), then BENCH_ROUNDS
#    interleaved rounds (order alternating), each a BENCH_WARMUP_SECONDS warm-up and a counted BENCH_SECONDS
#    wrk run, straight at customer-service's own port and at the reference app. Per run: req/s, p50, p99, the
#    JVM's CPU per request (utime + stime from /proc over the counted run / requests) and the replica's.
# 3. Transfers: BENCH_ACCOUNTS accounts opened and funded through the gateway, then POST /v1/transactions
#    TRANSFERs (a fresh Idempotency-Key each, bench/lua/post-transfer.lua) straight at transaction-service with
#    BENCH_TRANSFER_CONNECTIONS, pre-warmed, then BENCH_ROUNDS rounds interleaved with GET rounds on the
#    reference app (the CPU ratio is same-run). Per run: transfers/s, the JVM's CPU per transfer and the
#    PostgreSQL primary's (the postmaster and all its children, exited ones included), and the JVM's RSS at its end.
# 4. Through the gateway: BENCH_GATEWAY_ROUNDS interleaved rounds of GET by id and of transfers, both with
#    BENCH_TRANSFER_CONNECTIONS, for the bar "transfers >= 0.5 x GET through the gateway".
# 5. JFR: one more counted run each on customer-service (GET), the reference app (GET) and transaction-service
#    (transfers), recorded (settings=profile) and split by layer (bench/jfr-layers.py).
# 6. The ledger's invariants on the accounts the bench opened, then a table of medians and the bars' ratios.
#
# Environment: BENCH_ROUNDS (4), BENCH_SECONDS (15), BENCH_WARMUP_SECONDS (5), BENCH_PREWARM_SECONDS (60),
# BENCH_CONNECTIONS (4, GET), BENCH_TRANSFER_CONNECTIONS (16), BENCH_SEED (200), BENCH_ACCOUNTS (100),
# BENCH_TRANSFER_BASELINE (a commit: its transaction-service, built in a git worktree, runs as instance
# transaction-service.2 on the same ledger beside the build's own as .3, both started together with no class data
# and pre-warmed in turns, and every transfer round loads both, the order alternating: a before/after of the write
# path side by side; both are stopped before the gateway rounds),
# BENCH_BASELINE_JAVA_OPTS (JVM options for instance .2 alone, after the suite's: with BENCH_TRANSFER_BASELINE that
# commit's jar runs with them, without it the build's own jar does, so that a JVM option is measured side by side),
# BENCH_TRANSFER_BASELINE_SQL (SQL for the ledger database, run before every baseline round, with
# BENCH_TRANSFER_SQL run before every other transfer round: without BENCH_TRANSFER_BASELINE, the baseline rounds
# load the suite's own instance, so a database-side change is measured before/after with one jar),
# BENCH_GATEWAY_ROUNDS (2; 0 skips), BENCH_JFR (1; 0 skips), BENCH_MVN_ARGS (extra arguments for the reference
# app's build, e.g. -Dmaven.repo.local=...), SCALARHUB_RUN_DIR (bench/target/layer-cost),
# SCALARHUB_PORT_OFFSET (800). Everything it started is stopped at the end; PostgreSQL and Redis stay.
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/layer-cost}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-800}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS=${BENCH_ROUNDS:-4}
SECS=${BENCH_SECONDS:-15}
WARM=${BENCH_WARMUP_SECONDS:-5}
PREWARM=${BENCH_PREWARM_SECONDS:-60}
CONNS=${BENCH_CONNECTIONS:-4}
TCONNS=${BENCH_TRANSFER_CONNECTIONS:-16}
SEED=${BENCH_SEED:-200}
ACCOUNTS=${BENCH_ACCOUNTS:-100}
GW_ROUNDS=${BENCH_GATEWAY_ROUNDS:-2}
JFR=${BENCH_JFR:-1}
OPENING=1000000
PG_PORT=${SCALARHUB_PG_PORT:-55432}
PG_REPLICA_PORT=${SCALARHUB_PG_REPLICA_PORT:-55433}
OUT=$RUN_DIR/results
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT" "$RUN_DIR/tmp/reference-app"
# the invariants add up every transfers-N.wrk in $OUT: an earlier run with more transfer runs (a baseline's) left some
rm -f "$OUT"/transfers-*.wrk
have wrk || die "wrk is needed (apt-get install wrk)"
have jcmd && have jfr && have python3 || die "jcmd, jfr (a JDK) and python3 are needed"
GW="http://localhost:$(app_port gateway)"
AUTH="http://127.0.0.1:$(app_port auth-server)"
SVC="http://127.0.0.1:$(app_port customer-service)"
LEDGER="http://127.0.0.1:$(app_port transaction-service)"
REF_PORT=$((8090 + PORT_OFFSET))
REF="http://127.0.0.1:$REF_PORT"
REF_ROLE=scalarhub_reference
HZ=$(getconf CLK_TCK)
RESULTS=$OUT/layer-cost.txt
: >"$RESULTS"
REF_PID=

psql_su() { bench_psql "$1" -d "$2" -c "$3"; }

cleanup() {
    if [[ -n $REF_PID ]]; then kill "$REF_PID" 2>/dev/null && wait "$REF_PID" 2>/dev/null || true; fi
    "$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true
    # the role is this bench's: gone with it (its grant first, or PostgreSQL refuses to drop it)
    psql_su "$PG_PORT" customer "DO \$\$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '$REF_ROLE') THEN
        REVOKE ALL ON customer FROM $REF_ROLE; DROP ROLE $REF_ROLE; END IF; END \$\$" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# ---- the reference app and the suite -------------------------------------------------------------------
log "building the reference app (bench/reference-app)"
# shellcheck disable=SC2086 # BENCH_MVN_ARGS is a list of arguments
(cd "$REPO_ROOT" && timeout 900 mvn -q -B -f bench/reference-app/pom.xml package ${BENCH_MVN_ARGS:-}) \
    >"$OUT/reference-build.log" 2>&1 || { tail -n 30 "$OUT/reference-build.log"; die "the reference app did not build"; }
REF_JAR=$(ls "$BENCH_DIR"/reference-app/target/reference-app-*.jar | grep -v plain | head -n 1)

log "starting the suite (run dir $RUN_DIR, port offset $PORT_OFFSET)"
"$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.out" 2>&1 || { tail -n 40 "$OUT/up.out"; die "up.sh failed"; }
SVC_PID=$(cat "$(pid_file customer-service)")
LEDGER_PID=$(cat "$(pid_file transaction-service)")
GW_PID=$(cat "$(pid_file gateway)")
PRIMARY_PID=$(postmaster_of "$PG_PORT")
REPLICA_PID=$(postmaster_of "$PG_REPLICA_PORT")

# tokens live 15 minutes and this bench runs longer: every run takes a fresh one
token() {
    curl -s --max-time 20 -u scalarhub-demo:demo-secret -d grant_type=client_credentials "$GW/oauth2/token" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
TOKEN=$(token)
[[ -n $TOKEN ]] || die "no token from the gateway"

# The reference app's role. customer has row-level security forced on its owner, keyed by a setting the
# platform sets per transaction; a bare app does not set it, it filters by tenant in its own WHERE clause. So
# it connects as a role that may only read that table and bypasses row-level security: the tenant check is
# then the query's alone, which is what a bare app relies on (and what the platform chose not to).
psql_su "$PG_PORT" customer "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$REF_ROLE') THEN
    CREATE ROLE $REF_ROLE LOGIN BYPASSRLS PASSWORD '$REF_ROLE'; END IF; END \$\$; GRANT SELECT ON customer TO $REF_ROLE"
wait_for 30 "the replica to have the reference app's role" \
    bash -c "psql -X -At -h 127.0.0.1 -p $PG_REPLICA_PORT -U $REF_ROLE -d customer -c 'select 1 from customer limit 1' >/dev/null 2>&1" ||
    die "the replica does not let $REF_ROLE read customer"

# The suite's launcher: its JDK (JAVA) and the options every app gets on it (JVM_OPTS), for the reference app below
# and the side-by-side instances further down
load_secrets
# shellcheck source=deploy/local/launch.sh
source "$REPO_ROOT/deploy/local/launch.sh"
log "starting the reference app (port $REF_PORT, the replica, the suite's JDK and JVM flags)"
# the same JDK and JVM flags as up.sh gives every app: only the code differs. (Until 2026-12-01 it ran on the java on
# PATH, JDK 17, while the apps ran on JDK 25: the read ratio compared JDKs as well as code)
# shellcheck disable=SC2086 # JVM_OPTS is a list of options
SERVER_PORT=$REF_PORT REFERENCE_R2DBC_URL="r2dbc:postgresql://127.0.0.1:$PG_REPLICA_PORT/customer" \
    REFERENCE_R2DBC_USERNAME=$REF_ROLE REFERENCE_R2DBC_PASSWORD=$REF_ROLE \
    REFERENCE_JWK_SET_URI="$AUTH/oauth2/jwks" REFERENCE_ISSUER="$GW" \
    "$JAVA" $JVM_OPTS -Djava.io.tmpdir="$RUN_DIR/tmp/reference-app" \
    -jar "$REF_JAR" >"$OUT/reference-app.log" 2>&1 </dev/null &
REF_PID=$!
# a 404 for an unknown id means the token was checked against the key set and the query ran
ref_ready() {
    kill -0 "$REF_PID" 2>/dev/null || { tail -n 30 "$OUT/reference-app.log" >&2; die "the reference app exited"; }
    [[ $(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
        "$REF/v1/customers/$(cat /proc/sys/kernel/random/uuid)") == 404 ]]
}
wait_for 120 "the reference app" ref_ready || die "the reference app did not answer; see $OUT/reference-app.log"

nonce=$(date +%s%N)
log "seeding $SEED customers through customer-service"
: >"$OUT/ids.txt"
for ((i = 1; i <= SEED; i++)); do
    curl -s --max-time 20 -o /dev/null -D - -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"name\":\"Layer $i\",\"email\":\"layer-$nonce-$i@example.com\",\"metadata\":{\"plan\":\"bench\"}}" \
        "$SVC/v1/customers" | sed -n 's|^[Ll]ocation: .*/v1/customers/\([^[:space:]]*\).*|\1|p' >>"$OUT/ids.txt"
done
(($(wc -l <"$OUT/ids.txt") == SEED)) || die "seeding failed ($(wc -l <"$OUT/ids.txt") of $SEED)"

# the two must answer the same thing: the same JSON fields and values, and the same ETag
id=$(head -n 1 "$OUT/ids.txt")
wait_for 10 "the replica to have the seeded customers" \
    bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TOKEN' $REF/v1/customers/$(tail -n 1 "$OUT/ids.txt")) == 200 ]]" ||
    die "the reference app does not see the seeded customers"
curl -s -D "$OUT/same-service.headers" -o "$OUT/same-service.json" -H "Authorization: Bearer $TOKEN" "$SVC/v1/customers/$id"
curl -s -D "$OUT/same-reference.headers" -o "$OUT/same-reference.json" -H "Authorization: Bearer $TOKEN" "$REF/v1/customers/$id"
python3 - "$OUT" <<'PY' | tee -a "$RESULTS"
import json, sys
out = sys.argv[1]
a, b = (json.load(open(f"{out}/same-{n}.json")) for n in ("service", "reference"))
etag = lambda n: [l.split(":", 1)[1].strip() for l in open(f"{out}/same-{n}.headers") if l.lower().startswith("etag:")]
same = a == b and etag("service") == etag("reference")
print(f"same answer from both (JSON fields and values, ETag): {'yes' if same else 'NO'}")
if not same:
    print(f"  service   {a} {etag('service')}\n  reference {b} {etag('reference')}")
PY
other=$(curl -s --max-time 20 -u scalarhub-other-tenant:other-tenant-secret -d grant_type=client_credentials \
    "$GW/oauth2/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
printf "another tenant's token gets: service %s, reference %s (both must be 404)\n" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $other" "$SVC/v1/customers/$id")" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $other" "$REF/v1/customers/$id")" | tee -a "$RESULTS"

# ---- measuring -----------------------------------------------------------------------------------------
# proc_ticks, pg_ticks, postmaster_of: bench/lib.sh
# wrk_summary FILE: "requests 2xx req/s p50-ms p99-ms unanswered" (unanswered: socket errors, at most in flight)
wrk_summary() {
    awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /requests in/ {n = $1} /Requests\/sec/ {rps = $2} /^ +50%/ {p50 = ms($2)} /^ +99%/ {p99 = ms($2)}
        /Non-2xx/ {bad = $NF} /Socket errors/ {gsub(",", ""); err = $4 + $6 + $8 + $10}
        END {printf "%d %d %.1f %.2f %.2f %d\n", n, n - bad, rps, p50, p99, err}' "$1"
}
get_wrk() { # get_wrk URL SECONDS CONNECTIONS OUTFILE
    BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$3" -d"$2s" --latency -H "Authorization: Bearer $TOKEN" \
        -s "$BENCH_DIR/lua/get-by-id.lua" "$1" >"$4"
}
TRANSFER_RUNS=0
transfer_wrk() { # transfer_wrk URL SECONDS OUTFILE (every run's output is kept: the invariants count them)
    TRANSFER_RUNS=$((TRANSFER_RUNS + 1))
    BENCH_ACCOUNTS=$OUT/accounts.txt BENCH_NONCE=$nonce-$TRANSFER_RUNS wrk -t2 -c"$TCONNS" -d"$2s" --latency \
        -H "Authorization: Bearer $TOKEN" -s "$BENCH_DIR/lua/post-transfer.lua" "$1" >"$3"
    cp "$3" "$OUT/transfers-$TRANSFER_RUNS.wrk"
}
# run_get LABEL URL PID ROUND: warm-up, then a counted run with the JVM's and the replica's CPU
run_get() {
    local label=$1 url=$2 pid=$3 round=$4 t0 t1 r0 r1 n ok rps p50 p99 _
    TOKEN=$(token)
    get_wrk "$url" "$WARM" "$CONNS" /dev/null
    t0=$(proc_ticks "$pid") r0=$(pg_ticks "$REPLICA_PID")
    get_wrk "$url" "$SECS" "$CONNS" "$OUT/wrk-$label-$round.txt"
    t1=$(proc_ticks "$pid") r1=$(pg_ticks "$REPLICA_PID")
    read -r n ok rps p50 p99 _ <<<"$(wrk_summary "$OUT/wrk-$label-$round.txt")"
    printf '%-12s round %s  %8.1f req/s  p50 %6.2f ms  p99 %7.2f ms  non-2xx %d  jvm %.3f ms cpu/req  replica %.3f ms cpu/req\n' \
        "$label" "$round" "$rps" "$p50" "$p99" "$((n - ok))" "$(awk -v c=$((t1 - t0)) -v n="$n" -v hz="$HZ" 'BEGIN {print c * 1000 / hz / n}')" \
        "$(awk -v c=$((r1 - r0)) -v n="$n" -v hz="$HZ" 'BEGIN {print c * 1000 / hz / n}')" | tee -a "$RESULTS"
}
# run_transfer LABEL URL PID ROUND: warm-up, then a counted run; CPU per acknowledged (2xx) transfer
run_transfer() {
    local label=$1 url=$2 pid=$3 round=$4 t0 t1 p0 p1 n ok rps p50 p99 _
    case $label in # the database's side of a before/after (BENCH_TRANSFER_BASELINE_SQL); its warm-up follows
        baseline) [[ -z $BASELINE_SQL ]] || sql "$BASELINE_SQL" >/dev/null ;;
        transfer) [[ -z $CURRENT_SQL ]] || sql "$CURRENT_SQL" >/dev/null ;;
    esac
    TOKEN=$(token)
    transfer_wrk "$url" "$WARM" "$OUT/wrk-$label-$round-warm.txt"
    t0=$(proc_ticks "$pid") p0=$(pg_ticks "$PRIMARY_PID")
    transfer_wrk "$url" "$SECS" "$OUT/wrk-$label-$round.txt"
    t1=$(proc_ticks "$pid") p1=$(pg_ticks "$PRIMARY_PID")
    read -r n ok rps p50 p99 _ <<<"$(wrk_summary "$OUT/wrk-$label-$round.txt")"
    ((ok > 0)) || die "no transfer was acknowledged: see $OUT/wrk-$label-$round.txt"
    # and the instance's RSS at the round's end: a side-by-side JVM option (BENCH_BASELINE_JAVA_OPTS) may be a heap size
    printf '%-12s round %s  %8.1f req/s  p50 %6.2f ms  p99 %7.2f ms  non-2xx %d  jvm %.3f ms cpu/transfer  primary %.3f ms cpu/transfer  rss %d MiB\n' \
        "$label" "$round" "$(awk -v ok="$ok" -v n="$n" -v r="$rps" 'BEGIN {print r * ok / n}')" "$p50" "$p99" "$((n - ok))" \
        "$(awk -v c=$((t1 - t0)) -v n="$ok" -v hz="$HZ" 'BEGIN {print c * 1000 / hz / n}')" \
        "$(awk -v c=$((p1 - p0)) -v n="$ok" -v hz="$HZ" 'BEGIN {print c * 1000 / hz / n}')" "$(rss_mib "$pid")" | tee -a "$RESULTS"
}
# run_ref_background ROUND: a reference GET round during the transfer phase, also reading the primary's CPU
# with no transfer running (what the primary spends anyway: the suite's probes, other users of the cluster)
run_ref_background() {
    local p0 p1 s0
    p0=$(pg_ticks "$PRIMARY_PID") s0=$SECONDS
    run_get ref-tx "$REF" "$REF_PID" "$1"
    p1=$(pg_ticks "$PRIMARY_PID")
    awk -v c=$((p1 - p0)) -v s=$((SECONDS - s0)) -v hz="$HZ" -v r="$1" \
        'BEGIN {printf "primary-idle round %s  %.3f cores with no transfers running\n", r, c / hz / s}' | tee -a "$RESULTS"
}

# medians over the rounds printed in $RESULTS (an even count: the mean of the middle two)
median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else if (NR) printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
col() { # col LABEL WORD: the median of the value printed just before WORD on LABEL's lines
    awk -v l="$1" -v w="$2" '$1 == l {for (i = 2; i <= NF; i++) if ($i == w) print $(i - 1)}' "$RESULTS" | median
}
col_after() { # col_after LABEL WORD: the median of the value printed just after WORD on LABEL's lines
    awk -v l="$1" -v w="$2" '$1 == l {for (i = 2; i < NF; i++) if ($i == w) print $(i + 1)}' "$RESULTS" | median
}

# ---- GET by id: customer-service against the reference app ----------------------------------------------
# both JVMs reach their steady speed first (C2 needs a minute or more of traffic here): not counted
log "pre-warming customer-service and the reference app, ${PREWARM}s each"
get_wrk "$SVC" "$PREWARM" "$CONNS" "$OUT/prewarm-service.txt"
get_wrk "$REF" "$PREWARM" "$CONNS" "$OUT/prewarm-reference.txt"
log "GET /v1/customers/{id}: wrk -t1 -c$CONNS, ${WARM}s warm-up + ${SECS}s counted, $ROUNDS interleaved rounds"
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then
        run_get service "$SVC" "$SVC_PID" "$round"; run_get reference "$REF" "$REF_PID" "$round"
    else
        run_get reference "$REF" "$REF_PID" "$round"; run_get service "$SVC" "$SVC_PID" "$round"
    fi
done

# ---- transfers on transaction-service, against reference GETs ---------------------------------------------
post() { # post PATH JSON: the created resource's id (through the gateway, as an API client would)
    local key attempt body
    key=$(cat /proc/sys/kernel/random/uuid)
    # on busy cores a call between services sometimes times out (503): the same key makes a retry safe
    for attempt in 1 2 3 4 5; do
        if body=$(curl -fsS --max-time 20 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
            -H "Idempotency-Key: $key" -d "$2" "$GW$1"); then
            sed -n 's/^{"id":"\([^"]*\)".*/\1/p' <<<"$body"
            return
        fi
        sleep "$attempt" # back off before the retry
    done
}
log "opening $ACCOUNTS accounts with $OPENING each through the gateway"
TOKEN=$(token)
customer=$(post /v1/customers "{\"name\":\"Layer bench\",\"email\":\"layer-ledger-$nonce@example.com\"}")
[[ -n $customer ]] || die "could not create the accounts' customer"
: >"$OUT/accounts.txt"
for ((i = 1; i <= ACCOUNTS; i++)); do
    account=$(post /v1/accounts "{\"customerId\":\"$customer\",\"currency\":\"EUR\"}")
    [[ -n $account ]] || die "could not open account $i"
    [[ -n $(post /v1/transactions "{\"type\":\"DEPOSIT\",\"amount\":$OPENING,\"currency\":\"EUR\",\"destinationAccountId\":\"$account\"}") ]] ||
        die "could not fund account $i"
    echo "$account" >>"$OUT/accounts.txt"
done
# The ledger's state once mattered: until 05a3b2b every key lookup also scanned the idempotency records older than an
# hour (the purge job's row-level security policy was OR-ed into every SELECT; docs/performance.md), so the transfer
# figures depended on how many there were. Still printed with the figures, before and after the transfers, so that a
# return of that cost shows.
sql() { psql -X -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -d ledger -c "$1"; }
aged_keys() {
    printf 'ledger state %s: %s idempotency records older than 1 h\n' "$1" \
        "$(sql "select count(*) from idempotency_key where created_at < now() - interval '1 hour'")" | tee -a "$RESULTS"
}
aged_keys before
BASELINE=${BENCH_TRANSFER_BASELINE:-}
BASELINE_SQL=${BENCH_TRANSFER_BASELINE_SQL:-}
CURRENT_SQL=${BENCH_TRANSFER_SQL:-}
BASELINE_OPTS=${BENCH_BASELINE_JAVA_OPTS:-}
SIDE_BY_SIDE=${BASELINE}${BASELINE_OPTS} # two fresh instances, .2 and .3, below
if [[ -z $SIDE_BY_SIDE && -n $BASELINE_SQL ]]; then
    BASELINE=BENCH_TRANSFER_BASELINE_SQL BASE_LEDGER=$LEDGER BASE_PID=$LEDGER_PID
elif [[ -n $SIDE_BY_SIDE ]]; then
    if [[ -n $BASELINE ]]; then
        BASELINE_JAR=$(baseline_jar transaction-service "$BASELINE" "$RUN_DIR/baseline-$BASELINE" "$OUT/baseline-build.log")
    fi
    # the suite's own launcher (sourced above), configuration and flags: only the jar differs
    CURRENT_JAR=$(jar_of transaction-service)
    if [[ -z $BASELINE ]]; then # the build's own jar on both sides: only .2's JVM options differ
        BASELINE_JAR=$CURRENT_JAR BASELINE="the build with $BASELINE_OPTS"
    fi
    # Both sides fresh, as alike as two instances can be: the build's jar as instance .3 beside the baseline's .2,
    # started together and with no class data. The suite's own instance would not do: it has run since up.sh, on
    # its AOT cache's classes and profiles, and the baseline's jar has no cache, so in the first rounds the baseline
    # was the colder of the two and the comparison flattered the build (seen 2026-12-01: "JVM -12 %" came from the
    # rounds where the baseline was still warming)
    CDS_MODE=off
    jar_of() { echo "$INSTANCE_JAR"; }
    SCALARHUB_JAVA_OPTS="${SCALARHUB_JAVA_OPTS:-} $BASELINE_OPTS" INSTANCE_JAR=$BASELINE_JAR start_app transaction-service.2
    INSTANCE_JAR=$CURRENT_JAR start_app transaction-service.3
    wait_ready transaction-service.2
    wait_ready transaction-service.3
    BASE_LEDGER="http://127.0.0.1:$(app_port transaction-service.2)"
    BASE_PID=$(cat "$(pid_file transaction-service.2)")
    LEDGER="http://127.0.0.1:$(app_port transaction-service.3)"
    LEDGER_PID=$(cat "$(pid_file transaction-service.3)")
fi
TOKEN=$(token)
if [[ -n $SIDE_BY_SIDE ]]; then
    # in turns, the order reversed halfway (ABBA): neither instance idles while the other warms
    log "pre-warming both transaction-service instances with transfers, ${PREWARM}s each, in turns"
    transfer_wrk "$LEDGER" "$((PREWARM / 2))" "$OUT/prewarm-transfers-1.txt"
    transfer_wrk "$BASE_LEDGER" "$((PREWARM / 2))" "$OUT/prewarm-transfers-baseline-1.txt"
    transfer_wrk "$BASE_LEDGER" "$((PREWARM / 2))" "$OUT/prewarm-transfers-baseline-2.txt"
    transfer_wrk "$LEDGER" "$((PREWARM / 2))" "$OUT/prewarm-transfers-2.txt"
else
    log "pre-warming transaction-service with transfers, ${PREWARM}s"
    transfer_wrk "$LEDGER" "$PREWARM" "$OUT/prewarm-transfers.txt"
    [[ -z $BASELINE ]] || transfer_wrk "$BASE_LEDGER" "$PREWARM" "$OUT/prewarm-transfers-baseline.txt"
fi
log "POST /v1/transactions TRANSFER: wrk -t2 -c$TCONNS, ${WARM}s warm-up + ${SECS}s counted, $ROUNDS rounds interleaved with reference GETs"
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then
        run_transfer transfer "$LEDGER" "$LEDGER_PID" "$round"
        [[ -z $BASELINE ]] || run_transfer baseline "$BASE_LEDGER" "$BASE_PID" "$round"
        run_ref_background "$round"
    else
        run_ref_background "$round"
        [[ -z $BASELINE ]] || run_transfer baseline "$BASE_LEDGER" "$BASE_PID" "$round"
        run_transfer transfer "$LEDGER" "$LEDGER_PID" "$round"
    fi
done
# the gateway must reach only the suite's own instance, which the JFR run below records too
if [[ -n $SIDE_BY_SIDE ]]; then
    stop_instances transaction-service.2 transaction-service.3
    LEDGER="http://127.0.0.1:$(app_port transaction-service)"
    LEDGER_PID=$(cat "$(pid_file transaction-service)")
    # it has served no transfer yet: through the gateway it would be measured cold (seen 2026-12-01: 0.245 of the
    # gateway's GETs, against 0.35 when it had served the transfer rounds)
    log "pre-warming the suite's transaction-service with transfers, ${PREWARM}s"
    TOKEN=$(token)
    transfer_wrk "$LEDGER" "$PREWARM" "$OUT/prewarm-transfers-suite.txt"
fi

# ---- through the gateway: transfers against GET by id, the same connections -------------------------------
gw_get() { # gw_get ROUND
    local n ok rps p50 p99 _
    TOKEN=$(token)
    get_wrk "$GW" "$WARM" "$TCONNS" /dev/null
    get_wrk "$GW" "$SECS" "$TCONNS" "$OUT/wrk-gw-get-$1.txt"
    read -r n ok rps p50 p99 _ <<<"$(wrk_summary "$OUT/wrk-gw-get-$1.txt")"
    printf '%-12s round %s  %8.1f req/s  p50 %6.2f ms  p99 %7.2f ms  non-2xx %d\n' gw-get "$1" "$rps" "$p50" "$p99" "$((n - ok))" | tee -a "$RESULTS"
}
gw_transfer() { # gw_transfer ROUND: transfers/s counts the acknowledged (2xx) ones
    local n ok rps p50 p99 _
    TOKEN=$(token)
    transfer_wrk "$GW" "$WARM" "$OUT/wrk-gw-transfer-$1-warm.txt"
    transfer_wrk "$GW" "$SECS" "$OUT/wrk-gw-transfer-$1.txt"
    read -r n ok rps p50 p99 _ <<<"$(wrk_summary "$OUT/wrk-gw-transfer-$1.txt")"
    printf '%-12s round %s  %8.1f req/s  p50 %6.2f ms  p99 %7.2f ms  non-2xx %d\n' gw-transfer "$1" \
        "$(awk -v ok="$ok" -v n="$n" -v r="$rps" 'BEGIN {print r * ok / n}')" "$p50" "$p99" "$((n - ok))" | tee -a "$RESULTS"
}
if ((GW_ROUNDS > 0)); then
    # the gateway has served only the set-up so far: its JIT needs the same minute of traffic
    log "pre-warming the gateway with GET by id, ${PREWARM}s"
    TOKEN=$(token)
    get_wrk "$GW" "$PREWARM" "$CONNS" "$OUT/prewarm-gateway.txt"
    log "through the gateway: GET by id and transfers, wrk -c$TCONNS each, $GW_ROUNDS interleaved rounds"
    for ((round = 1; round <= GW_ROUNDS; round++)); do
        if ((round % 2)); then gw_get "$round"; gw_transfer "$round"; else gw_transfer "$round"; gw_get "$round"; fi
    done
fi

# ---- JFR: where each JVM's CPU goes, by layer --------------------------------------------------------------
tasks() { # tasks PID FILE: every thread's /proc stat line, prefixed by its id (bench/jfr-layers.py reads them)
    local t
    for t in /proc/"$1"/task/*; do
        { printf '%s ' "${t##*/}"; cat "$t/stat"; } 2>/dev/null || true
    done >"$2"
}
# jfr_run LABEL PID KIND URL CPU-MS: one counted run recorded with JFR, execution samples only
# (bench/jfr-samples.jfc: fewer events, less disturbance than JFR's stock settings). The recording starts before a
# warm-up and only the counted run's samples are classified, to leave out what starting JFR costs.
jfr_run() {
    local label=${1// /-} pid=$2 kind=$3 url=$4 cpu=$5 n since until _
    TOKEN=$(token)
    rm -f "$OUT/jfr-$label.jfr"
    jcmd "$pid" JFR.start name=layer-cost settings="$BENCH_DIR/jfr-samples.jfc" filename="$OUT/jfr-$label.jfr" \
        >"$OUT/jfr-$label.jcmd" 2>&1 || { cat "$OUT/jfr-$label.jcmd"; die "JFR did not start on $label"; }
    if [[ $kind == get ]]; then get_wrk "$url" "$SECS" "$CONNS" /dev/null; else transfer_wrk "$url" "$SECS" "$OUT/jfr-$label-warm.txt"; fi
    tasks "$pid" "$OUT/jfr-$label.tasks0"
    since=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
    if [[ $kind == get ]]; then get_wrk "$url" "$SECS" "$CONNS" "$OUT/jfr-$label.wrk"; else transfer_wrk "$url" "$SECS" "$OUT/jfr-$label.wrk"; fi
    until=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
    tasks "$pid" "$OUT/jfr-$label.tasks1"
    jcmd "$pid" JFR.stop name=layer-cost >>"$OUT/jfr-$label.jcmd" 2>&1 || die "JFR did not stop on $label"
    read -r _ n _ <<<"$(wrk_summary "$OUT/jfr-$label.wrk")"
    timeout 600 python3 "$BENCH_DIR/jfr-layers.py" --label "$1" --jfr "$OUT/jfr-$label.jfr" --since "$since" --until "$until" \
        --cpu-ms "$cpu" --requests "$n" --tasks-before "$OUT/jfr-$label.tasks0" --tasks-after "$OUT/jfr-$label.tasks1" |
        tee -a "$OUT/layers.txt"
}
if ((JFR)); then
    log "JFR: one recorded run each (customer-service GET, reference GET, transaction-service transfers)"
    : >"$OUT/layers.txt"
    jfr_run "customer-service GET" "$SVC_PID" get "$SVC" "$(col_after service jvm)"
    jfr_run "reference app GET" "$REF_PID" get "$REF" "$(col_after reference jvm)"
    jfr_run "transaction-service TRANSFER" "$LEDGER_PID" transfer "$LEDGER" "$(col_after transfer jvm)"
fi

# ---- the ledger's invariants, on the accounts this bench opened ---------------------------------------------
aged_keys after
ids=$(sed "s/.*/'&'/" "$OUT/accounts.txt" | paste -sd,)
acked=0 unanswered=0
for f in "$OUT"/transfers-*.wrk; do
    read -r n ok _ _ _ err <<<"$(wrk_summary "$f")"
    # wrk stops with up to one request in flight per connection, and a timed-out request may still be posted
    acked=$((acked + ok)) unanswered=$((unanswered + TCONNS + err))
done
total=$(sql "select sum(balance) from ledger_account where id in ($ids)")
deposits=$(sql "select coalesce(sum(amount), 0) from ledger_transaction where type = 'DEPOSIT' and destination_account_id in ($ids)")
withdrawals=$(sql "select coalesce(sum(amount), 0) from ledger_transaction where type = 'WITHDRAWAL' and source_account_id in ($ids)")
negative=$(sql "select count(*) from ledger_account where id in ($ids) and balance < 0")
unbalanced=$(sql "select count(*) from ledger_account a where id in ($ids) and balance <> (select coalesce(sum(amount), 0) from ledger_entry e where e.account_id = a.id)")
lopsided=$(sql "select count(*) from ledger_transaction t where type = 'TRANSFER' and source_account_id in ($ids) and (select count(*) || '/' || sum(amount) from ledger_entry e where e.transaction_id = t.id) <> '2/0'")
transfers=$(sql "select count(*) from ledger_transaction where type = 'TRANSFER' and source_account_id in ($ids)")
keys=$(sql "select count(*) || ' ' || count(distinct response_body::jsonb ->> 'id') from idempotency_key where idempotency_key like '$nonce-%'")
read -r key_rows key_txs <<<"$keys"
check() { # check DESCRIPTION CONDITION...
    local what=$1
    shift
    if "$@"; then printf 'invariant  pass  %s\n' "$what"; else printf 'invariant  FAIL  %s\n' "$what"; FAILED=1; fi | tee -a "$RESULTS"
}
FAILED=0
echo | tee -a "$RESULTS"
check "money conserved: sum of balances $total = deposits $deposits - withdrawals $withdrawals (opened with $((ACCOUNTS * OPENING)))" \
    test "$total" -eq $((deposits - withdrawals)) -a "$deposits" -eq $((ACCOUNTS * OPENING))
check "no negative balance ($negative)" test "$negative" -eq 0
check "every balance is the sum of its entries ($unbalanced differ)" test "$unbalanced" -eq 0
check "every transfer has two entries summing to zero ($lopsided do not)" test "$lopsided" -eq 0
check "no idempotency key posted twice: $key_rows keys, $key_txs distinct transactions, $transfers transfers" \
    test "$key_rows" -eq "$key_txs" -a "$key_rows" -eq "$transfers"
check "acknowledged transfers (2xx) $acked <= ledger transfers $transfers <= $acked + $unanswered unanswered at wrk's stops" \
    test "$acked" -le "$transfers" -a "$transfers" -le $((acked + unanswered))

# ---- the table ------------------------------------------------------------------------------------------------
{
    echo
    echo "== layer-cost, commit $(git -C "$REPO_ROOT" rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'): medians of $ROUNDS rounds =="
    printf '%-38s %9s %8s %8s %14s %19s\n' "" "req/s" "p50 ms" "p99 ms" "JVM ms CPU/req" "PG ms CPU/req"
    for l in service reference ref-tx transfer ${BASELINE:+baseline}; do
        case $l in
            service) name="GET customer-service (direct)" pg=replica ;;
            reference) name="GET reference app" pg=replica ;;
            ref-tx) name="GET reference app (transfer rounds)" pg=replica ;;
            transfer) name="TRANSFER transaction-service (direct)" pg=primary ;;
            baseline) name="TRANSFER at $BASELINE (direct)" pg=primary ;;
        esac
        printf '%-38s %9.1f %8.2f %8.2f %14.3f %8.3f (%s)\n' "$name" "$(col "$l" req/s)" "$(col_after "$l" p50)" \
            "$(col_after "$l" p99)" "$(col_after "$l" jvm)" "$(col_after "$l" "$pg")" "$pg"
    done
    if ((GW_ROUNDS > 0)); then
        printf '%-38s %9.1f %8.2f %8.2f\n' "GET through the gateway (c$TCONNS)" "$(col gw-get req/s)" "$(col_after gw-get p50)" "$(col_after gw-get p99)"
        printf '%-38s %9.1f %8.2f %8.2f\n' "TRANSFER through the gateway (c$TCONNS)" "$(col gw-transfer req/s)" "$(col_after gw-transfer p50)" "$(col_after gw-transfer p99)"
    fi
    idle=$(awk '$1 == "primary-idle" {print $4}' "$RESULTS" | median)
    printf 'the primary with no transfers running (during the reference GET rounds): %s cores\n' "$idle"
    grep '^ledger state' "$RESULTS"
    if [[ -n $BASELINE ]]; then
        awk -v b="$BASELINE" -v tr="$(col transfer req/s)" -v br="$(col baseline req/s)" -v tc="$(col_after transfer jvm)" \
            -v bc="$(col_after baseline jvm)" -v tp="$(col_after transfer primary)" -v bp="$(col_after baseline primary)" \
            -v tm="$(col_after transfer rss)" -v bm="$(col_after baseline rss)" \
            'BEGIN {printf "transfers side by side, now / %s: %.3f x the transfers/s, JVM CPU %+.3f ms (%+.1f %%), PostgreSQL CPU %+.3f ms (%+.1f %%), RSS %+.0f MiB (%.0f against %.0f)\n",
                    b, tr / br, tc - bc, (tc - bc) * 100 / bc, tp - bp, (tp - bp) * 100 / bp, tm - bm, tm, bm}'
    fi
    echo
    awk -v sr="$(col service req/s)" -v rr="$(col reference req/s)" -v tc="$(col_after transfer jvm)" \
        -v rc="$(col_after ref-tx jvm)" -v pg="$(col_after transfer primary)" -v tr="$(col transfer req/s)" -v idle="$idle" \
        -v gt="$(col gw-transfer req/s)" -v gg="$(col gw-get req/s)" '
        function verdict(ok) { return ok ? "met" : "MISSED" }
        BEGIN {
            printf "%-58s %8s   %-9s %s\n", "ratio", "here", "bar", "verdict"
            printf "%-58s %8.3f   %-9s %s\n", "service GET throughput / reference GET throughput", sr / rr, ">= 0.85", verdict(sr / rr >= 0.85)
            printf "%-58s %8.2f   %-9s %s\n", "transfer CPU in transaction-service / reference GET CPU", tc / rc, "<= 2.5", verdict(tc / rc <= 2.5)
            printf "%-58s %8.3f   %-9s %s\n", "PostgreSQL primary CPU per transfer (ms)", pg, "<= 1 ms", verdict(pg <= 1)
            printf "%-58s %8.3f   %-9s %s\n", "  of which the primary spends anyway (idle cores / rate)", idle * 1000 / tr, "", ""
            if (gg > 0) printf "%-58s %8.3f   %-9s %s\n", "transfers / GET by id, both through the gateway", gt / gg, ">= 0.5", verdict(gt / gg >= 0.5)
        }'
} | tee -a "$RESULTS"
((JFR)) && { echo; cat "$OUT/layers.txt"; } >>"$RESULTS"
((FAILED == 0)) || die "a ledger invariant does not hold (above)"
log "done: $RESULTS"
