#!/usr/bin/env bash
# Start-up time and memory of the ScalarHub apps (docs/performance.md explains the figures).
#
#   bench/startup.sh                     every part below, 3 repetitions of the per-app part
#   bench/startup.sh alone [VARIANT...]  each app started on its own, process start -> readiness UP, RSS
#   bench/startup.sh restart             each app restarted alone on a running suite through up.sh (the way up.sh
#                                        starts it: JDK 25 + AOT cache where installed), process start -> readiness UP
#   bench/startup.sh suite               the whole suite via deploy/local/up.sh: each app's process start -> readiness
#                                        UP as up.sh starts them together, then RSS after 10 s of load
#                                        (up.sh's SCALARHUB_CDS and SCALARHUB_JAVA_HOME apply: =off for the plain
#                                        jars; a JDK 17 home for AppCDS where up.sh would pick JDK 25)
#
# Variants of the JVM command line (all on top of up.sh's own flags):
#   default   exactly up.sh's flags on the fat jar
#   cds       the extracted jar + an AppCDS archive made by a training run (-XX:SharedArchiveFile)
#   c1        -XX:TieredStopAtLevel=1 (C1 only: faster start, slower peak)
#   cds+c1    both
#
# Environment: BENCH_REPS (default 3), BENCH_LOAD_SECONDS (default 10), BENCH_NMT (1: each JVM's native memory
# summary after the load; run with SCALARHUB_JAVA_OPTS=-XX:NativeMemoryTracking=summary), SCALARHUB_RUN_DIR
# (default bench/target/startup-run), SCALARHUB_PORT_OFFSET (default 500). PostgreSQL and Redis must
# be up (deploy/local/infra.sh status); they are never stopped. Every app this script starts is stopped.
set -euo pipefail
export SCALARHUB_RUN_DIR=${SCALARHUB_RUN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/bench/target/startup-run}
export SCALARHUB_PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-500}
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh" # median, rss_mib

REPS=${BENCH_REPS:-3}
LOAD_SECONDS=${BENCH_LOAD_SECONDS:-10}
APPS=("${FIRST_APPS[@]}" "${PARALLEL_APPS[@]}") # lib.sh's apps: config-server first, then discovery, ...
DEPS=(config-server discovery)                     # measured, then kept up for the others
RESULTS=$RUN_DIR/results
mkdir -p "$RUN_DIR/pids" "$RUN_DIR/logs" "$RUN_DIR/tmp" "$RESULTS"

cleanup() { "$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null 2>&1 || true; }
trap cleanup EXIT

jar_of() { ls "$REPO_ROOT/$1/target/$1-"*.jar 2>/dev/null | grep -v -- '-plain\|sources' | head -n 1; }
load_secrets

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# the JVM options up.sh uses
BASE_OPTS=("${APP_JVM_OPTS[@]}")


cds_dir() { echo "$RUN_DIR/cds/$1"; }

# cds_prepare NAME: extract the jar and make the archive with a training run (exits after refresh).
cds_prepare() {
    local app=$1 dir t0
    dir=$(cds_dir "$app")
    [[ -s $dir/app.jsa && $dir/app.jsa -nt $(jar_of "$app") ]] && return 0
    rm -rf "$dir" && mkdir -p "$dir"
    t0=$(now_ms)
    java -Djarmode=tools -jar "$(jar_of "$app")" extract --destination "$dir/x" >/dev/null
    # shellcheck disable=SC2046
    app_env "$app"
    env -u ENCRYPT_KEY "${APP_ENV[@]}" java "${BASE_OPTS[@]}" -Djava.io.tmpdir="$RUN_DIR/tmp" \
        -XX:ArchiveClassesAtExit="$dir/app.jsa" -Dspring.context.exit=onRefresh \
        -jar "$dir/x/$(basename "$(jar_of "$app")")" >"$RUN_DIR/logs/$app-cds-training.log" 2>&1 || true
    [[ -s $dir/app.jsa ]] || { warn "no CDS archive for $app; see $RUN_DIR/logs/$app-cds-training.log"; return 1; }
    echo "$app cds_prepare_ms $(($(now_ms) - t0)) jsa_bytes $(stat -c %s "$dir/app.jsa")" | tee -a "$RESULTS/cds-prepare.txt"
}

# launch NAME VARIANT: starts the app in the background, records its pid like up.sh does
launch() {
    local app=$1 variant=$2 jar opts=("${BASE_OPTS[@]}")
    jar=$(jar_of "$app")
    case $variant in
        cds | cds+c1) jar=$(cds_dir "$app")/x/$(basename "$jar"); opts+=(-XX:SharedArchiveFile="$(cds_dir "$app")/app.jsa") ;;
    esac
    case $variant in *c1) opts+=(-XX:TieredStopAtLevel=1) ;; esac
    port_open 127.0.0.1 "$(app_port "$app")" && die "port $(app_port "$app") is taken"
    mkdir -p "$RUN_DIR/tmp/$app"
    # shellcheck disable=SC2046
    app_env "$app"
    env -u ENCRYPT_KEY "${APP_ENV[@]}" nohup java "${opts[@]}" -Djava.io.tmpdir="$RUN_DIR/tmp/$app" -jar "$jar" \
        >"$RUN_DIR/logs/$app.log" 2>&1 </dev/null &
    echo $! >"$(pid_file "$app")"
}

