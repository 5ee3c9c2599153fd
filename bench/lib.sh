# shellcheck shell=bash
# Shared by the bench scripts that load GET /v1/customers/{id}. Source it after setting OUT (results folder),
# BENCH_DIR, TOKEN, CONNS, WARM and SECS.

# load LABEL URL: a warm-up run, then the counted one (wrk output in $OUT/wrk-LABEL.txt);
# prints "req/s p50 p99 non-2xx"
load() {
    BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"${WARM}s" -H "Authorization: Bearer $TOKEN" -s "$BENCH_DIR/lua/get-by-id.lua" "$2" >/dev/null
    BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" -s "$BENCH_DIR/lua/get-by-id.lua" "$2" >"$OUT/wrk-$1.txt"
    awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "%s %s %s %s\n", rps, p50, p99, (bad == "" ? 0 : bad)}' "$OUT/wrk-$1.txt"
}
