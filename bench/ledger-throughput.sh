#!/usr/bin/env bash
# Ledger throughput: concurrent POST /v1/transactions (transfers in both directions among a few accounts,
# a fresh Idempotency-Key each) through the gateway, then the invariants checked in the ledger database.
#
#   bench/ledger-throughput.sh
#
# Starts the suite with deploy/local/up.sh on shifted ports (own run dir), opens BENCH_ACCOUNTS accounts
# with 1,000,000 minor units each, warms up, runs wrk for BENCH_SECONDS, and prints req/s, p50, p99 and
# the non-2xx count. Then, straight from PostgreSQL: total money unchanged, no negative balance, every
# balance equal to the sum of its entries, and one ledger transaction per acknowledged request.
# Environment: BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (20, counted in the invariants, not the rate), BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_ACCOUNTS (100),
# SCALARHUB_RUN_DIR (bench/target/ledger-run), SCALARHUB_PORT_OFFSET (600). The apps it started are
# stopped at the end; PostgreSQL and Redis are left running.
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/ledger-run}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-600}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"

SECS=${BENCH_SECONDS:-20}
WARM=${BENCH_WARMUP_SECONDS:-20}
CONNS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
ACCOUNTS=${BENCH_ACCOUNTS:-100}
OPENING=1000000
PG_PORT=${SCALARHUB_PG_PORT:-55432}
OUT=$RUN_DIR/results
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
trap '"$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true' EXIT

GW="http://localhost:$(app_port gateway)"
log "starting the suite (run dir $RUN_DIR, port offset $PORT_OFFSET)"
"$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.out" 2>&1 || { tail -n 40 "$OUT/up.out"; die "up.sh failed"; }

TOKEN=$(curl -s -u scalarhub-demo:demo-secret -d grant_type=client_credentials "$GW/oauth2/token" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || die "no token from the gateway"
post() { # post PATH JSON: prints the created resource's id
    curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" -d "$2" "$GW$1" |
        sed -n 's/^{"id":"\([^"]*\)".*/\1/p'
}

nonce=$(date +%s%N)
customer=$(post /v1/customers "{\"name\":\"Ledger bench\",\"email\":\"ledger-$nonce@example.com\"}")
[[ -n $customer ]] || die "could not create the customer"
accounts=$OUT/accounts.txt
: >"$accounts"
for ((i = 1; i <= ACCOUNTS; i++)); do
    id=$(post /v1/accounts "{\"customerId\":\"$customer\",\"currency\":\"EUR\"}")
    [[ -n $id ]] || die "could not open account $i"
    echo "$id" >>"$accounts"
    [[ -n $(post /v1/transactions "{\"type\":\"DEPOSIT\",\"amount\":$OPENING,\"currency\":\"EUR\",\"destinationAccountId\":\"$id\"}") ]] ||
        die "could not fund account $i"
done
log "$ACCOUNTS accounts with $OPENING each"

run() { # run LABEL SECONDS: wrk through the gateway; prints "requests non2xx req/s p50 p99"
    BENCH_ACCOUNTS=$accounts BENCH_NONCE=$nonce-$1 wrk -t"$THREADS" -c"$CONNS" -d"$2s" --latency \
        -H "Authorization: Bearer $TOKEN" -s "$BENCH_DIR/lua/post-transfer.lua" "$GW" >"$OUT/wrk-$1.txt"
    awk '/requests in/ {n=$1} /Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
         END {printf "%s %s %s %s %s\n", n, (bad == "" ? 0 : bad), rps, p50, p99}' "$OUT/wrk-$1.txt"
}
read -r warm_n warm_bad _ <<<"$(run warmup "$WARM")"
read -r n bad rps p50 p99 <<<"$(run measured "$SECS")"
printf 'POST /v1/transactions through the gateway (wrk -t%s -c%s -d%ss): %s req/s, p50 %s, p99 %s, %s of %s non-2xx\n' \
    "$THREADS" "$CONNS" "$SECS" "$rps" "$p50" "$p99" "$bad" "$n" | tee "$OUT/ledger-table.txt"

ids=$(sed "s/.*/'&'/" "$accounts" | paste -sd,)
sql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d ledger -Atc "$1"; }
total=$(sql "select sum(balance) from ledger_account where id in ($ids)")
negative=$(sql "select count(*) from ledger_account where id in ($ids) and balance < 0")
unbalanced=$(sql "select count(*) from ledger_account a where id in ($ids) and balance <> (select coalesce(sum(amount),0) from ledger_entry e where e.account_id = a.id)")
transfers=$(sql "select count(*) from ledger_transaction where type = 'TRANSFER' and source_account_id in ($ids)")
acknowledged=$((warm_n - warm_bad + n - bad))
# wrk stops with up to one request in flight per connection: the server may still have posted those,
# so the ledger holds between the acknowledged count and that plus the in-flight bound
in_flight=$((2 * CONNS))
{
    echo "invariants: total $total (expected $((ACCOUNTS * OPENING))), negative balances $negative, balances != sum of entries $unbalanced,"
    echo "            ledger transfers $transfers, acknowledged (2xx) $acknowledged, unanswered at wrk's stop <= $in_flight"
} | tee -a "$OUT/ledger-table.txt"
((acknowledged > 0)) || die "no request was acknowledged: see $OUT/wrk-measured.txt and $RUN_DIR/logs/"
[[ $total == $((ACCOUNTS * OPENING)) && $negative == 0 && $unbalanced == 0 ]] &&
    ((transfers >= acknowledged && transfers <= acknowledged + in_flight)) || die "an invariant does not hold"
log "every invariant holds"
