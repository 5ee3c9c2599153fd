#!/usr/bin/env bash
# PostgreSQL's CPU per transaction for the ways a transaction can tell the server its tenant: BEGIN, then the
# set_config as a prepared statement of its own (the services before 54999b6: "separate"), both in one simple
# query ("combined", 54999b6 to accc7a5), or sent with the first statement without waiting for their answer
# ("pipelined", since accc7a5; pgbench's pipeline sends one Sync where the driver sends one per query, so this is
# the best case of it). Each transaction then runs SELECT 1 and COMMIT. pgbench, BENCH_CONNECTIONS (4)
# connections, BENCH_SECONDS (10) per run, BENCH_ROUNDS (6) rounds of the forms, the order reversed every other
# round; server CPU is the postmaster's and its children's utime + stime (and that of children that exited) over
# the run, per transaction, and HAProxy's, which every round trip passes. Needs the local cluster
# (deploy/local/infra.sh up); touches no table.
#
#   bench/begin-forms.sh
set -euo pipefail
PGBENCH=$(pg_config --bindir)/pgbench
PORT=${SCALARHUB_PG_PORT:-55432}
CONNS=${BENCH_CONNECTIONS:-4}
SECS=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-6}
TENANT=d3e00000-0000-4000-8000-000000000001
DIR=$(cd "$(dirname "$0")" && pwd)/target/begin-forms
mkdir -p "$DIR"
printf "BEGIN READ WRITE;\nSELECT set_config('scalarhub.tenant_id', '%s', true);\nSELECT 1;\nCOMMIT;\n" "$TENANT" >"$DIR/separate.sql"
# pgbench's \; keeps both statements in one simple query, as TenantBeginningConnection sends them
printf "BEGIN READ WRITE \\\\; SELECT set_config('scalarhub.tenant_id', '%s', true);\nSELECT 1;\nCOMMIT;\n" "$TENANT" >"$DIR/combined.sql"
printf "\\\\startpipeline\nBEGIN READ WRITE;\nSELECT set_config('scalarhub.tenant_id', '%s', true);\nSELECT 1;\n\\\\endpipeline\nCOMMIT;\n" "$TENANT" >"$DIR/pipelined.sql"
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
postmaster=$(postmaster_of "$PORT")
# shellcheck disable=SC2046 # one word per pid
proxy_ticks() { proc_ticks $(pgrep -x haproxy); } # every HAProxy process's (infra.sh runs one)
hz=$(getconf CLK_TCK)
run() { # run FORM MODE
    local t0 t1 h0 h1 out
    t0=$(pg_ticks "$postmaster") h0=$(proxy_ticks)
    out=$("$PGBENCH" -n -M "$2" -c "$CONNS" -j 2 -T "$SECS" -h 127.0.0.1 -p "$PORT" -U postgres -f "$DIR/$1.sql" postgres 2>&1)
    t1=$(pg_ticks "$postmaster") h1=$(proxy_ticks)
    awk -v f="$1" -v ticks="$((t1 - t0))" -v proxy="$((h1 - h0))" -v hz="$hz" '
        /number of transactions actually processed/ {split($NF, a, "/"); n = a[1]}
        /^tps/ {tps = $3}
        END {printf "%-9s tps %8.1f  server CPU %6.1f us/transaction  haproxy %6.1f us\n", f, tps, ticks * 1e6 / hz / n, proxy * 1e6 / hz / n}' <<<"$out" |
        tee -a "$DIR/results.txt"
}
: >"$DIR/results.txt"
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then
        run separate prepared; run combined simple; run pipelined prepared
    else
        run pipelined prepared; run combined simple; run separate prepared
    fi
done
for form in separate combined pipelined; do
    for column in 6 9; do
        awk -v f="$form" -v c="$column" '$1 == f {print $c}' "$DIR/results.txt" | sort -g |
            awk -v f="$form" -v what="$( ((column == 6)) && echo 'server CPU' || echo 'HAProxy CPU')" '{a[NR] = $1}
                END {printf "median %-9s %6.1f us of %s per transaction\n", f, (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, what}'
    done
done
