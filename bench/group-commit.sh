#!/usr/bin/env bash
# Group commit: PostgreSQL's commit_delay (a committing backend waits that many microseconds for others to share
# its WAL flush when commit_siblings more transactions are open) on a transfer-shaped transaction: two balance
# updates and two ledger rows, committed with synchronous_commit on (the cluster's synchronous standby acks each
# flush). pgbench, BENCH_CONNECTIONS (16) clients like the ledger benchmark's, BENCH_SECONDS (10) a run, the
# delays in BENCH_DELAYS ("0 200") interleaved over BENCH_ROUNDS (4) rounds; per run tps, latency and the primary's
# CPU per transaction (postmaster and children, through pg_ticks), then the medians. A scratch database, dropped
# at the end. Needs the local cluster (deploy/local/infra.sh up) and nothing else running.
#
#   bench/group-commit.sh             ~2 min
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
PORT=${SCALARHUB_PG_PORT:-55432}
CONNS=${BENCH_CONNECTIONS:-16}
SECS=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-4}
DELAYS=${BENCH_DELAYS:-0 200}
PG_BIN=$(pg_config --bindir)
DIR=$(cd "$(dirname "$0")" && pwd)/target/group-commit
DB=pgbench_group_commit
mkdir -p "$DIR"
trap 'drop_scratch_db "$PORT" "$DB"' EXIT
scratch_db "$PORT" "$DB"
bench_psql "$PORT" -d "$DB" -c "create table account (id int primary key, balance bigint not null)" \
    -c "insert into account select g, 1000000 from generate_series(1, 1000) g" \
    -c "create table entry (id bigserial primary key, account int not null, amount bigint not null, at timestamptz not null default now())"
cat >"$DIR/transfer.sql" <<'SQL'
\set a random(1, 1000)
\set b random(1, 1000)
BEGIN;
UPDATE account SET balance = balance - 1 WHERE id = :a;
UPDATE account SET balance = balance + 1 WHERE id = :b;
INSERT INTO entry (account, amount) VALUES (:a, -1), (:b, 1);
COMMIT;
SQL
postmaster=$(postmaster_of "$PORT")
: >"$DIR/results.txt"
echo "pgbench, $CONNS clients, ${SECS}s a run, $ROUNDS interleaved rounds; cpu: the primary's"
for ((round = 1; round <= ROUNDS; round++)); do
    order=$DELAYS
    ((round % 2)) || order=$(tr ' ' '\n' <<<"$DELAYS" | tac | xargs)
    for delay in $order; do
        t0=$(pg_ticks "$postmaster")
        out=$(PGOPTIONS="-c commit_delay=$delay" "$PG_BIN/pgbench" -n -M prepared -c "$CONNS" -j 2 -T "$SECS" \
            -h 127.0.0.1 -p "$PORT" -U postgres -f "$DIR/transfer.sql" "$DB" 2>&1)
        t1=$(pg_ticks "$postmaster")
        pgbench_run "commit_delay $delay round $round" "$t0" "$t1" <<<"$out" | tee -a "$DIR/results.txt"
    done
done
for delay in $DELAYS; do
    tps=$(awk -v d="$delay" '$2 == d {print $6}' "$DIR/results.txt" | median)
    cpu=$(awk -v d="$delay" '$2 == d {print $11}' "$DIR/results.txt" | median)
    echo "median commit_delay $delay: $tps tps, primary $cpu us per transaction (CPU)"
done
