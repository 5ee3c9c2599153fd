#!/usr/bin/env bash
# Latency through the gateway under an open model (issue #14, item 2): requests arrive at a constant rate, 50 % of
# the saturation rate measured just before in the same run, whatever the responses do; p50/p99/p99.9/max free of
# coordinated omission. The bar: p99 ≤ 20 ms.
#
#   bench/open-model.sh
#
# Starts the suite with deploy/local/up.sh on shifted ports (or uses the one running in SCALARHUB_RUN_DIR), seeds 50
# customers, warms the path for BENCH_WARM seconds, measures saturation with wrk's closed loop (-t1 -c16, BENCH_ROUNDS
# rounds of 20 s, the median), then runs bench/open-model (Gatling, arrivals rising to the rate over BENCH_RAMP_SECONDS,
# then a constant arrival rate, shared keep-alive connections) at BENCH_LOAD (0.5) × saturation for BENCH_SECONDS. Prints both, and where Gatling's report (with the
# response-time distribution) is.
#
# Environment: BENCH_WARM (60), BENCH_ROUNDS (3), BENCH_LOAD (0.5), BENCH_SECONDS (120), BENCH_RAMP_SECONDS (30),
# BENCH_KEEP (leave the suite running), SCALARHUB_RUN_DIR (bench/target/open-model), SCALARHUB_PORT_OFFSET (1300).
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/open-model}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-1300}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"
BENCH_DIR=$REPO_ROOT/bench
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

have wrk || die "wrk is not installed (apt-get install wrk)"
WARM_SECONDS=${BENCH_WARM:-60}
ROUNDS=${BENCH_ROUNDS:-3}
LOAD=${BENCH_LOAD:-0.5}
OPEN_SECONDS=${BENCH_SECONDS:-120}
RAMP_SECONDS=${BENCH_RAMP_SECONDS:-30}
OUT=$RUN_DIR/results
mkdir -p "$OUT"
GATEWAY=http://127.0.0.1:$(app_port gateway)

started_here=
cleanup() {
    if [[ -n $started_here && -z ${BENCH_KEEP:-} ]]; then
        "$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

log "building the load generator (bench/open-model, Gatling)"
(cd "$BENCH_DIR/open-model" && mvn -B -q test-compile) || die "bench/open-model does not build"

app_alive gateway || {
    started_here=yes
    "$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.log" 2>&1 || { tail -n 20 "$OUT/up.log"; die "the suite did not start"; }
}
TOKEN=$(demo_token "$GATEWAY")
[[ -n $TOKEN ]] || die "no token from $GATEWAY"
seed_customers "$GATEWAY" 50 "$OUT/ids.txt" || die "could not seed customers"
{ echo id; cat "$OUT/ids.txt"; } >"$OUT/ids.csv"

log "warming the path for ${WARM_SECONDS}s, then ${ROUNDS} saturation rounds (wrk -t1 -c16, 20 s)"
CONNS=16 WARM=$WARM_SECONDS SECS=20
rates=()
for ((round = 1; round <= ROUNDS; round++)); do
    read -r rps p50 p99 bad < <(load "saturation-$round" "$GATEWAY")
    log "saturation round $round: $rps req/s (p50 $p50, p99 $p99, non-2xx $bad)"
    rates+=("$rps")
    WARM=2
done
saturation=$(printf '%s\n' "${rates[@]}" | median)
rate=$(awk -v s="$saturation" -v l="$LOAD" 'BEGIN {printf "%.0f", s * l}')
log "saturation (median) $saturation req/s; open model at $rate req/s for ${OPEN_SECONDS}s"

rm -rf "$BENCH_DIR/open-model/target/gatling"
(cd "$BENCH_DIR/open-model" && mvn -B -q gatling:test -Dbench.url="$GATEWAY" -Dbench.token="$TOKEN" \
    -Dbench.ids="$OUT/ids.csv" -Dbench.rate="$rate" -Dbench.seconds="$OPEN_SECONDS" -Dbench.ramp-seconds="$RAMP_SECONDS") >"$OUT/gatling.log" 2>&1 ||
    warn "Gatling reported failed requests or assertions (see $OUT/gatling.log)"
report=$(find "$BENCH_DIR/open-model/target/gatling" -maxdepth 1 -mindepth 1 -type d | head -n 1)
# Gatling's own summary (its console report, the whole run: the ramp and the constant rate), one line a figure
figure() { sed -n "s/^> $1 *| *\([0-9.,]*\) *| *\([0-9.,]*\) *| *\([0-9.,-]*\).*/\1 \2 \3/p" "$OUT/gatling.log" | tr -d , | head -n 1; }
read -r total ok ko < <(figure "request count")
[[ -n ${total:-} ]] || die "no Gatling summary in $OUT/gatling.log"
read -r p50 _ < <(figure "response time 50th percentile (ms)")
read -r p99 _ < <(figure "response time 99th percentile (ms)")
read -r p999 _ < <(figure "response time 99.9th percentile (ms)")
read -r max _ < <(figure "response time 100th percentile (ms)")
read -r mean_rps _ < <(figure "mean throughput (rps)")
{
    echo "saturation (wrk closed loop, median of $ROUNDS): $saturation req/s"
    echo "open model: ${RAMP_SECONDS}s rising to $rate req/s, then $rate req/s for ${OPEN_SECONDS}s: $total requests, $ok ok, $ko failed, $mean_rps req/s on average"
    echo "latency ms, every request of the run: p50 $p50  p99 $p99  p99.9 $p999  max $max"
    sed -n '/Response Time Distribution/,/^=====/p' "$OUT/gatling.log" | sed '1d;$d'
    sed -n '/---- Errors/,/^=====/p' "$OUT/gatling.log" | sed '1d;$d'
    if ((p99 <= 20 && ko == 0)); then verdict=met; else verdict=missed; fi
    echo "bar: p99 <= 20 ms at $LOAD of saturation, no failed request: $verdict"
} | tee "$OUT/open-model.txt"
log "Gatling's report (response-time distribution over time): $report/index.html"
