#!/usr/bin/env bash
# The gateway's cost, side by side in one run: GET /v1/customers/{id} straight to customer-service, through
# the gateway with every filter on (JWT check, per-client rate limit in Redis, circuit breaker, retry,
# header hygiene), and, where nginx is installed, through a plain nginx reverse proxy (no auth). Rounds
# alternate so that both sides see the same machine state; each round warms up first.
#
#   bench/gateway-overhead.sh
#
# Environment: BENCH_PREWARM_SECONDS (120: load through the gateway, which warms customer-service too, then a
# quarter of that straight at customer-service and through nginx, before any round; the bars are about warm JVMs,
# and without it the gateway is still compiling in the counted rounds), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS
# (5, before each counted run), BENCH_CONNECTIONS (8), BENCH_ROUNDS (5),
# SCALARHUB_RUN_DIR (bench/target/gateway-run), SCALARHUB_PORT_OFFSET (500). It starts the suite with up.sh
# and stops what it started at the end. The demo client is enterprise tier (a 5000 burst, 2500/s), so the
# limiter is consulted on every request but does not refuse; a 429 would show as non-2xx.
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/gateway-run}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-500}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"

SECS=${BENCH_SECONDS:-10}
WARM=${BENCH_WARMUP_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-8}
ROUNDS=${BENCH_ROUNDS:-5}
PREWARM=${BENCH_PREWARM_SECONDS:-120}
OUT=$RUN_DIR/results
mkdir -p "$OUT"
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
NGINX_PORT=$((8090 + SCALARHUB_PORT_OFFSET))
stop_all() {
    [[ -f $OUT/nginx.pid ]] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true
    "$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true
}
trap stop_all EXIT
have wrk || die "wrk is needed (apt-get install wrk)"

CS="http://127.0.0.1:$(app_port customer-service)"
GW="http://localhost:$(app_port gateway)"
"$REPO_ROOT/deploy/local/up.sh" >"$OUT/up.out" 2>&1 || { tail -n 40 "$OUT/up.out"; die "up.sh failed"; }
TOKEN=$(curl -s -u scalarhub-demo:demo-secret -d grant_type=client_credentials "$GW/oauth2/token" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || die "no token"
: >"$OUT/ids.txt"
for ((i = 1; i <= 50; i++)); do
    curl -s -o /dev/null -D - -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"name\":\"Bench $i\",\"email\":\"gw-$(date +%s%N)-$i@example.com\"}" "$GW/v1/customers" |
        sed -n 's|^[Ll]ocation: .*/v1/customers/\([^[:space:]]*\).*|\1|p' >>"$OUT/ids.txt"
done
[[ $(wc -l <"$OUT/ids.txt") -eq 50 ]] || die "could not create the customers to read"

targets=(direct gateway)
if have nginx; then
    # the same keep-alive pool a proxy in front of a service would use; nothing else
    cat >"$OUT/nginx.conf" <<CONF
worker_processes 1;
pid $OUT/nginx.pid;
error_log $OUT/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    upstream customers { server 127.0.0.1:$(app_port customer-service); keepalive 32; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://customers;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
CONF
    nginx -c "$OUT/nginx.conf" -p "$OUT" && targets+=(nginx)
fi
url_of() { case $1 in direct) echo "$CS" ;; gateway) echo "$GW" ;; nginx) echo "http://127.0.0.1:$NGINX_PORT" ;; esac; }

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
TOKEN=$(demo_token "$GW")
log "pre-warming: ${PREWARM}s through the gateway, then $((PREWARM / 4))s each on the other targets (not counted)"
prewarm() { # prewarm TARGET SECONDS
    ((${2} > 0)) || return 0
    BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"${2}s" -H "Authorization: Bearer $TOKEN" \
        -s "$BENCH_DIR/lua/get-by-id.lua" "$(url_of "$1")" >"$OUT/prewarm-$1.txt"
}
prewarm gateway "$PREWARM"
for target in "${targets[@]}"; do [[ $target == gateway ]] || prewarm "$target" $((PREWARM / 4)); done
: >"$OUT/table.txt"
printf '%-6s %-8s %10s %9s %9s %8s\n' round target 'req/s' p50 p99 non-2xx | tee -a "$OUT/table.txt"
for ((round = 1; round <= ROUNDS; round++)); do
    # a token per round: a long run outlives the demo client's token, and an expired one reads as 401s
    TOKEN=$(demo_token "$GW")
    [[ -n $TOKEN ]] || die "no token for round $round"
    for target in "${targets[@]}"; do
        read -r rps p50 p99 bad <<<"$(load "$round-$target" "$(url_of "$target")")"
        printf '%-6s %-8s %10s %9s %9s %8s\n' "$round" "$target" "$rps" "$p50" "$p99" "$bad" | tee -a "$OUT/table.txt"
    done
done
# the ratios from the summed throughput of the rounds in which every target answered only 2xx
awk '{rps[$1, $2] = $3; if ($6 != 0) bad[$1] = 1; rounds[$1] = 1; targets[$2] = 1}
    END {
        for (r in rounds) if (r in bad) printf "round %s left out: non-2xx answers\n", r;
        for (r in rounds) if (!(r in bad)) for (t in targets) sum[t] += rps[r, t];
        if (sum["direct"] == 0) { print "no round without non-2xx answers: no ratio"; exit }
        printf "gateway / direct = %.2f\n", sum["gateway"] / sum["direct"];
        if (sum["nginx"] > 0) printf "gateway / nginx  = %.2f\nnginx / direct   = %.2f\n", sum["gateway"] / sum["nginx"], sum["nginx"] / sum["direct"];
    }' <(tail -n +2 "$OUT/table.txt") | tee -a "$OUT/table.txt"
# and the median of the rounds' own ratios (each round's targets ran back to back, so a round's ratio is side by side)
for pair in gateway/direct gateway/nginx; do
    awk -v a="${pair%/*}" -v b="${pair#*/}" '$1 ~ /^[0-9]+$/ {rps[$1, $2] = $3; rounds[$1] = 1; if ($6 != 0) bad[$1] = 1}
        END {for (r in rounds) if (!(r in bad) && rps[r, b] > 0) print rps[r, a] / rps[r, b]}' "$OUT/table.txt" |
        median | awk -v p="$pair" 'NF {printf "%s, median of the rounds = %.2f\n", p, $1}'
done | tee -a "$OUT/table.txt"
log "results in $OUT (wrk output per run, table.txt)"
