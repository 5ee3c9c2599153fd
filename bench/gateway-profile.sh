#!/usr/bin/env bash
# Where the gateway's CPU goes on GET /v1/customers/{id} (issue #14 item 1): the gateway's and customer-service's
# CPU per request through the gateway, then a JFR recording of the gateway split by layer (bench/jfr-layers.py).
#
#   bench/gateway-profile.sh      # ~6 min; results in bench/target/gateway-profile/results/
#
# Starts the suite with up.sh on shifted ports (a first run after a build records the AOT caches, a slower JVM:
# run it twice to profile what users run), seeds 50 customers through the gateway, loads them with
# wrk -t1 -cBENCH_CONNECTIONS for BENCH_WARMUP_SECONDS (not counted), then one counted run of BENCH_SECONDS
# without JFR (CPU per request = utime + stime from /proc over the run / requests) and one with it.
#
# Environment: BENCH_WARMUP_SECONDS (90), BENCH_SECONDS (20), BENCH_CONNECTIONS (8), BENCH_KEEP (0; 1 leaves
# the suite running), BENCH_ALLOCATIONS (0; 1 adds a run recording allocation samples, split by layer, class and site
# by bench/jfr-allocations.py), SCALARHUB_RUN_DIR (bench/target/gateway-profile), SCALARHUB_PORT_OFFSET (1000).
#
# Side by side: BENCH_GATEWAY_BASELINE=<commit> builds that commit's gateway in a git worktree and starts it as a
# second instance (gateway.2, the suite's own launcher and flags, the same customer-service, Redis and limits
# behind it). Both are warmed up, then loaded in BENCH_ROUNDS (6) counted runs each, in ABBA order; each prints
# req/s and the gateway's CPU per request, and the medians close the table (results/side-by-side.txt). Needs
# SCALARHUB_CDS=off (an instance of an app shares its class-data folder, which holds one jar). Each round also
# counts the young and full collections in its window, their pauses and the KiB allocated per request (from the
# apps' GC logs: how far the heap grew between collections, so to within one eden's worth), and wrk's p99.
# BENCH_BASELINE_JAVA_OPTS: JVM options for gateway.2 alone, after the suite's (e.g. the JDK's defaults back, to
# measure an option of deploy/local/lib.sh); without BENCH_GATEWAY_BASELINE, gateway.2 runs the current jar.
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/gateway-profile}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-1000}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

WARM=${BENCH_WARMUP_SECONDS:-90}
SECS=${BENCH_SECONDS:-20}
CONNS=${BENCH_CONNECTIONS:-8}
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
OUT=$RUN_DIR/results
mkdir -p "$OUT"
have wrk && have python3 || die "wrk and python3 are needed"
[[ ${BENCH_KEEP:-0} == 1 ]] || trap '"$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true' EXIT

"$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.out" 2>&1 || { tail -n 40 "$OUT/up.out"; die "up.sh failed"; }
JDK_BIN=$(sed -n 's/.*the apps run on \([^ ]*\)\/bin\/java.*/\1\/bin/p' "$OUT/up.out" | tail -n 1)
JCMD=${JDK_BIN:+$JDK_BIN/}jcmd
GW="http://localhost:$(app_port gateway)"
TOKEN=$(demo_token "$GW")
[[ -n $TOKEN ]] || die "no token"
seed_customers "$GW" 50 "$OUT/ids.txt" || die "could not create the customers to read"
gateway=$(cat "$(pid_file gateway)") service=$(cat "$(pid_file customer-service)")
run() { # run FILE SECONDS: one wrk run through the gateway
    BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"$2s" --latency -H "Authorization: Bearer $TOKEN" \
        -s "$BENCH_DIR/lua/get-by-id.lua" "$GW" >"$1"
}

