#!/usr/bin/env bash
# How fast a new instance reaches its steady throughput (issue #13's bar: >= 90 % of steady within 30 s of
# readiness), for each way up.sh can launch it, side by side in one run.
#
#   bench/warmup.sh            # ~20 min; results in bench/target/warmup/results/warmup.txt
#
# 1. Starts the suite with deploy/local/up.sh on shifted ports, seeds BENCH_SEED customers.
# 2. Training: per variant, customer-service is started once that way, loaded BENCH_TRAIN_SECONDS and stopped,
#    so that it writes its class data (up.sh's SCALARHUB_CDS=auto: an AppCDS archive on JDK 17, an AOT cache
#    with method profiles on JDK 25) as a developer's first run would.
# 3. BENCH_ROUNDS rounds, the variants interleaved (order alternating): customer-service is stopped and started
#    again through up.sh; from the moment its readiness says UP, GET /v1/customers/{id} is loaded straight at it
#    in back-to-back BENCH_SLICE_SECONDS wrk runs (BENCH_CONNECTIONS connections) for BENCH_SERIES_SECONDS.
#    Per slice: req/s and the JVM's CPU per request.
# 4. Per variant (medians over the rounds): process start -> readiness UP, the throughput of the slice that
#    ends 30 s after readiness as a fraction of steady (steady: the median of the series' last minute), the
#    first slice at >= 90 % of steady, the full and young GC pauses from start to the series' end (the JVM's
#    GC log), RSS at the end and the JVM's CPU per request over the last minute.
#
# Variants: jdk17 (SCALARHUB_JAVA_HOME=BENCH_JDK17, AppCDS), jdk25 (SCALARHUB_JAVA_HOME=BENCH_JDK25, AOT cache);
# JDK:NAME is that JDK with the JVM options in BENCH_OPTS_NAME added (up.sh's SCALARHUB_JAVA_OPTS) and the
# environment in BENCH_ENV_NAME (NAME=VALUE words, for what is not a JVM option: the C allocator's), e.g.
# BENCH_VARIANTS="jdk25 jdk25:small jdk25:arenas" BENCH_OPTS_small=-Xmx112m BENCH_ENV_arenas=MALLOC_ARENA_MAX=2. Variants of one JDK share
# its class data, trained once without extra options, so that only the options differ. A variant whose JDK is
# not installed is left out.
# Environment: BENCH_ROUNDS (2), BENCH_SERIES_SECONDS (180), BENCH_SLICE_SECONDS (5), BENCH_TRAIN_SECONDS (60),
# BENCH_CONNECTIONS (8), BENCH_SEED (50), BENCH_VARIANTS ("jdk17 jdk25"), BENCH_JDK17
# (/usr/lib/jvm/java-17-openjdk-amd64), BENCH_JDK25 (the newest /usr/lib/jvm/*25*), SCALARHUB_RUN_DIR
# (bench/target/warmup), SCALARHUB_PORT_OFFSET (700). Everything it started is stopped at the end;
# PostgreSQL and Redis stay.
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/warmup}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-700}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"

