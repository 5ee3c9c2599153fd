#!/usr/bin/env bash
# PostgreSQL's CPU per transfer, the database alone: the statements transaction-service sends for an idempotent
# POST /v1/transactions, replayed by pgbench against the ledger's own migrations in scratch databases on the
# cluster's primary (synchronous standby and all, as the service runs), as the service's role so that row-level
# security applies. One transfer: BEGIN with the tenant's set_config and ledger_post_keyed() (the key's claim and
# record, then the posting; pipelined, as the driver sends them), then COMMIT.
#
# Schema variants, to price a table's indexes or constraints by subtraction: BENCH_VARIANTS ("base") names them,
# BENCH_SQL_<name> is SQL run on that variant's database after the migrations ("base" runs none). The new
# transaction's id comes from bench_transaction_id() (gen_random_uuid(), as the service's UUID.randomUUID()),
# which a variant's SQL may replace. BENCH_HISTORY (0) earlier transfers are in the ledger before the rounds (made
# after the variant's SQL, so with its ids), for a ledger that has been in use rather than an empty one.
#
# BENCH_CONNECTIONS (4) pgbench clients; each variant first runs BENCH_WARM_SECONDS (5) uncounted; then BENCH_ROUNDS
# (4) rounds interleave the variants, the order reversed every other round. A round counts BENCH_SECONDS (10) once
# all of pgbench's connections are up: the transfers written, the CPU of pgbench's backends (the statements' own
# cost, the steady figure) and of the whole primary (pg_ticks: WAL writer and sender, autovacuum, checkpoints too);
# then the medians. The ledger's invariants are checked in every variant's database at the end.
#
# BENCH_PERF=1 also samples the primary's processes with perf (cpu-clock, 10 s of the first variant, after the
# rounds) and prints the functions they spent it in, for where the time goes rather than what a change buys.
#
#   bench/posting-cost.sh                                   ~2 min (one variant)
#   BENCH_VARIANTS="base nofk" BENCH_SQL_nofk="ALTER TABLE ledger_entry DROP CONSTRAINT ledger_entry_account_fkey" bench/posting-cost.sh
#
# Needs the local cluster (deploy/local/infra.sh up) and nothing else loading it.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${SCALARHUB_PG_PORT:-55432}
CONNS=${BENCH_CONNECTIONS:-4}
SECS=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-4}
WARM=${BENCH_WARM_SECONDS:-5}
ACCOUNTS=${BENCH_ACCOUNTS:-1000}
HISTORY=${BENCH_HISTORY:-0}
read -r -a VARIANTS <<<"${BENCH_VARIANTS:-base}"
PG_BIN=$(pg_config --bindir)
DIR=$ROOT/bench/target/posting-cost
TENANT=d3e00000-0000-4000-8000-000000000001
ROLE=scalarhub
export PGOPTIONS="-c client_min_messages=warning" # the migrations' IF EXISTS notices
mkdir -p "$DIR"
db_of() { echo "pgbench_posting_$1"; }
# as_role ARGS: psql as the service's role (row-level security applies), stopping at the first error
as_role() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$ROLE" "$@"; }
cleanup() { local v; for v in "${VARIANTS[@]}"; do drop_scratch_db "$PORT" "$(db_of "$v")"; done; }
trap cleanup EXIT