BASELINE=${BENCH_GATEWAY_BASELINE:-}
BASELINE_OPTS=${BENCH_BASELINE_JAVA_OPTS:-}
if [[ -n $BASELINE || -n $BASELINE_OPTS ]]; then
    [[ ${SCALARHUB_CDS:-} == off ]] || die "a side-by-side run needs SCALARHUB_CDS=off (both gateways on plain jars)"
    load_secrets
    # shellcheck source=deploy/local/launch.sh
    source "$REPO_ROOT/deploy/local/launch.sh"
    if [[ -n $BASELINE ]]; then
        BASELINE_JAR=$(baseline_jar gateway "$BASELINE" "$RUN_DIR/baseline-$BASELINE" "$OUT/baseline-build.log")
        jar_of() { echo "$BASELINE_JAR"; }
    fi
    SCALARHUB_JAVA_OPTS="${SCALARHUB_JAVA_OPTS:-} $BASELINE_OPTS" start_app gateway.2
    wait_ready gateway.2
    BASE_GW="http://localhost:$(app_port gateway.2)"
    baseline=$(cat "$(pid_file gateway.2)")
    gc_pauses() { # gc_pauses INSTANCE: young and full collections in its GC log so far, their pauses in ms, and the
        # MiB allocated up to the last of them (each collection's heap before it, less the heap after the one before)
        awk 'function mib(x, u) {u = substr(x, length(x)); x = substr(x, 1, length(x) - 1) + 0
                return (u == "K") ? x / 1024 : (u == "G") ? x * 1024 : x}
            /Pause Young/ {y++} /Pause Full/ {f++} /Pause/ {ms = $NF; sub("ms", "", ms); t += ms
                if (match($0, /[0-9]+[KMG]->[0-9]+[KMG]/)) {split(substr($0, RSTART, RLENGTH), h, "->")
                    allocated += mib(h[1]) - after; after = mib(h[2])}}
            END {printf "%d %d %.0f %.0f", y, f, t, allocated}' "$RUN_DIR/logs/gc/$1.log"
    }
    side() { # side LABEL URL PID ROUND INSTANCE: one counted run against one gateway
        local b0 b1 s0 s1 n g0 g1
        TOKEN=$(demo_token "$GW") # a long run outlives one token; an expired one would read as 401s
        b0=$(proc_ticks "$3") s0=$(proc_ticks "$service") g0=$(gc_pauses "$5")
        BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" \
            -s "$BENCH_DIR/lua/get-by-id.lua" "$2" >"$OUT/wrk-$1-$4.txt"
        b1=$(proc_ticks "$3") s1=$(proc_ticks "$service") g1=$(gc_pauses "$5")
        n=$(awk '/requests in/ {print $1}' "$OUT/wrk-$1-$4.txt")
        ! grep -q Non-2xx "$OUT/wrk-$1-$4.txt" || die "non-2xx answers: see $OUT/wrk-$1-$4.txt"
        awk -v l="$1" -v r="$4" -v n="$n" -v s="$SECS" -v g=$((b1 - b0)) -v c=$((s1 - s0)) -v hz="$(getconf CLK_TCK)" \
            -v gc0="$g0" -v gc1="$g1" -v p99="$(awk '/^ +99%/ {print $2}' "$OUT/wrk-$1-$4.txt")" \
            'BEGIN {split(gc0, a, " "); split(gc1, b, " ")
                printf "%-9s round %s  %7.1f req/s  gateway %.3f ms cpu/request  customer-service %.3f ms  p99 %s  young %d  full %d  paused %d ms  allocated %.0f KiB/request\n",
                    l, r, n / s, g * 1000 / hz / n, c * 1000 / hz / n, p99, b[1] - a[1], b[2] - a[2], b[3] - a[3], (b[4] - a[4]) * 1024 / n}' |
            tee -a "$OUT/side-by-side.txt"
    }
    : >"$OUT/side-by-side.txt"
    log "warming both gateways, ${WARM}s each"
    BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"${WARM}s" -H "Authorization: Bearer $TOKEN" -s "$BENCH_DIR/lua/get-by-id.lua" "$BASE_GW" >/dev/null
    run /dev/null "$WARM"
    for ((round = 1; round <= ${BENCH_ROUNDS:-6}; round++)); do
        if ((round % 2)); then
            side current "$GW" "$gateway" "$round" gateway; side baseline "$BASE_GW" "$baseline" "$round" gateway.2
        else
            side baseline "$BASE_GW" "$baseline" "$round" gateway.2; side current "$GW" "$gateway" "$round" gateway
        fi
    done
    python3 - "$OUT/side-by-side.txt" "${BASELINE:-the working tree}" "$BASELINE_OPTS" <<'PY' | tee -a "$OUT/side-by-side.txt"
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.split()[1:2] == ["round"]]
def p99_ms(text):  # wrk's units: us, ms, s
    for unit, ms in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * ms
