#!/usr/bin/env bash
# Scale-out and scale-in under load (issue #14, item 5): how soon a new instance receives traffic once ready, how
# soon a stopping one receives none, and whether any request fails meanwhile.
#
#   bench/scale-out.sh
#
# Starts the suite with deploy/local/up.sh on shifted ports (or uses the one running in SCALARHUB_RUN_DIR), seeds 50
# customers, and loads GET /v1/customers/{id} through the gateway (wrk -t1 -c4) for BENCH_SECONDS. Meanwhile:
# deploy/local/scale.sh customer-service 2 (the new instance's first request, in seconds after its readiness, as
# scale.sh measures it; then each instance's share of 10 s of traffic), then scale.sh customer-service 1 (SIGTERM to
# the second instance: when it answered its last request after it left Eureka, from its log). Prints those figures
# and wrk's: requests, non-2xx, socket errors, p50/p99.
# The bars: traffic ≤ 10 s after ready, none ≤ 10 s after deregistering, 0 failed requests.
#
# Environment: BENCH_SECONDS (150), BENCH_KEEP (leave the suite running), SCALARHUB_RUN_DIR (bench/target/scale-out),
# SCALARHUB_PORT_OFFSET (1100).
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/scale-out}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-1100}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"
BENCH_DIR=$REPO_ROOT/bench
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

have wrk || die "wrk is not installed (apt-get install wrk)"
SECS=${BENCH_SECONDS:-150}
OUT=$RUN_DIR/results
mkdir -p "$OUT"
GATEWAY=http://127.0.0.1:$(app_port gateway)
APP=customer-service
SECOND=$(instance_name "$APP" 2)

started_here=
cleanup() {
    [[ -n ${WRK_PID:-} ]] && kill "$WRK_PID" 2>/dev/null || true
    "$REPO_ROOT/deploy/local/scale.sh" "$APP" 1 >/dev/null 2>&1 || true
    if [[ -n $started_here && -z ${BENCH_KEEP:-} ]]; then
        "$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

app_alive gateway && app_alive "$APP" || {
    started_here=yes
    "$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.log" 2>&1 || { tail -n 20 "$OUT/up.log"; die "the suite did not start"; }
}
load_secrets
# shellcheck source=deploy/local/launch.sh
source "$REPO_ROOT/deploy/local/launch.sh" >/dev/null

TOKEN=$(demo_token "$GATEWAY")
[[ -n $TOKEN ]] || die "no token from $GATEWAY"
seed_customers "$GATEWAY" 50 "$OUT/ids.txt" || die "could not seed customers"

log "loading $GATEWAY for ${SECS}s"
BENCH_IDS=$OUT/ids.txt wrk -t1 -c4 -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" \
    -s "$BENCH_DIR/lua/get-by-id.lua" "$GATEWAY" >"$OUT/wrk.txt" 2>&1 &
WRK_PID=$!
wait_for 30 "load to reach $APP" served_since "$APP" "$(served_requests "$APP")" || die "no load reached $APP"

# scale out: scale.sh waits for readiness, then for the first request, and says how long that took
"$REPO_ROOT/deploy/local/scale.sh" "$APP" 2 >"$OUT/scale-out.log" 2>&1 || { cat "$OUT/scale-out.log"; die "scale-out failed"; }
to_traffic=$(sed -n "s/.*$SECOND receives traffic (\([0-9]*\) s after it was ready).*/\1/p" "$OUT/scale-out.log")
first_before=$(served_requests "$APP") second_before=$(served_requests "$SECOND")
sleep 10 # the measurement window of the two instances' shares
first=$(($(served_requests "$APP") - first_before)) second=$(($(served_requests "$SECOND") - second_before))

# scale in: SIGTERM to the second instance. Its management port closes at once, so its own log tells the rest: the
# drain's "Out of rotation" line (logged as the signal is handled) and its last request line
"$REPO_ROOT/deploy/local/scale.sh" "$APP" 1 >"$OUT/scale-in.log" 2>&1 || { cat "$OUT/scale-in.log"; die "scale-in failed"; }
wait "$WRK_PID"
WRK_PID=
stamp() { sed -n 's/^{"@timestamp":"\([^"]*\)".*/\1/p' | tail -n 1 | xargs -r -I{} date -d {} +%s%N; }
left=$(grep -a 'Out of rotation' "$RUN_DIR/logs/$SECOND.log" | stamp)
last=$(grep -a '"io.scalarhub.request"' "$RUN_DIR/logs/$SECOND.log" | stamp)

read -r requests non2xx errors p50 p99 < <(awk '
    /requests in/ {requests = $1}
    /Non-2xx/ {bad = $NF}
    /Socket errors/ {gsub(/,/, ""); errors = $4 + $6 + $8 + $10}
    /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2}
    END {printf "%s %d %d %s %s\n", requests, bad, errors, p50, p99}' "$OUT/wrk.txt")
echo "scale-out: $SECOND received its first request ${to_traffic:-?} s after it was ready (bar 10 s); then 10 s of load: $APP $first, $SECOND $second requests"
echo "scale-in: $SECOND answered its last request $(((last - left) / 1000000)) ms after it left Eureka on SIGTERM (bar 10 s)"
echo "load: $requests requests through the gateway, $non2xx non-2xx, $errors socket errors (bar 0), p50 $p50, p99 $p99"
