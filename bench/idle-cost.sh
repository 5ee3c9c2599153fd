#!/usr/bin/env bash
# What the suite costs with no traffic at all (issue #13's bar: the whole suite <= 0.10 of a core over 60 s).
#
#   bench/idle-cost.sh
#
# Starts the suite with deploy/local/up.sh on shifted ports (or measures the one already running in
# SCALARHUB_RUN_DIR), lets it settle for BENCH_SETTLE_SECONDS after "suite up" (the JIT's tail after start-up
# is not idling), then reads utime + stime of every app's process (and Prometheus') from /proc, BENCH_SECONDS
# apart, and the new PostgreSQL sessions over the same window (pg_stat_database.sessions on the primary).
# Prints core per app and in total. Stops the apps it started unless BENCH_KEEP=1; PostgreSQL and Redis stay.
#
# Environment: BENCH_SETTLE_SECONDS (120), BENCH_SECONDS (60), BENCH_KEEP, SCALARHUB_RUN_DIR
# (bench/target/idle-cost), SCALARHUB_PORT_OFFSET (900).
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/idle-cost}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-900}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

SETTLE=${BENCH_SETTLE_SECONDS:-120}
SECS=${BENCH_SECONDS:-60}
PG_PORT=${SCALARHUB_PG_PORT:-55432}
OUT=$RUN_DIR/results
mkdir -p "$OUT"
HZ=$(getconf CLK_TCK)

started_here=
cleanup() {
    if [[ -n $started_here && -z ${BENCH_KEEP:-} ]]; then
        "$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

all_alive=yes
for app in "${FIRST_APPS[@]}" "${PARALLEL_APPS[@]}"; do app_alive "$app" || all_alive=; done
if [[ -z $all_alive ]]; then
    started_here=yes
    "$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.log" 2>&1 || { tail -n 20 "$OUT/up.log"; die "the suite did not start"; }
fi
log "settling for ${SETTLE}s (no requests), then measuring ${SECS}s"
sleep "$SETTLE"

sessions() { psql -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "SELECT sum(sessions) FROM pg_stat_database"; }
declare -A PIDS BEFORE
for file in "$RUN_DIR"/pids/*.pid; do
    name=$(basename "$file" .pid)
    PIDS[$name]=$(cat "$file")
    BEFORE[$name]=$(proc_ticks "${PIDS[$name]}")
done
sessions_before=$(sessions)
sleep "$SECS"
sessions_after=$(sessions)

{
    printf '%-22s %s\n' app "core (mean over ${SECS}s)"
    total=0
    for name in $(printf '%s\n' "${!PIDS[@]}" | sort); do
        used=$(( $(proc_ticks "${PIDS[$name]}") - ${BEFORE[$name]} ))
        total=$((total + used))
        awk -v n="$name" -v t="$used" -v hz="$HZ" -v s="$SECS" 'BEGIN {printf "%-22s %.4f\n", n, t / hz / s}'
    done
    awk -v t="$total" -v hz="$HZ" -v s="$SECS" 'BEGIN {printf "%-22s %.4f   (bar: <= 0.10)\n", "TOTAL", t / hz / s}'
    echo "new PostgreSQL sessions: $((sessions_after - sessions_before)) in ${SECS}s (the measurement's own psql included)"
    echo "commit: $(git -C "$REPO_ROOT" rev-parse --short HEAD)"
} | tee "$OUT/idle-cost.txt"