for label in ("current", "baseline"):
    mine = [r for r in rows if r[0] == label]
    print("median %-9s %7.1f req/s  gateway %.3f ms cpu/request  p99 %.1f ms  full collections %g  paused %g ms"
          "  allocated %g KiB/request"
          % (label, statistics.median(float(r[3]) for r in mine), statistics.median(float(r[6]) for r in mine),
             statistics.median(p99_ms(r[13]) for r in mine), statistics.median(int(r[17]) for r in mine),
             statistics.median(int(r[19]) for r in mine), statistics.median(int(r[22]) for r in mine)))
print("(current = the working tree, baseline = %s%s)" % (sys.argv[2], " with " + sys.argv[3] if sys.argv[3] else ""))
PY
    stop_instances gateway.2
fi

TOKEN=$(demo_token "$GW")
run /dev/null "$WARM"
TOKEN=$(demo_token "$GW")
g0=$(proc_ticks "$gateway") s0=$(proc_ticks "$service")
run "$OUT/wrk.txt" "$SECS"
g1=$(proc_ticks "$gateway") s1=$(proc_ticks "$service")
requests=$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")
hz=$(getconf CLK_TCK)
gateway_ms=$(awk -v t=$((g1 - g0)) -v n="$requests" -v hz="$hz" 'BEGIN {printf "%.3f", t * 1000 / hz / n}')
service_ms=$(awk -v t=$((s1 - s0)) -v n="$requests" -v hz="$hz" 'BEGIN {printf "%.3f", t * 1000 / hz / n}')

"$JCMD" "$gateway" JFR.start name=gateway-profile settings="$BENCH_DIR/jfr-samples.jfc" filename="$OUT/gateway.jfr" >/dev/null
run "$OUT/wrk-jfr.txt" "$SECS"
"$JCMD" "$gateway" JFR.stop name=gateway-profile >/dev/null
if [[ ${BENCH_ALLOCATIONS:-0} == 1 ]]; then # one more run, recording where the gateway allocates
    "$JCMD" "$gateway" JFR.start name=gateway-allocations settings="$BENCH_DIR/jfr-allocations.jfc" \
        filename="$OUT/gateway-allocations.jfr" >/dev/null
    run "$OUT/wrk-allocations.txt" "$SECS"
    "$JCMD" "$gateway" JFR.stop name=gateway-allocations >/dev/null
fi

{
    echo "GET /v1/customers/{id} through the gateway, wrk -t1 -c$CONNS, ${SECS} s after ${WARM} s of warm-up"
    awk '/Requests\/sec/ {print "  req/s " $2} /^ +50%/ {print "  p50 " $2} /^ +99%/ {print "  p99 " $2} /Non-2xx/ {print "  non-2xx " $NF}' "$OUT/wrk.txt"
    echo "  CPU per request: gateway $gateway_ms ms, customer-service $service_ms ms"
    PATH=${JDK_BIN:+$JDK_BIN:}$PATH python3 "$BENCH_DIR/jfr-layers.py" --label gateway --jfr "$OUT/gateway.jfr" --cpu-ms "$gateway_ms"
    if [[ -f $OUT/gateway-allocations.jfr && ${BENCH_ALLOCATIONS:-0} == 1 ]]; then
        "${JDK_BIN:+$JDK_BIN/}jfr" print --json --stack-depth 64 --events jdk.ObjectAllocationSample "$OUT/gateway-allocations.jfr" |
            python3 "$BENCH_DIR/jfr-allocations.py"
    fi
} | tee "$OUT/gateway-profile.txt"