# the ledger's schema as Flyway builds it: the service's and the platform's versioned migrations in version order
# (the platform's are 1.x), then the repeatable one
mapfile -t MIGRATIONS < <(
    for file in "$ROOT"/transaction-service/src/main/resources/db/migration/V*.sql \
        "$ROOT"/platform-commons/src/main/resources/db/platform/V*.sql; do
        version=${file##*/V}
        version=${version%%__*}
        echo "${version//_/.} $file"
    done | sort -V | cut -d' ' -f2-
    echo "$ROOT/platform-commons/src/main/resources/db/platform/R__idempotency_key.sql"
)
for variant in "${VARIANTS[@]}"; do
    db=$(db_of "$variant")
    scratch_db "$PORT" "$db"
    bench_psql "$PORT" -d postgres -c "alter database $db owner to $ROLE"
    args=()
    for migration in "${MIGRATIONS[@]}"; do args+=(-f "$migration"); done
    as_role -d "$db" "${args[@]}" >/dev/null
    # accounts 1..ACCOUNTS, their ids made from the number (the script below makes the same ids)
    as_role -d "$db" -c "
        BEGIN;
        SELECT set_config('scalarhub.tenant_id', '$TENANT', true);
        INSERT INTO ledger_account (id, currency, status, balance, updated_at)
            SELECT ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, 'EUR', 'OPEN', 1000000000, now()
            FROM generate_series(1, $ACCOUNTS) g;
        COMMIT;" >/dev/null
    # the new transaction's id, as Ledger#post makes it (a random UUID); a variant may redefine it
    bench_psql "$PORT" -d "$db" -c "create function bench_transaction_id() returns uuid language sql volatile
        as 'select gen_random_uuid()'; alter function bench_transaction_id() owner to $ROLE" >/dev/null
    sql_var=BENCH_SQL_$variant
    if [[ -n ${!sql_var:-} ]]; then
        bench_psql "$PORT" -d "$db" -v ON_ERROR_STOP=1 -c "${!sql_var}" >/dev/null
    fi
    if ((HISTORY > 0)); then # a ledger that has been in use: HISTORY earlier transfers, two entries each
        as_role -d "$db" -c "
            BEGIN;
            SELECT set_config('scalarhub.tenant_id', '$TENANT', true);
            CREATE TEMP TABLE history ON COMMIT DROP AS
                SELECT bench_transaction_id() AS id, ('00000000-0000-4000-8000-' || lpad((g % $ACCOUNTS + 1)::text, 12, '0'))::uuid AS source,
                    ('00000000-0000-4000-8000-' || lpad(((g + 1) % $ACCOUNTS + 1)::text, 12, '0'))::uuid AS destination,
                    now() - make_interval(secs => $HISTORY - g) AS at
                FROM generate_series(1, $HISTORY) g;
            INSERT INTO ledger_transaction (id, type, amount, currency, source_account_id, destination_account_id, description, status, created_at)
                SELECT id, 'TRANSFER', 1, 'EUR', source, destination, 'history', 'POSTED', at FROM history;
            INSERT INTO ledger_entry (transaction_id, account_id, amount, created_at)
                SELECT id, source, -1, at FROM history UNION ALL SELECT id, destination, 1, at FROM history;
            COMMIT;" >/dev/null
    fi
    bench_psql "$PORT" -d "$db" -c "vacuum analyze" >/dev/null
done

# One transfer as transaction-service sends it (IdempotentExecutor with Ledger#postClaimingKey), the response body
# about the size of the real one. pgbench's \startpipeline stands for the BEGIN the driver sends with the first statement.
cat >"$DIR/transfer.sql" <<SQL
\\set a random(1, $ACCOUNTS)
\\set b random(1, $((ACCOUNTS - 1)))
\\set b CASE WHEN :b >= :a THEN :b + 1 ELSE :b END
\\set key random(1, 9000000000000000)
\\startpipeline
BEGIN READ WRITE;
SELECT set_config('scalarhub.tenant_id', '$TENANT', true);
SELECT locked, request_hash, response_status, response_headers, response_body, outcome, account_id, detail FROM ledger_post_keyed('bench-client', 'k-' || :key, 86400, '6f1ed002ab5595859014ebf0951522d9f3f4c1f4e1cf6f1b2c7b0e5c1f2a3b4c', 201, '{"Location": "/v1/transactions/0d7e2b9c-6a51-4f0e-9a3c-2f4b8e1d7c60"}', '{"id":"0d7e2b9c-6a51-4f0e-9a3c-2f4b8e1d7c60","type":"TRANSFER","amount":1,"currency":"EUR","sourceAccountId":"00000000-0000-4000-8000-000000000001","destinationAccountId":"00000000-0000-4000-8000-000000000002","description":"bench transfer","status":"POSTED","createdAt":"2026-11-30T15:00:00.000000Z"}', bench_transaction_id(), 'TRANSFER', 1, 'EUR', ('00000000-0000-4000-8000-' || lpad(:a::text, 12, '0'))::uuid, ('00000000-0000-4000-8000-' || lpad(:b::text, 12, '0'))::uuid, 'bench transfer', now());
\\endpipeline
COMMIT;
SQL

postmaster=$(postmaster_of "$PORT")
hz=$(getconf CLK_TCK)
pgbench_transfers() { # pgbench_transfers VARIANT SECONDS
    "$PG_BIN/pgbench" -n -M prepared -c "$CONNS" -j 2 -T "$2" -h 127.0.0.1 -p "$PORT" -U "$ROLE" \
        -f "$DIR/transfer.sql" "$(db_of "$1")" 2>&1
}
backends_of() { # the pids of the backends serving database $1
    bench_psql "$PORT" -d postgres -c "select pid from pg_stat_activity where datname = '$1' and backend_type = 'client backend'"
}
transfers_in() { bench_psql "$PORT" -d "$1" -c "select count(*) from ledger_transaction"; } # as the superuser: no RLS
# measure VARIANT ROUND: pgbench runs SECS + 4 s; the window counted is SECS s once all its connections are up, so
# that connecting and disconnecting are not in it. Counted in the window: transfers (rows in ledger_transaction),
# the ticks of the pgbench backends (the statements' own cost) and of the whole primary (pg_ticks: WAL writer,
# WAL sender, autovacuum, checkpointer too).
measure() {
    local db pids=() deadline b0 b1 p0 p1 n0 n1 bench_pid
    db=$(db_of "$1")
    pgbench_transfers "$1" $((SECS + 4)) >"$DIR/pgbench-$1-$2.txt" &
    bench_pid=$!
    deadline=$((SECONDS + 10))
    until ((${#pids[@]} == CONNS)) || ((SECONDS > deadline)); do mapfile -t pids < <(backends_of "$db"); done
    ((${#pids[@]} == CONNS)) || { echo "pgbench's $CONNS connections to $db did not come up" >&2; exit 1; }
    sleep 1 # measurement window, not synchronisation: its start, past the first transactions
    n0=$(transfers_in "$db") b0=$(proc_ticks "${pids[@]}") p0=$(pg_ticks "$postmaster")
    sleep "$SECS"
    n1=$(transfers_in "$db") b1=$(proc_ticks "${pids[@]}") p1=$(pg_ticks "$postmaster")
    wait "$bench_pid" || { cat "$DIR/pgbench-$1-$2.txt" >&2; exit 1; }
    awk -v label="$1 round $2" -v n=$((n1 - n0)) -v b=$((b1 - b0)) -v p=$((p1 - p0)) -v s="$SECS" -v hz="$hz" 'BEGIN {
        printf "%s  transfers/s %7.1f  backends %7.1f us/transfer  primary %7.1f us/transfer (CPU)\n", label, n / s,
            b * 1e6 / hz / n, p * 1e6 / hz / n}'
}
: >"$DIR/results.txt"
# a first run of each variant, not counted: new backends' caches, the tables' first pages, the function's plans
for variant in "${VARIANTS[@]}"; do pgbench_transfers "$variant" "$WARM" >/dev/null; done
echo "pgbench, $CONNS clients, ${SECS}s counted a run, $ROUNDS interleaved rounds of: ${VARIANTS[*]}"
for ((round = 1; round <= ROUNDS; round++)); do
    order=("${VARIANTS[@]}")
    ((round % 2)) || mapfile -t order < <(printf '%s\n' "${VARIANTS[@]}" | tac)
    for variant in "${order[@]}"; do
        measure "$variant" "$round" | tee -a "$DIR/results.txt"
    done
done
# every variant's ledger must still balance: money conserved, no negative balance, two entries per transfer
for variant in "${VARIANTS[@]}"; do
    check=$(as_role -d "$(db_of "$variant")" -c "
        BEGIN;
        SELECT set_config('scalarhub.tenant_id', '$TENANT', true);
        SELECT (SELECT sum(balance) FROM ledger_account) = $ACCOUNTS::bigint * 1000000000
           AND (SELECT min(balance) FROM ledger_account) >= 0
           AND (SELECT count(*) FROM ledger_entry) = 2 * (SELECT count(*) FROM ledger_transaction)
           AND (SELECT count(*) FROM idempotency_key) = (SELECT count(*) FROM ledger_transaction) - $HISTORY;
        COMMIT;" | grep -E '^[tf]$')
    [[ $check == t ]] || { echo "variant $variant: the ledger's invariants failed" >&2; exit 1; }
done
echo "ledger invariants held in every variant"
for variant in "${VARIANTS[@]}"; do
    column() { awk -v v="$variant" -v c="$1" '$1 == v {print $c}' "$DIR/results.txt" | median; }
    echo "median $variant: $(column 5) transfers/s; CPU per transfer: backends $(column 7) us, primary $(column 10) us"
done

if [[ ${BENCH_PERF:-0} == 1 ]]; then
    variant=${VARIANTS[0]}
    pgbench_transfers "$variant" $((SECS + 4)) >"$DIR/perf-pgbench.txt" &
    bench_pid=$!
    pids=()
    deadline=$((SECONDS + 10))
    until ((${#pids[@]} == CONNS)) || ((SECONDS > deadline)); do mapfile -t pids < <(backends_of "$(db_of "$variant")"); done
    sleep 2 # past the connections' set-up
    targets=$( (echo "$postmaster"; pgrep -P "$postmaster") | paste -sd,)
    perf record -q -e cpu-clock -F 999 -g -p "$targets" -o "$DIR/perf.data" -- sleep "$SECS" >/dev/null 2>&1
    wait "$bench_pid"
    echo "where the primary's CPU went ($variant, ${SECS}s, self time, top 40; perf report -i $DIR/perf.data for more):"
    perf report -i "$DIR/perf.data" --no-children --sort sym --stdio -g none --percent-limit 0.7 2>/dev/null |
        grep -E '^ +[0-9]' | head -40
fi