# measure NAME VARIANT: launch, poll readiness every 50 ms, print "ms rss_mib"
measure() {
    local app=$1 variant=$2 t0 pid deadline
    t0=$(now_ms)
    launch "$app" "$variant"
    pid=$(cat "$(pid_file "$app")")
    deadline=$((t0 + 120000))
    until curl -fsS --max-time 1 "http://127.0.0.1:$(mgmt_port "$app")/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; do
        kill -0 "$pid" 2>/dev/null || { tail -n 30 "$RUN_DIR/logs/$app.log" >&2; die "$app exited"; }
        (($(now_ms) < deadline)) || die "$app not ready after 120 s"
        sleep 0.05
    done
    local ms=$(($(now_ms) - t0))
    local rss
    rss=$(rss_mib "$pid")
    local jvm
    jvm=$(grep -o 'Started [A-Za-z]* in [0-9.]* seconds (process running for [0-9.]*)' "$RUN_DIR/logs/$app.log" | head -n 1 | sed 's/.*for \([0-9.]*\))/\1/')
    echo "$ms $rss ${jvm:-?}"
}

stop_app() {
    local pid
    pid=$(cat "$(pid_file "$1")" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$(pid_file "$1")"
}


alone() {
    local variants=("$@") variant app rep line
    ((${#variants[@]})) || variants=(default cds c1)
    if [[ " ${variants[*]} " == *" cds"* ]]; then
        log "preparing AppCDS archives (extract + training run per app)"
        cds_prepare config-server
        launch config-server default
        wait_for 120 "config-server" curl -fs -o /dev/null "http://127.0.0.1:$(mgmt_port config-server)/actuator/health/readiness"
        for app in "${APPS[@]}"; do [[ $app == config-server ]] || cds_prepare "$app"; done
        stop_app config-server
    fi
    : >"$RESULTS/alone.txt"
    for ((rep = 1; rep <= REPS; rep++)); do
        for variant in "${variants[@]}"; do
            # config-server and discovery are measured and then stay up as the others' dependencies
            for app in "${DEPS[@]}" "${APPS[@]}"; do
                [[ $app == config-server || $app == discovery ]] && [[ -f $(pid_file "$app") ]] && continue
                line=$(measure "$app" "$variant")
                echo "$variant $app $rep $line" | tee -a "$RESULTS/alone.txt"
                case $app in config-server | discovery) ;; *) stop_app "$app" ;; esac
            done
            stop_app discovery
            stop_app config-server
        done
    done
    printf '\n%-10s %-20s %12s %12s %10s   (median of %d; ms = process start -> readiness UP)\n' variant app ready_ms jvm_says_s rss_MiB "$REPS"
    for variant in "${variants[@]}"; do
        for app in "${APPS[@]}"; do
            printf '%-10s %-20s %12s %12s %10s\n' "$variant" "$app" \
                "$(awk -v v="$variant" -v a="$app" '$1 == v && $2 == a {print $4}' "$RESULTS/alone.txt" | median)" \
                "$(awk -v v="$variant" -v a="$app" '$1 == v && $2 == a {print $6}' "$RESULTS/alone.txt" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
                "$(awk -v v="$variant" -v a="$app" '$1 == v && $2 == a {print $5}' "$RESULTS/alone.txt" | median)"
        done
    done | tee "$RESULTS/alone-table.txt"
}

# watch_readiness FILE: while up.sh starts the suite, each app's readiness is polled every 0.25 s; its first UP is
# written as "APP SECONDS", the seconds since its process started (the /proc start time of the pid up.sh recorded;
# a pid file left by an earlier run names a process older than this watch, which is not counted)
watch_readiness() {
    local app pid started hz since
    hz=$(getconf CLK_TCK)
    since=$(awk -v hz="$hz" '{printf "%d", $1 * hz}' /proc/uptime)
    declare -A seen=()
    : >"$1"
    while ((${#seen[@]} < ${#APPS[@]})); do
        for app in "${APPS[@]}"; do
            [[ -z ${seen[$app]:-} ]] || continue
            pid=$(cat "$(pid_file "$app")" 2>/dev/null) && [[ -r /proc/$pid/stat ]] || continue
            curl -fsS -m 1 "http://127.0.0.1:$(mgmt_port "$app")/actuator/health/readiness" 2>/dev/null | grep -q '"UP"' || continue
            started=$(awk '{print $22}' "/proc/$pid/stat")
            ((started >= since)) || continue
            awk -v app="$app" -v s="$started" -v hz="$hz" '{printf "%s %.1f\n", app, $1 - s / hz}' /proc/uptime >>"$1"
            seen[$app]=1
        done
        sleep 0.25
    done
}

suite() {
    local t0 gw token app pid watcher
    log "whole suite via deploy/local/up.sh (run dir $RUN_DIR, port offset $PORT_OFFSET)"
    watch_readiness "$RESULTS/ready.txt" &
    watcher=$!
    t0=$(now_ms)
    local up_ms=""
    while IFS= read -r line; do
        printf '  up.sh | %s\n' "$line"
        [[ $line == *"suite up in"* ]] && up_ms=$(($(now_ms) - t0))
    done < <("$REPO_ROOT/deploy/local/up.sh" 2>&1)
    kill "$watcher" 2>/dev/null || true
    [[ -n $up_ms ]] || die "up.sh did not bring the suite up"
    gw="http://localhost:$(app_port gateway)"
    token=$(curl -s -u scalarhub-demo:demo-secret -d grant_type=client_credentials "$gw/oauth2/token" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    [[ -n $token ]] || die "no token from $gw/oauth2/token"
    declare -A rss_before
    for app in "${APPS[@]}"; do
        rss_before[$app]=$(rss_mib "$(cat "$(pid_file "$app")")")
    done
    log "load: wrk -t1 -c4 -d${LOAD_SECONDS}s GET /v1/customers?size=5 through the gateway"
    wrk -t1 -c4 -d"${LOAD_SECONDS}s" --latency -H "Authorization: Bearer $token" "$gw/v1/customers?size=5" |
        tee "$RESULTS/suite-load.txt" | sed 's/^/  wrk | /'
    {
        printf '\nsuite: deploy/local/up.sh invocation -> "suite up": %d ms\n' "$up_ms"
        printf '%-20s %14s %16s %18s %12s %12s %s\n' app start_to_ready_s rss_ready_MiB rss_after_load_MiB "of it anon" "file" "class data mapped"
        for app in "${APPS[@]}"; do
            pid=$(cat "$(pid_file "$app")")
            # anonymous memory is the process's own (heap, metaspace, code, malloc); file-backed is the jar and the
            # class data mapped from disk, which the page cache can share and drop
            printf '%-20s %14s %16s %18s %12s %12s %s\n' "$app" "$(awk -v a="$app" '$1 == a {print $2}' "$RESULTS/ready.txt")" "${rss_before[$app]}" \
                "$(rss_mib "$pid")" \
                "$(awk '/RssAnon/ {printf "%d", $2 / 1024}' "/proc/$pid/status")" \
                "$(awk '/RssFile/ {printf "%d", $2 / 1024}' "/proc/$pid/status")" \
                "$(grep -q '/app\.\(jsa\|aot\)$' "/proc/$pid/maps" && echo yes || echo no)"
        done
        for app in "${APPS[@]}"; do cat "/proc/$(cat "$(pid_file "$app")")/status"; done |
            awk '/VmRSS/ {r += $2} /RssAnon/ {a += $2} END {printf "%-20s %14s %16s %18d %12d\n", "all apps", "", "", r / 1024, a / 1024}'
    } | tee "$RESULTS/suite-table.txt"
    if [[ ${BENCH_NMT:-0} == 1 ]]; then
        # where each JVM's committed memory goes (needs SCALARHUB_JAVA_OPTS=-XX:NativeMemoryTracking=summary)
        # class+metaspace: JDK 17 counts metaspace under Class, JDK 25 apart; shared-class: the mapped AppCDS archive or
        # AOT cache; malloc: every malloc'd byte the JVM still holds, whatever its category
        printf '\n%-20s %s\n' "NMT committed MiB" "total heap class+metaspace shared-class code compiler thread malloc" | tee "$RESULTS/nmt.txt"
        for app in "${APPS[@]}"; do
            pid=$(cat "$(pid_file "$app")")
            # JDK 25.0.3 crashes (SIGSEGV in FileMapInfo::readonly_total) when asked for this summary while it records
            # an AOT cache: a recording JVM is left alone, and the next run, which maps the cache, gives its figures
            if tr '\0' '\n' < "/proc/$pid/cmdline" | grep -q '^-XX:AOTCacheOutput='; then
                printf '%-20s %s\n' "$app" "(recording its AOT cache: no summary; run again)"
                continue
            fi
            "$(dirname "$(readlink "/proc/$pid/exe")")/jcmd" "$pid" VM.native_memory summary scale=MB > "$RESULTS/nmt-$app.txt" 2>&1 || true
            awk -v app="$app" '
                /^Total:/ { match($0, /committed=[0-9]+/); total = substr($0, RSTART + 10, RLENGTH - 10) }
                /^ *malloc: / { malloc = $2 + 0 }
                /^-/ { name = $2; match($0, /committed=[0-9]+/); c[name] = substr($0, RSTART + 10, RLENGTH - 10) }
                END { printf "%-20s %s %s %d %d %s %d %s %s\n", app, total, c["Java"], c["Class"] + c["Metaspace"], c["Shared"], c["Code"], c["Compiler"], c["Thread"], malloc }
            ' "$RESULTS/nmt-$app.txt"
        done | tee -a "$RESULTS/nmt.txt"
    fi
    for app in "${APPS[@]}"; do
        n=$(grep -c ' ERROR ' "$RUN_DIR/logs/$app.log" || true)
        ((n == 0)) || echo "  $app.log: $n ERROR lines"
    done
    t0=$(now_ms)
    "$REPO_ROOT/deploy/local/down.sh" --apps-only >/dev/null
    printf 'down.sh --apps-only: %d ms%s\n' "$(($(now_ms) - t0))" \
        "$( [[ -d $RUN_DIR/cds ]] && printf "; class data written (AppCDS archives, AOT caches): %s" "$(ls "$RUN_DIR"/cds/*/app.jsa* "$RUN_DIR"/cds/*/app.aot* 2>/dev/null | wc -l)")" | tee -a "$RESULTS/suite-table.txt"
}

# restart: each app restarted alone on a running suite, as up.sh starts it (JDK 25 with its AOT cache where JDK 25 is
# installed) and as a restarted or scaled-out instance starts: the app is stopped (SIGTERM, it drains), up.sh is run
# again, which starts what is missing, and readiness is polled every 0.1 s. Per start: seconds from the process's
# start (its /proc start time) to readiness UP, and the JVM's own "process running for" at Spring's "Started" line.
# The suite is started first if it is not up; a first run after a build records the class data as each app stops,
# so every measured start maps it. BENCH_REPS rounds, the apps in up.sh's order in each.
restart() {
    local app rep pid started hz jvm ready_s
    hz=$(getconf CLK_TCK)
    log "suite via deploy/local/up.sh (run dir $RUN_DIR, port offset $PORT_OFFSET)"
    "$REPO_ROOT/deploy/local/up.sh" >"$RESULTS/restart-up.out" 2>&1 || die "up.sh failed (see $RESULTS/restart-up.out)"
    : >"$RESULTS/restart.txt"
    for ((rep = 1; rep <= REPS; rep++)); do
        for app in "${APPS[@]}"; do
            stop_instances "$app" >/dev/null
            "$REPO_ROOT/deploy/local/up.sh" >"$RESULTS/restart-$app.out" 2>&1 &
            local up=$!
            wait_for 60 "$app to be launched" app_alive "$app" || die "up.sh did not launch $app"
            pid=$(cat "$(pid_file "$app")")
            until curl -fsS -m 1 "http://127.0.0.1:$(mgmt_port "$app")/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; do
                kill -0 "$pid" 2>/dev/null || die "$app exited (see $RUN_DIR/logs/$app.log)"
                sleep 0.1
            done
            started=$(awk '{print $22}' "/proc/$pid/stat")
            ready_s=$(awk -v s="$started" -v hz="$hz" '{printf "%.1f", $1 - s / hz}' /proc/uptime)
            jvm=$(grep -o 'Started [A-Za-z]* in [0-9.]* seconds (process running for [0-9.]*)' "$RUN_DIR/logs/$app.log" |
                tail -n 1 | sed 's/.*for \([0-9.]*\))/\1/')
            wait "$up" || die "up.sh failed to bring $app back (see $RESULTS/restart-$app.out)"
            echo "$app $rep $ready_s ${jvm:-?} $(tr '\0' '\n' <"/proc/$pid/cmdline" | grep -c -- '^-XX:AOTCache=\|^-XX:SharedArchiveFile=' || true)" |
                tee -a "$RESULTS/restart.txt"
        done
    done
    printf '\n%-20s %16s %18s %10s   (medians of %d restarts; "class data": the start mapped an AOT cache or archive)\n' \
        app start_to_ready_s jvm_started_at_s "class data" "$REPS"
    for app in "${APPS[@]}"; do
        printf '%-20s %16s %18s %10s\n' "$app" \
            "$(awk -v a="$app" '$1 == a {print $3}' "$RESULTS/restart.txt" | median)" \
            "$(awk -v a="$app" '$1 == a {print $4}' "$RESULTS/restart.txt" | median)" \
            "$(awk -v a="$app" '$1 == a && $5 > 0 {n++} $1 == a {t++} END {printf "%d of %d", n, t}' "$RESULTS/restart.txt")"
    done | tee "$RESULTS/restart-table.txt"
}

case ${1:-all} in
    alone) shift; alone "$@" ;;
    suite) suite ;;
    restart) restart ;;
    all) alone default cds c1; suite ;;
    *) die "usage: $0 [alone [VARIANT...] | suite | restart | all]" ;;
esac
