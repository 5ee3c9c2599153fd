#!/usr/bin/env bash
# Peak-throughput cost of -XX:TieredStopAtLevel=1 (C1 only), side by side in one run: customer-service
# and the gateway are restarted alternately with up.sh's flags and with C1 only, and after a warm-up
# GET /v1/customers/{id} is loaded straight at the service and through the gateway.
#
#   bench/jit-throughput.sh
#
# Environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (5), BENCH_CONNECTIONS (4), BENCH_VARIANTS
# ("default c1 default c1"), SCALARHUB_RUN_DIR
# (bench/target/jit-run), SCALARHUB_PORT_OFFSET (500). The apps it started are stopped at the end.
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/jit-run}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-500}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"

SECS=${BENCH_SECONDS:-10}
WARM=${BENCH_WARMUP_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-4}
OUT=$RUN_DIR/results
mkdir -p "$OUT"
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
trap '"$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true' EXIT

CS="http://127.0.0.1:$(app_port customer-service)"
GW="http://localhost:$(app_port gateway)"
"$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.out" 2>&1 || { tail -n 40 "$OUT/up.out"; die "up.sh failed"; }
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
TOKEN=$(demo_token "$GW")
[[ -n $TOKEN ]] || die "no token"
seed_customers "$CS" 50 "$OUT/ids.txt" || die "seeding failed"

restart() { # restart JAVA_OPTS: customer-service and gateway again, with these extra JVM options
    local app pid
    for app in customer-service gateway; do
        pid=$(cat "$(pid_file "$app")")
        kill -TERM "$pid"
        wait_for 60 "$app to stop" bash -c "! kill -0 $pid 2>/dev/null"
        rm -f "$(pid_file "$app")"
    done
    SCALARHUB_JAVA_OPTS="$1" "$REPO_ROOT/deploy/local/up.sh" >"$OUT/up-restart.out" 2>&1 || { tail -n 40 "$OUT/up-restart.out"; die "restart failed"; }
}
: >"$OUT/jit-table.txt"
n=0
for variant in ${BENCH_VARIANTS:-default c1 default c1}; do
    n=$((n + 1))
    opts=""
    [[ $variant == c1 ]] && opts="-XX:TieredStopAtLevel=1"
    restart "$opts"
    printf '%-8s %-28s %s\n' "$variant" "direct GET /v1/customers/{id}" "$(load "$variant-$n-direct" "$CS")" | tee -a "$OUT/jit-table.txt"
    printf '%-8s %-28s %s\n' "$variant" "gateway GET /v1/customers/{id}" "$(load "$variant-$n-gateway" "$GW")" | tee -a "$OUT/jit-table.txt"
done