ROUNDS=${BENCH_ROUNDS:-2}
SERIES=${BENCH_SERIES_SECONDS:-180}
SLICE=${BENCH_SLICE_SECONDS:-5}
TRAIN=${BENCH_TRAIN_SECONDS:-60}
CONNS=${BENCH_CONNECTIONS:-8}
SEED=${BENCH_SEED:-50}
JDK17=${BENCH_JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${BENCH_JDK25:-$(ls -d /usr/lib/jvm/*25* 2>/dev/null | sort -V | tail -n 1)}
OUT=$RUN_DIR/results
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
APP=customer-service
SVC="http://127.0.0.1:$(app_port $APP)"
HZ=$(getconf CLK_TCK)
mkdir -p "$OUT"
have wrk || die "wrk is needed (apt-get install wrk)"
trap '"$REPO_ROOT/deploy/local/down.sh" --apps-only >"$OUT/down.out" 2>&1 || true' EXIT

VARIANTS=()
for variant in ${BENCH_VARIANTS:-jdk17 jdk25}; do
    case ${variant%%:*} in
    jdk17) home=$JDK17 ;;
    jdk25) home=$JDK25 ;;
    *) die "unknown variant $variant (jdk17, jdk25, or either :NAME with BENCH_OPTS_NAME)" ;;
    esac
    if [[ $variant == *:* ]]; then
        opts_var=BENCH_OPTS_${variant#*:} env_var=BENCH_ENV_${variant#*:}
        [[ -n ${!opts_var:-}${!env_var:-} ]] || die "$variant: both $opts_var and $env_var are empty"
    fi
    if [[ -n $home && -x $home/bin/java ]]; then VARIANTS+=("$variant"); else warn "$variant: no JDK at '$home'; left out"; fi
done
((${#VARIANTS[@]} > 0)) || die "no variant to measure"
java_home_of() { if [[ ${1%%:*} == jdk17 ]]; then echo "$JDK17"; else echo "$JDK25"; fi; }
# opts_of VARIANT: the JVM options the variant adds (none for a bare JDK)
opts_of() { if [[ $1 == *:* ]]; then local v=BENCH_OPTS_${1#*:}; echo "${!v:-}"; fi; }
# env_of VARIANT: the environment the variant adds, NAME=VALUE words (none for a bare JDK)
env_of() { if [[ $1 == *:* ]]; then local v=BENCH_ENV_${1#*:}; echo "${!v:-}"; fi; }

"$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.out" 2>&1 || { tail -n 40 "$OUT/up.out"; die "up.sh failed"; }
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
token() { demo_token "http://127.0.0.1:$(app_port auth-server)"; }
TOKEN=$(token)
[[ -n $TOKEN ]] || die "no token"
seed_customers "$SVC" "$SEED" "$OUT/ids.txt" || die "seeding failed"

stop_app() {
    local pid
    pid=$(cat "$(pid_file $APP)" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null || true
    # a first stop may write the class data: AOT cache assembly takes a while on two cores
    wait_for 180 "$APP to stop" bash -c "! kill -0 $pid 2>/dev/null" || die "$APP did not stop"
    rm -f "$(pid_file $APP)"
}
ready() { curl -fsS "http://127.0.0.1:$(mgmt_port $APP)/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; }
# start_variant VARIANT: customer-service again through up.sh on that JDK; returns once readiness is UP and
# prints the seconds from the JVM's start (its /proc start time) to the first UP seen (polled every 0.1 s)
start_variant() {
    local pid started uptime
    stop_app
    # shellcheck disable=SC2046 # env_of's words are NAME=VALUE pairs
    env $(env_of "$1") SCALARHUB_JAVA_HOME="$(java_home_of "$1")" SCALARHUB_JAVA_OPTS="${SCALARHUB_JAVA_OPTS:-} $(opts_of "$1")" \
        "$REPO_ROOT/deploy/local/up.sh" >"$OUT/up-${1/:/-}.out" 2>&1 &
    wait_for 60 "$APP to be launched" app_alive $APP || die "up.sh did not launch $APP (see $OUT/up-${1/:/-}.out)"
    pid=$(cat "$(pid_file $APP)")
    until ready; do
        kill -0 "$pid" 2>/dev/null || die "$APP exited (see $RUN_DIR/logs/$APP.log)"
        sleep 0.1
    done
    started=$(awk '{print $22}' "/proc/$pid/stat") uptime=$(awk '{print $1}' /proc/uptime)
    awk -v s="$started" -v u="$uptime" -v hz="$HZ" 'BEGIN {printf "%.1f\n", u - s / hz}'
    # up.sh's own last check (the gateway routes again, a handful of requests) ends in the first slice
}
# series LABEL: back-to-back slices; one line per slice: "seconds-since-ready req/s cpu-ms-per-request"
series() {
    local pid t=0 c0 c1 rps
    pid=$(cat "$(pid_file $APP)")
    : >"$OUT/series-$1.txt"
    while ((t < SERIES)); do
        c0=$(proc_ticks "$pid")
        # only 2xx count: a failure answered fast is not throughput
        rps=$(BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"${SLICE}s" -H "Authorization: Bearer $TOKEN" \
            -s "$BENCH_DIR/lua/get-by-id.lua" "$SVC" | tee "$OUT/wrk-last.txt" |
            awk -v s="$SLICE" '/requests in/ {n = $1} /Non-2xx/ {bad = $NF} END {print (n - bad) / s}')
        grep -q Non-2xx "$OUT/wrk-last.txt" && warn "$1 at ${t}s: $(grep Non-2xx "$OUT/wrk-last.txt")"
        c1=$(proc_ticks "$pid")
        awk -v t="$t" -v r="$rps" -v d="$((c1 - c0))" -v hz="$HZ" -v s="$SLICE" \
            'BEGIN {printf "%d %.0f %.3f\n", t, r, (r > 0 ? d * 1000 / hz / (r * s) : 0)}' >>"$OUT/series-$1.txt"
        t=$((t + SLICE))
    done
}

# gc_pauses: "full-count full-ms young-count young-ms" from the running JVM's GC log (launch.sh's -Xlog:gc, which a
# new JVM starts afresh)
gc_pauses() {
    awk '/Pause Full/ {f++; fm += $NF + 0} /Pause Young/ {y++; ym += $NF + 0} END {printf "%d %.0f %d %.0f\n", f, fm, y, ym}' \
        "$RUN_DIR/logs/gc/$APP.log"
}

trained=" "
for variant in "${VARIANTS[@]}"; do
    jdk=${variant%%:*}
    [[ $trained == *" $jdk "* ]] && continue
    trained+="$jdk "
    variant=$jdk
    log "training $variant: $APP started, loaded ${TRAIN}s and stopped, so that it writes its class data"
    stop_app
    # the suite's own first run may have written some already, from start-up and seeding alone
    if [[ $variant == jdk17 ]]; then rm -f "$RUN_DIR/cds/$APP/app.jsa"*; else rm -f "$RUN_DIR/cds/$APP/app.aot"*; fi
    start_variant "$variant" >/dev/null
    TOKEN=$(token)
    BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"${TRAIN}s" -H "Authorization: Bearer $TOKEN" \
        -s "$BENCH_DIR/lua/get-by-id.lua" "$SVC" >"$OUT/train-$variant.txt"
    stop_app
done

: >"$OUT/rounds.txt"
for ((round = 1; round <= ROUNDS; round++)); do
    order=("${VARIANTS[@]}")
    if ((round % 2 == 0)); then
        order=()
        for ((i = ${#VARIANTS[@]} - 1; i >= 0; i--)); do order+=("${VARIANTS[i]}"); done
    fi
    for variant in "${order[@]}"; do
        label=${variant/:/-}-$round
        TOKEN=$(token) # a token outlives one round, not the whole run
        ready_after=$(start_variant "$variant")
        series "$label"
        gc=$(gc_pauses)
        rss=$(rss_mib "$(cat "$(pid_file $APP)")")
        grep -q '\[\(warning\|error\) *\]\[\(cds\|aot\)' "$RUN_DIR/logs/$APP.log" && warn "$label: the class data was refused"
        # steady: median of the last minute; at30: the slice ending 30 s after readiness; t90: first slice >= 90 %
        steady=$(awk -v from="$((SERIES - 60))" '$1 >= from {print $2}' "$OUT/series-$label.txt" | median)
        steady_cpu=$(awk -v from="$((SERIES - 60))" '$1 >= from {print $3}' "$OUT/series-$label.txt" | median)
        awk -v label="$label" -v ready="$ready_after" -v slice="$SLICE" -v steady="$steady" -v gc="$gc" -v rss="$rss" -v cpu="$steady_cpu" '
            NR == 1 { first = $2 }
            $1 + slice == 30 { at30 = $2 }
            !t90 && $2 >= 0.9 * steady { t90 = $1 + slice }
            END { printf "%s %.1f %.0f %.3f %.3f %d %s %s %s\n", label, ready, steady, first / steady, at30 / steady, t90, gc, rss, cpu }
        ' "$OUT/series-$label.txt" >>"$OUT/rounds.txt"
        tail -n 1 "$OUT/rounds.txt" | awk '{printf "%-14s ready %5.1f s  steady %6.0f/s  first slice %.2f  at 30 s %.2f  >= 90 %% after %d s  full GCs %d (%d ms)  young %d (%d ms)  RSS %d MiB  steady CPU %.3f ms/req\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12}'
    done
done

{
    echo "Warm-up of $APP after readiness (GET /v1/customers/{id}, wrk -t1 -c$CONNS, ${SLICE}s slices, ${SERIES}s)"
    echo "medians over $ROUNDS rounds, variants interleaved; bar: the slice ending 30 s after readiness >= 0.90"
    for variant in "${VARIANTS[@]}"; do
        label=${variant/:/-}
        col() { awk -v l="$label" -v c="$1" '$1 ~ "^" l "-[0-9]+$" {print $c}' "$OUT/rounds.txt" | median; }
        at30=$(col 5)
        printf '%-14s ready %5.1f s  steady %6.0f/s  first slice %.2f  at 30 s %.2f  >= 90 %% after %.0f s  (%s)  full GCs %.0f (%.0f ms)  young %.0f (%.0f ms)  RSS %.0f MiB  steady CPU %.3f ms/req\n' \
            "$label" "$(col 2)" "$(col 3)" "$(col 4)" "$at30" "$(col 6)" \
            "$(awk -v a="$at30" 'BEGIN {print (a >= 0.9 ? "bar met" : "bar missed")}')" \
            "$(col 7)" "$(col 8)" "$(col 9)" "$(col 10)" "$(col 11)" "$(col 12)"
        if [[ -n $(opts_of "$variant")$(env_of "$variant") ]]; then
            printf '%-14s = %s + %s\n' "" "${variant%%:*}" "$(env_of "$variant") $(opts_of "$variant")"
        fi
    done
    echo "per slice: $OUT/series-<variant>-<round>.txt (seconds after readiness, req/s, CPU ms per request)"
} | tee "$OUT/warmup.txt"
