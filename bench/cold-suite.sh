#!/usr/bin/env bash
# The whole suite's first start and stop after a build, as the end-to-end test and a clean-clone CI run pay them:
# up.sh then down.sh --apps-only in a new run folder each time (no class data yet), once per mode of up.sh's
# SCALARHUB_CDS in BENCH_MODES, the order alternating over BENCH_ROUNDS rounds. Prints each round and the medians.
# A mode <cds>-discard stops with down.sh --discard-class-data (what the end-to-end test does).
#
#   bench/cold-suite.sh                       # off and auto, 2 rounds: ~20 min
#   BENCH_MODES="auto auto-discard" BENCH_ROUNDS=1 bench/cold-suite.sh
#
# Environment: BENCH_MODES ("off auto"), BENCH_ROUNDS (2), SCALARHUB_PORT_OFFSET (700). Prometheus and trace export
# are off. Needs the jars built and the local infrastructure; every app it starts is stopped.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh" # median
read -r -a MODES <<<"${BENCH_MODES:-off auto}"
ROUNDS=${BENCH_ROUNDS:-2}
OUT=$ROOT/bench/target/cold-suite
mkdir -p "$OUT"
: >"$OUT/rounds.txt"
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-700} SCALARHUB_PROMETHEUS=off SCALARHUB_OTLP_ENDPOINT=off

seconds_since() { echo "$(date +%s.%N) - $1" | bc; }

for ((round = 1; round <= ROUNDS; round++)); do
    order=("${MODES[@]}")
    ((round % 2)) || order=($(printf '%s\n' "${MODES[@]}" | tac))
    for mode in "${order[@]}"; do
        export SCALARHUB_RUN_DIR=$OUT/run-$mode SCALARHUB_CDS=${mode%-discard}
        down_args=(--apps-only)
        [[ $mode != *-discard ]] || down_args+=(--discard-class-data)
        rm -rf "$SCALARHUB_RUN_DIR"
        started=$(date +%s.%N)
        "$ROOT/deploy/local/up.sh" >"$OUT/up-$mode-$round.log" 2>&1 || {
            "$ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1
            echo "up.sh failed ($mode, round $round): $OUT/up-$mode-$round.log" >&2
            exit 1
        }
        up=$(seconds_since "$started")
        stopping=$(date +%s.%N)
        "$ROOT/deploy/local/down.sh" "${down_args[@]}" >"$OUT/down-$mode-$round.log" 2>&1
        down=$(seconds_since "$stopping")
        printf '%-12s round %d  up.sh %6.1f s  down.sh %6.1f s\n' "$mode" "$round" "$up" "$down" | tee -a "$OUT/rounds.txt"
    done
done
for mode in "${MODES[@]}"; do
    printf '%-12s median  up.sh %6.1f s  down.sh %6.1f s\n' "$mode" \
        "$(awk -v m="$mode" '$1 == m {print $5}' "$OUT/rounds.txt" | median)" \
        "$(awk -v m="$mode" '$1 == m {print $8}' "$OUT/rounds.txt" | median)"
done
