#!/usr/bin/env bash
# What auth-server's token endpoint costs under JVM-option variants, side by side (docs/performance.md, "The
# control plane"): tokens per second and auth-server's CPU per token.
#
#   BENCH_VARIANTS="default c1" BENCH_OPTS_c1="-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m" \
#       bench/token-endpoint.sh          # ~12 min (~6 once its run folder has class data)
#
# Starts the suite with deploy/local/up.sh on shifted ports, then BENCH_ROUNDS rounds with the variants in
# alternating order: auth-server is stopped and started again through up.sh with the variant's options
# (SCALARHUB_JAVA_OPTS_auth_server = BENCH_OPTS_NAME; "default" adds none), warmed for BENCH_WARMUP_SECONDS, then
# client-credentials grants of the demo client are posted straight at it for BENCH_SECONDS (wrk, BENCH_CONNECTIONS
# connections). Per round: tokens/s, p50, auth-server's CPU per token (utime + stime from /proc), non-2xx answers,
# its RSS. Then the medians per variant.
# Environment: BENCH_VARIANTS ("default"), BENCH_ROUNDS (3), BENCH_WARMUP_SECONDS (30), BENCH_SECONDS (20),
# BENCH_CONNECTIONS (4), BENCH_BASELINE (a commit: adds the variant "baseline", auth-server's jar as of that commit,
# built in a git worktree and started by the suite's own launcher with the default options; run it with
# SCALARHUB_CDS=off, so that both jars start plain rather than remaking one class-data cache in turn),
# SCALARHUB_RUN_DIR (bench/target/token-endpoint), SCALARHUB_PORT_OFFSET (1200).
# Everything it started is stopped at the end; PostgreSQL and Redis stay.
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/token-endpoint}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-1200}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh" # median, proc_ticks, rss_mib, baseline_jar

read -r -a VARIANTS <<<"${BENCH_VARIANTS:-default}"
ROUNDS=${BENCH_ROUNDS:-3}
WARM=${BENCH_WARMUP_SECONDS:-30}
SECS=${BENCH_SECONDS:-20}
CONNS=${BENCH_CONNECTIONS:-4}
OUT=$RUN_DIR/results
HZ=$(getconf CLK_TCK)
AUTH="http://127.0.0.1:$(app_port auth-server)"
mkdir -p "$OUT"
have wrk || die "wrk is needed (apt-get install wrk)"
trap '"$REPO_ROOT/deploy/local/down.sh" --apps-only >"$OUT/down.out" 2>&1 || true' EXIT

BASELINE=${BENCH_BASELINE:-}
[[ -z $BASELINE ]] || VARIANTS+=(baseline)
opts_of() { [[ $1 == default || $1 == baseline ]] && return 0; local var="BENCH_OPTS_$1"; echo "${!var:?$var is not set}"; }
for variant in "${VARIANTS[@]}"; do opts_of "$variant" >/dev/null; done

GRANT="$(cd "$(dirname "$0")" && pwd)/lua/post-token.lua" # the demo client's grant

if [[ -n $BASELINE ]]; then
    BASELINE_JAR=$(baseline_jar auth-server "$BASELINE" "$RUN_DIR/baseline-$BASELINE" "$OUT/baseline-build.log")
    load_secrets
    # shellcheck source=deploy/local/launch.sh
    source "$REPO_ROOT/deploy/local/launch.sh"
fi
# start_variant VARIANT: auth-server (stopped) started again as VARIANT says
start_variant() {
    if [[ $1 == baseline ]]; then
        # the suite's own launcher, configuration and flags: only the jar differs
        (jar_of() { echo "$BASELINE_JAR"; } && start_app auth-server && wait_ready auth-server)
    else
        SCALARHUB_JAVA_OPTS_auth_server="$(opts_of "$1")" "$REPO_ROOT/deploy/local/up.sh"
    fi
}
log "starting the suite (run dir $RUN_DIR, port offset $PORT_OFFSET)"
"$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.out" 2>&1 || { tail -n 30 "$OUT/up.out"; die "up.sh failed"; }
[[ -n $(demo_token "$AUTH") ]] || die "no token from $AUTH/oauth2/token"

: >"$OUT/rounds.txt"
for ((round = 1; round <= ROUNDS; round++)); do
    order=("${VARIANTS[@]}")
    ((round % 2 == 0)) && order=($(printf '%s\n' "${VARIANTS[@]}" | tac))
    for variant in "${order[@]}"; do
        stop_instances auth-server >/dev/null
        start_variant "$variant" >"$OUT/up-$variant-$round.out" 2>&1 ||
            { tail -n 30 "$OUT/up-$variant-$round.out"; die "auth-server did not start ($variant)"; }
        pid=$(cat "$(pid_file auth-server)")
        wrk -t1 -c"$CONNS" -d"${WARM}s" -s "$GRANT" "$AUTH/oauth2/token" >/dev/null
        t0=$(proc_ticks "$pid")
        wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$GRANT" "$AUTH/oauth2/token" >"$OUT/wrk-$variant-$round.txt"
        t1=$(proc_ticks "$pid")
        awk -v v="$variant" -v r="$round" -v ticks=$((t1 - t0)) -v hz="$HZ" \
            -v rss="$(rss_mib "$pid")" '
            /requests in/ {n = $1} /Requests\/sec/ {rps = $2} /^ +50%/ {p50 = $2} /Non-2xx/ {bad = $NF}
            END {printf "%s %d %.1f %s %.2f %d %d\n", v, r, rps, p50, ticks * 1000 / hz / n, bad, rss}' \
            "$OUT/wrk-$variant-$round.txt" | tee -a "$OUT/rounds.txt" |
            awk '{printf "  round %d %-10s %7.1f tokens/s  p50 %-9s  %6.2f ms CPU a token  non-2xx %d  RSS %d MiB\n", $2, $1, $3, $4, $5, $6, $7}'
    done
done

{
    printf '\n%-10s %10s %16s %14s   (medians of %d rounds; wrk -t1 -c%d, %d s after %d s of warm-up)\n' \
        variant tokens/s "CPU/token ms" "RSS MiB" "$ROUNDS" "$CONNS" "$SECS" "$WARM"
    for variant in "${VARIANTS[@]}"; do
        printf '%-10s %10s %16s %14s\n' "$variant" \
            "$(awk -v v="$variant" '$1 == v {print $3}' "$OUT/rounds.txt" | median)" \
            "$(awk -v v="$variant" '$1 == v {print $5}' "$OUT/rounds.txt" | median)" \
            "$(awk -v v="$variant" '$1 == v {print $7}' "$OUT/rounds.txt" | median)"
    done
} | tee "$OUT/token-endpoint.txt"
awk '$6 > 0 {bad = 1} END {exit bad}' "$OUT/rounds.txt" || die "some grants were refused (non-2xx above)"
