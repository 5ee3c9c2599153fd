# shellcheck shell=bash
# Shared by the bench scripts: tokens, seeding and loading GET /v1/customers/{id} (load() needs OUT, the results
# folder, BENCH_DIR, TOKEN, CONNS, WARM and SECS set when it is called), medians, PostgreSQL scratch databases and
# what a process or a PostgreSQL server has spent in CPU.

# demo_token URL: an access token of the demo client (every read scope) from URL's /oauth2/token (auth-server's
# or the gateway's); prints nothing when there is none
demo_token() {
    curl -s -u scalarhub-demo:demo-secret -d grant_type=client_credentials "$1/oauth2/token" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# seed_customers URL COUNT FILE: COUNT customers created through URL (customer-service or the gateway) with
# TOKEN; their ids go to FILE, one a line (bench/lua/get-by-id.lua reads them); fails unless all were made
seed_customers() {
    local i
    : >"$3"
    for ((i = 1; i <= $2; i++)); do
        curl -s -o /dev/null -D - -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
            -d "{\"name\":\"Bench $i\",\"email\":\"bench-$(date +%s%N)-$i@example.com\"}" "$1/v1/customers" |
            sed -n 's|^[Ll]ocation: .*/v1/customers/\([^[:space:]]*\).*|\1|p' >>"$3"
    done
    (($(wc -l <"$3") == $2))
}

# median: the median of the numbers on stdin, one a line
median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else if (NR) print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# load LABEL URL: a warm-up run, then the counted one (wrk output in $OUT/wrk-LABEL.txt);
# prints "req/s p50 p99 non-2xx"
load() {
    BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"${WARM}s" -H "Authorization: Bearer $TOKEN" -s "$BENCH_DIR/lua/get-by-id.lua" "$2" >/dev/null
    BENCH_IDS=$OUT/ids.txt wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" -s "$BENCH_DIR/lua/get-by-id.lua" "$2" >"$OUT/wrk-$1.txt"
    awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "%s %s %s %s\n", rps, p50, p99, (bad == "" ? 0 : bad)}' "$OUT/wrk-$1.txt"
}

# baseline_jar MODULE COMMIT DIR LOG: the path of MODULE's jar as of COMMIT, built once (tests skipped, offline) in
# a git worktree at DIR (kept for the next run); the build's output goes to LOG
baseline_jar() {
    local module=$1 commit=$2 dir=$3 log_file=$4 jar
    jar=$(ls "$dir/$module/target/$module-"*.jar 2>/dev/null | grep -v plain | head -n 1 || true)
    if [[ -z $jar ]]; then
        log "building $module at $commit in $dir" >&2
        rm -rf "$dir"
        git -C "$REPO_ROOT" worktree prune
        git -C "$REPO_ROOT" worktree add --detach "$dir" "$commit" >/dev/null
        (cd "$dir" && mvn -B -q -o package -DskipTests -pl "$module" -am) >"$log_file" 2>&1 ||
            { tail -n 30 "$log_file" >&2; die "the build of $module at $commit failed"; }
        jar=$(ls "$dir/$module/target/$module-"*.jar | grep -v plain | head -n 1)
    fi
    echo "$jar"
}

# ---- Scratch databases for pgbench ---------------------------------------------------------------------------
# bench_psql PORT ARGS...: psql as postgres on 127.0.0.1:PORT, quiet, unaligned
bench_psql() { local port=$1; shift; "$(pg_config --bindir)/psql" -X -q -At -h 127.0.0.1 -p "$port" -U postgres "$@"; }
# scratch_db PORT NAME: an empty database NAME (what an aborted run left is dropped first)
scratch_db() { bench_psql "$1" -d postgres -c "drop database if exists $2 with (force)" -c "create database $2"; }
# drop_scratch_db PORT NAME: for an EXIT trap; never fails
drop_scratch_db() { bench_psql "$1" -d postgres -c "drop database if exists $2 with (force)" >/dev/null 2>&1 || true; }

# ---- PostgreSQL's CPU ---------------------------------------------------------------------------------------
# pgbench_run LABEL TICKS_BEFORE TICKS_AFTER: reads pgbench's report on stdin and prints "LABEL tps T latency L ms
# cpu C us/transaction", C being the ticks between the two counts per transaction processed
pgbench_run() {
    awk -v label="$1" -v ticks="$(($3 - $2))" -v hz="$(getconf CLK_TCK)" '
        /actually processed/ {split($NF, a, "/"); n = a[1]} /^tps/ {tps = $3} /latency average/ {lat = $4}
        END {printf "%s  tps %8.1f  latency %6.3f ms  cpu %6.1f us/transaction\n", label, tps, lat, ticks * 1e6 / hz / n}'
}
# leader_port PG_PORT: the own port of the node that leads now, behind infra.sh's HAProxy on PG_PORT (node1 and node2
# listen on PG_PORT + 10 / + 11, their Patroni APIs on + 3010 / + 3011)
leader_port() {
    local i
    for i in 0 1; do
        if [[ $(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS "http://127.0.0.1:$(($1 + 3010 + i))/primary") == 200 ]]; then
            echo $(($1 + 10 + i))
            return
        fi
    done
    echo "no leader answers; run deploy/local/infra.sh up" >&2
    return 1
}
# postmaster_of PORT: the pid of the postmaster serving PORT (through HAProxy: the node in that role now)
postmaster_of() {
    head -n 1 "$(psql -X -q -At -h 127.0.0.1 -p "$1" -U postgres -d postgres -c 'show data_directory')/postmaster.pid"
}
# proc_ticks PID...: the CPU ticks (user + system, getconf CLK_TCK a second) the processes have used so far, summed;
# a process gone counts 0
proc_ticks() {
    local pid total=0
    for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0))); done
    echo "$total"
}
# rss_mib PID: the process's resident memory (VmRSS), MiB
rss_mib() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }
# pg_ticks POSTMASTER_PID: a PostgreSQL server's CPU ticks: the postmaster, its live children (backends, WAL
# writer, checkpointer, WAL sender...), and through the postmaster's cutime/cstime every child that exited meanwhile
pg_ticks() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '{
        match($0, /.*\) /); n = split(substr($0, RLENGTH + 1), f, " ")
        if ($1 == root || f[2] == root) t += f[12] + f[13] + f[14] + f[15]
    } END {print t + 0}'
}
