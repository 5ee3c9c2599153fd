#!/usr/bin/env bash
# Billing throughput: how many due subscriptions per second one billing run renews, each charged through
# the real ledger (transaction-service) with its own derived charge id, then the money checked in the ledger.
#
#   bench/billing-throughput.sh
#
# Starts the suite with deploy/local/up.sh on shifted ports (own run dir), opens BENCH_ACCOUNTS accounts
# through the gateway with 10,000,000 minor units each, and stores BENCH_SUBSCRIPTIONS subscriptions
# (price 100 EUR-cents a month, spread over the accounts) whose period has ended, straight in the
# subscription database (product-service is not needed to renew: the price is the subscription's own).
# Then POST /v1/billing-runs through the gateway (202), polls GET until COMPLETED and prints
# subscriptions/s = total / (completedAt - startedAt). Checks afterwards, in PostgreSQL: as many period-2
# charges in the ledger as subscriptions, and every account down by exactly its subscriptions' price.
# Environment: BENCH_SUBSCRIPTIONS (1000), BENCH_ACCOUNTS (50), SCALARHUB_RUN_DIR
# (bench/target/billing-run), SCALARHUB_PORT_OFFSET (700). The apps it started are stopped at the end;
# PostgreSQL and Redis are left running.
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/billing-run}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-700}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"

SUBS=${BENCH_SUBSCRIPTIONS:-1000}
ACCOUNTS=${BENCH_ACCOUNTS:-50}
OPENING=10000000
PRICE=100
PG_PORT=${SCALARHUB_PG_PORT:-55432}
OUT=$RUN_DIR/results
mkdir -p "$OUT"
trap '"$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true' EXIT
sql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -Atc "$2"; }

GW="http://localhost:$(app_port gateway)"
log "starting the suite (run dir $RUN_DIR, port offset $PORT_OFFSET)"
"$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.out" 2>&1 || { tail -n 40 "$OUT/up.out"; die "up.sh failed"; }

TOKEN=$(curl -s -u scalarhub-demo:demo-secret -d grant_type=client_credentials "$GW/oauth2/token" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || die "no token from the gateway"
post() { # post PATH JSON: prints the created resource's id; a 503 (a service still warming up) is retried
    # with the same Idempotency-Key, as an API client should
    curl -fsS --retry 10 --retry-delay 1 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" -d "$2" "$GW$1" |
        sed -n 's/^{"id":"\([^"]*\)".*/\1/p'
}

nonce=$(date +%s%N)
customer=$(post /v1/customers "{\"name\":\"Billing bench\",\"email\":\"billing-$nonce@example.com\"}")
[[ -n $customer ]] || die "could not create the customer"
accounts=()
for ((i = 1; i <= ACCOUNTS; i++)); do
    id=$(post /v1/accounts "{\"customerId\":\"$customer\",\"currency\":\"EUR\"}")
    [[ -n $id ]] || die "could not open account $i"
    accounts+=("$id")
    [[ -n $(post /v1/transactions "{\"type\":\"DEPOSIT\",\"amount\":$OPENING,\"currency\":\"EUR\",\"destinationAccountId\":\"$id\"}") ]] ||
        die "could not fund account $i"
done
log "$ACCOUNTS accounts with $OPENING each"

# due subscriptions of the demo client's tenant (as superuser, row-level security does not apply: the tenant
# is named); period 1 ended a day ago; earlier benchmark runs' subscriptions are left canceled
TENANT=d3e00000-0000-4000-8000-000000000001
sql subscription "UPDATE subscription SET status = 'CANCELED' WHERE tenant_id = '$TENANT' AND status <> 'CANCELED'" >/dev/null
ids=$(printf "'%s'," "${accounts[@]}")
sql subscription "INSERT INTO subscription (tenant_id, id, customer_id, product_id, account_id, status, price_amount, currency,
    billing_interval, period_number, current_period_start, current_period_end, created_at, updated_at)
  SELECT '$TENANT', gen_random_uuid(), '$customer', gen_random_uuid(), (ARRAY[${ids%,}]::uuid[])[1 + g % $ACCOUNTS], 'ACTIVE',
    $PRICE, 'EUR', 'MONTH', 1, now() - interval '1 month 1 day', now() - interval '1 day', now(), now()
  FROM generate_series(1, $SUBS) g" >/dev/null
log "$SUBS due subscriptions stored"

run=$(curl -fsS --retry 10 --retry-delay 1 -D "$OUT/run.headers" -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" \
    -X POST "$GW/v1/billing-runs" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
grep -q '^HTTP/1.1 202' "$OUT/run.headers" || die "POST /v1/billing-runs did not answer 202"
log "billing run $run accepted (202); polling"
deadline=$((SECONDS + 1800))
until [[ $(curl -fsS -H "Authorization: Bearer $TOKEN" "$GW/v1/billing-runs/$run" | tee "$OUT/run.json") == *'"status":"COMPLETED"'* ]]; do
    ((SECONDS < deadline)) || die "run not completed in time: $(cat "$OUT/run.json")"
    sleep 1
done
cat "$OUT/run.json"; echo
rate=$(sql subscription "SELECT round(total / extract(epoch FROM completed_at - started_at)::numeric, 1) || ' subscriptions/s ('
    || total || ' in ' || round(extract(epoch FROM completed_at - started_at)::numeric, 1) || ' s)' FROM billing_run WHERE id = '$run'")
charged=$(sql subscription "SELECT count(*) FROM billing_run_item WHERE run_id = '$run' AND status = 'CHARGED'")
posted=$(sql ledger "SELECT count(*) FROM ledger_transaction WHERE type = 'WITHDRAWAL' AND source_account_id IN (${ids%,})
    AND description LIKE 'Subscription %, period 2'")
wrong=$(sql ledger "SELECT count(*) FROM ledger_account a WHERE a.id IN (${ids%,}) AND a.balance <> $OPENING - $PRICE *
    (SELECT count(*) FROM ledger_transaction t WHERE t.source_account_id = a.id AND t.description LIKE 'Subscription %, period 2')")
log "billing: $rate; charged $charged of $SUBS; ledger charges $posted; accounts off by anything but their charges: $wrong"
[[ $charged == "$SUBS" && $posted == "$SUBS" && $wrong == 0 ]] || die "money check failed"
echo "$(date -u +%FT%TZ) $rate charged=$charged ledger=$posted" >>"$OUT/billing-throughput.txt"
# the bench's subscriptions are not real ones: leave nothing due for later runs (a user's, the e2e test's)
sql subscription "UPDATE subscription SET status = 'CANCELED' WHERE customer_id = '$customer'" >/dev/null
