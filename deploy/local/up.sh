#!/usr/bin/env bash
# Starts the whole suite on this machine, infrastructure included, and waits until it answers:
# PostgreSQL (two nodes under Patroni, behind HAProxy) and Redis (infra.sh), then config-server, then discovery,
# auth-server, the three services and the gateway in parallel. Idempotent: what runs is left alone.
#
#   deploy/local/up.sh            build what is missing, start, print the URLs and a first request
#
# Environment (all optional):
#   SCALARHUB_BUILD=always        rebuild the jars even if they are current (default: when missing or
#                                 older than a source file or pom)
#   SCALARHUB_JAVA_OPTS           extra JVM options for every app (default heap: -Xmx160m)
#   SCALARHUB_JAVA_HOME=auto      the JDK the apps run on. auto (default): the newest JDK 25 or later installed
#                                 under /usr/lib/jvm (its AOT cache, below), else the java on PATH (JDK 17+)
#   SCALARHUB_CDS=auto            class data made once per jar build and kept in $RUN_DIR/cds: on JDK 25+ an AOT
#                                 cache (classes loaded and linked, and the JIT's method profiles of the run that
#                                 made it), on older JDKs an AppCDS archive (docs/performance.md). auto (default):
#                                 the first run after a build writes it when the apps stop (down.sh takes longer
#                                 once), later starts use it; train: make it up front with a training run that
#                                 stops after start-up (+15-30 s per app, once; no request profiles); off: the
#                                 plain fat jars, no archive
#   SCALARHUB_OTLP_ENDPOINT       where the apps send traces (OTLP/HTTP, e.g. http://localhost:4318/v1/traces);
#                                 default: a Jaeger (or any OTLP collector) listening on localhost:4318 when up.sh
#                                 starts, else none; "off" never exports
#   SCALARHUB_BIND_ADDRESS=127.0.0.1   the address every app's ports listen on (API and management); 0.0.0.0
#                                 for all interfaces (containers). SCALARHUB_GATEWAY_BIND_ADDRESS: the gateway's
#                                 API port alone (default: the same)
#   SCALARHUB_PROFILES=local      the Spring profiles of every app but config-server (deploy/config/<app>-<profile>.yml);
#                                 local enables billing test clocks (a future asOf)
#   SCALARHUB_PROMETHEUS=auto     auto (default): start Prometheus when the binary is installed (Debian: apt-get
#                                 install prometheus), on port 9090 + offset, scraping every app it finds in
#                                 Eureka; off: don't
#   SCALARHUB_MANAGEMENT_PASSWORD, SCALARHUB_DISCOVERY_PASSWORD, SCALARHUB_CONFIG_SERVER_PASSWORD, ENCRYPT_KEY
#                                 the suite's own secrets (default: random, kept in $RUN_DIR/secrets.env; the demo
#                                 key for deploy/config's {cipher} values): see lib.sh and docs/operations.md
#   SCALARHUB_RUN_DIR, SCALARHUB_PORT_OFFSET   see lib.sh
#   plus infra.sh's SCALARHUB_PG_*, SCALARHUB_REDIS_*, SCALARHUB_STATE_DIR
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/lib.sh"

START_TIMEOUT=${SCALARHUB_START_TIMEOUT:-180}
PUBLIC_URL="http://localhost:$(app_port gateway)"

mkdir -p "$RUN_DIR/pids" "$RUN_DIR/logs/gc" "$RUN_DIR/tmp"
load_secrets

"$REPO_ROOT/deploy/local/infra.sh" up

# prints nothing (and succeeds) when the app is not built yet: a fresh clone builds below
jar_of() { ls "$REPO_ROOT/$1/target/$1-"*.jar 2>/dev/null | grep -v -- '-plain\|sources' | head -n 1 || true; }

# Build when a jar is missing or older than any source or pom: never start yesterday's code.
need_build=${SCALARHUB_BUILD:-stale}
oldest_jar=
for app in "${FIRST_APPS[@]}" "${PARALLEL_APPS[@]}"; do
    jar=$(jar_of "$app")
    if [[ -z $jar ]]; then
        need_build=always
    elif [[ -z $oldest_jar || $jar -ot $oldest_jar ]]; then
        oldest_jar=$jar
    fi
done
if [[ $need_build == stale && -n $oldest_jar ]] &&
    [[ -n $(find "$REPO_ROOT" \( -name target -o -name .git -o -name .run -o -name bench \) -prune -o \
        -type f -newer "$oldest_jar" \( -path '*/src/main/*' -o -name pom.xml \) -print -quit) ]]; then
    need_build=always
fi
if [[ $need_build == always ]]; then
    log "building the apps (mvn package, tests skipped; the test command runs them)"
    # forceCreation: a jar whose own classes did not change must still be repackaged when a dependency did
    (cd "$REPO_ROOT" && mvn -B -q -DskipTests -Dmaven.jar.forceCreation=true package)
fi


# ---- The JDK: the newest JDK 25+ installed beside the default one, else java on PATH ----------------
java_feature() { # java_feature JAVA: its feature release (17, 25, ...)
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
JAVA=java
if [[ ${SCALARHUB_JAVA_HOME:-auto} == auto ]]; then
    best=0
    for home in /usr/lib/jvm/*/; do
        [[ -x $home/bin/java && ! -L ${home%/} ]] || continue
        feature=$(java_feature "$home/bin/java")
        if [[ -n $feature ]] && ((feature >= 25 && feature > best)); then best=$feature JAVA=${home}bin/java; fi
    done
else
    JAVA=$SCALARHUB_JAVA_HOME/bin/java
    [[ -x $JAVA ]] || die "SCALARHUB_JAVA_HOME=$SCALARHUB_JAVA_HOME has no bin/java"
fi
JAVA_FEATURE=$(java_feature "$JAVA")
[[ -n $JAVA_FEATURE ]] && ((JAVA_FEATURE >= 17)) || die "$JAVA is not a JDK 17 or later"
log "the apps run on $JAVA (JDK $JAVA_FEATURE)"

# ---- Class data: launch the extracted jar with an AOT cache (JDK 25+) or an AppCDS archive ------------
# Both map the classes of an earlier run instead of loading and linking them again; JDK 25's AOT cache
# (JEP 483, 514, 515) also carries that run's method profiles, so the JIT compiles hot code sooner.
# docs/performance.md "Warm-up" measures both.
CDS_MODE=${SCALARHUB_CDS:-auto}
case $CDS_MODE in auto | train | off) ;; *) die "SCALARHUB_CDS must be auto, train or off (not $CDS_MODE)" ;; esac
cds_dir() { echo "$RUN_DIR/cds/$1"; }
# cds_kind DIR: sets CDS_FILE (the class data in DIR), CDS_USE (the options that map it) and CDS_RECORD (the
# options that write it to CDS_FILE.new as the JVM exits, with no per-class warnings: classes that cannot be
# archived, such as generated proxies, are skipped), for this run's JDK
cds_kind() {
    if ((JAVA_FEATURE >= 25)); then
        CDS_FILE=app.aot
        CDS_USE=(-XX:AOTCache="$1/$CDS_FILE")
        CDS_RECORD=(-XX:AOTCacheOutput="$1/$CDS_FILE.new" '-Xlog:aot*=error' '-Xlog:cds*=error')
    else
        CDS_FILE=app.jsa
        CDS_USE=(-XX:SharedArchiveFile="$1/$CDS_FILE")
        CDS_RECORD=(-XX:ArchiveClassesAtExit="$1/$CDS_FILE.new" -Xlog:cds=error -Xlog:cds+dynamic=info:file="$1/dump.log")
    fi
}

# cds_extract NAME: the jar extracted into the run dir, once per jar build (a newer jar drops the archive)
cds_extract() {
    local app=$1 jar dir
    jar=$(jar_of "$app") dir=$(cds_dir "$app")
    [[ -f $dir/extracted && ! $jar -nt $dir/extracted ]] && return 0
    rm -rf "$dir" && mkdir -p "$dir"
    if "$JAVA" -Djarmode=tools -jar "$jar" extract --destination "$dir/app" >"$dir/extract.log" 2>&1; then
        touch -r "$jar" "$dir/extracted"
    else
        warn "could not extract $jar for class data (see $dir/extract.log); $app starts from the jar"
    fi
}

# cds_promote NAME: a JVM writes its archive or cache to <file>.new at exit; only one whose writer said it
# finished is kept (a JVM killed while writing leaves a truncated file, and mapping one can crash the JVM).
# Both kinds are looked at whatever the JDK of this run, so that switching JDKs loses neither.
cds_promote() {
    local dir
    dir=$(cds_dir "$1")
    # AppCDS logs its last line to dump.log (-Xlog file); the JVM that assembles an AOT cache prints to stdout
    promote_if "$dir/app.jsa" 'Written dynamic archive' "$dir/dump.log" "$dir/training.log"
    promote_if "$dir/app.aot" 'AOTCache creation is complete' "$RUN_DIR/logs/$1.log" "$dir/training.log"
    # the AOT configuration the recording JVM hands to the one that assembles the cache (about 130 MB): it is
    # deleted when the recording JVM ends, but not when down.sh had to kill it
    rm -f "$dir/app.aot.new.config"
}
promote_if() { # promote_if FILE FINISHED-LINE LOG...: FILE.new becomes FILE if a log has the line, else goes
    local file=$1 finished=$2
    shift 2
    [[ -f $file.new ]] || return 0
    if grep -qa "$finished" "$@" 2>/dev/null; then mv -f "$file.new" "$file"; else rm -f "$file.new"; fi
}

# cds_launch NAME: sets LAUNCH_JAR and CDS_OPTS for start_app; falls back to the plain jar on any problem
cds_launch() {
    local app=$1 dir
    dir=$(cds_dir "$app")
    LAUNCH_JAR=$(jar_of "$app") CDS_OPTS=()
    [[ $CDS_MODE != off && -f $dir/extracted ]] || return 0
    LAUNCH_JAR=$dir/app/$(basename "$LAUNCH_JAR")
    cds_promote "$app"
    cds_kind "$dir"
    if [[ ! -s $dir/$CDS_FILE && $CDS_MODE == train ]]; then
        log "class-data training run for $app (once per jar build)"
        rm -f "$dir/dump.log" "$dir/training.log"
        app_env "$app"
        # shellcheck disable=SC2086
        env -u ENCRYPT_KEY "${APP_ENV[@]}" "$JAVA" $JVM_OPTS -Djava.io.tmpdir="$RUN_DIR/tmp/$app" "${CDS_RECORD[@]}" \
            -Dspring.context.exit=onRefresh -jar "$LAUNCH_JAR" >"$dir/training.log" 2>&1 </dev/null ||
            warn "class-data training run of $app failed (see $dir/training.log)"
        cds_promote "$app"
    fi
    if [[ -s $dir/$CDS_FILE ]]; then
        CDS_OPTS=("${CDS_USE[@]}")
    else
        # none yet: this run writes it when the JVM exits (some seconds at shutdown, none at start); an
        # AppCDS dump logs its completion to dump.log, so an old one must go
        ((JAVA_FEATURE >= 25)) || rm -f "$dir/dump.log"
        CDS_OPTS=("${CDS_RECORD[@]}")
    fi
}

# cds_check NAME: an archive or cache the JVM refused (another JDK, a moved jar) is dropped; the next run
# remakes it
cds_check() {
    local dir
    dir=$(cds_dir "$1")
    cds_kind "$dir"
    if [[ -s $dir/$CDS_FILE ]] && grep -q '\[\(warning\|error\) *\]\[\(cds\|aot\)' "$RUN_DIR/logs/$1.log" 2>/dev/null; then
        warn "$1 did not use its class data (see $RUN_DIR/logs/$1.log); it is remade on the next run"
        rm -f "$dir/$CDS_FILE"
    fi
}

# small heaps and serial GC: five JVMs share two cores and a few hundred MiB here
JVM_OPTS="-Xmx160m -Xss512k -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m"
# JDK 22+ warns when Netty loads its native transport unless native access is granted, and JDK 24+ when
# Eureka's XStream uses sun.misc.Unsafe: both are our dependencies' choices, allowed here once
((JAVA_FEATURE >= 22)) && JVM_OPTS+=" --enable-native-access=ALL-UNNAMED"
((JAVA_FEATURE >= 24)) && JVM_OPTS+=" --sun-misc-unsafe-memory-access=allow"
JVM_OPTS+=" ${SCALARHUB_JAVA_OPTS:-}"

# Traces: to SCALARHUB_OTLP_ENDPOINT when given; else to a Jaeger listening on its OTLP/HTTP port here;
# else nowhere (responses and logs still carry the trace ids).
OTLP_ENDPOINT=${SCALARHUB_OTLP_ENDPOINT:-}
if [[ -z $OTLP_ENDPOINT ]] && port_open 127.0.0.1 4318; then
    OTLP_ENDPOINT=http://localhost:4318/v1/traces
fi
[[ $OTLP_ENDPOINT == off ]] && OTLP_ENDPOINT=


# ---- Prometheus: finds the apps in Eureka (deploy/prometheus/prometheus.yml, localised for this run) ---
PROMETHEUS_URL="http://localhost:$(prometheus_port)"
start_prometheus() {
    local dir=$RUN_DIR/prometheus
    if [[ ${SCALARHUB_PROMETHEUS:-auto} == off ]]; then
        PROMETHEUS_URL="(off: SCALARHUB_PROMETHEUS=off)"
        return
    fi
    if ! have prometheus; then
        PROMETHEUS_URL="(not installed: apt-get install prometheus, then up.sh again)"
        log "Prometheus is not installed; metrics stay on each app's /actuator/prometheus"
        return
    fi
    PROMETHEUS_STARTED=yes
    if app_alive prometheus; then
        log "prometheus already running (pid $(cat "$(pid_file prometheus)"))"
        return
    fi
    port_open 127.0.0.1 "$(prometheus_port)" && die "port $(prometheus_port) for Prometheus is taken by another process"
    mkdir -p "$dir/data" "$dir/secrets"
    (umask 077 && printf '%s' "$SCALARHUB_MANAGEMENT_PASSWORD" >"$dir/secrets/management-password" &&
        printf '%s' "$SCALARHUB_DISCOVERY_PASSWORD" >"$dir/secrets/discovery-password")
    sed -e "s#/etc/prometheus/secrets/#$dir/secrets/#" -e "s#http://discovery:8761/eureka#http://localhost:$(app_port discovery)/eureka#" \
        -e "s#\"discovery:18761\"#\"localhost:$(mgmt_port discovery)\"#" \
        -e "s#\"config-server:18888\"#\"localhost:$(mgmt_port config-server)\"#" \
        "$REPO_ROOT/deploy/prometheus/prometheus.yml" >"$dir/prometheus.yml"
    cp "$REPO_ROOT/deploy/prometheus/alerts.yml" "$dir/alerts.yml"
    nohup prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
        --storage.tsdb.retention.time=2d --web.listen-address="127.0.0.1:$(prometheus_port)" \
        >"$RUN_DIR/logs/prometheus.log" 2>&1 </dev/null &
    echo $! >"$(pid_file prometheus)"
    log "started prometheus (pid $!, port $(prometheus_port))"
}
prometheus_ready() { curl -fsS "http://127.0.0.1:$(prometheus_port)/-/ready" >/dev/null 2>&1; }

start_app() { # start_app NAME
    local app=$1
    if app_alive "$app"; then
        log "$app already running (pid $(cat "$(pid_file "$app")"))"
        return
    fi
    port_open 127.0.0.1 "$(app_port "$app")" && die "port $(app_port "$app") for $app is taken by another process"
    mkdir -p "$RUN_DIR/tmp/$app"
    cds_launch "$app"
    app_env "$app"
    # shellcheck disable=SC2086 # JVM_OPTS is a list of options
    # -u: an ENCRYPT_KEY exported by the caller reaches only the apps app_env gives it to
    # GC and safepoint pauses to small rotated files (logs/gc/, out of the way of logs/*.log, which is JSON):
    # a stall is explained, not guessed
    env -u ENCRYPT_KEY "${APP_ENV[@]}" nohup "$JAVA" $JVM_OPTS "${CDS_OPTS[@]}" -Djava.io.tmpdir="$RUN_DIR/tmp/$app" \
        -Xlog:gc,safepoint:file="$RUN_DIR/logs/gc/$app.log":uptime,time:filecount=2,filesize=4m \
        -jar "$LAUNCH_JAR" >"$RUN_DIR/logs/$app.log" 2>&1 </dev/null &
    echo $! >"$(pid_file "$app")"
    log "started $app (pid $!, port $(app_port "$app"), management $(mgmt_port "$app"))"
}

ready() { # ready NAME: its readiness group says UP; fails fast if the process died
    app_alive "$1" || { warn "$1 exited; last lines of $RUN_DIR/logs/$1.log:"; tail -n 30 "$RUN_DIR/logs/$1.log" >&2; exit 1; }
    curl -fsS "http://127.0.0.1:$(mgmt_port "$1")/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'
}

wait_ready() {
    local app
    for app in "$@"; do
        wait_for "$START_TIMEOUT" "$app readiness" ready "$app" || die "$app did not become ready; see $RUN_DIR/logs/$app.log"
        log "$app ready"
        cds_check "$app"
    done
}

started=$SECONDS
if [[ $CDS_MODE != off ]]; then
    for app in "${FIRST_APPS[@]}" "${PARALLEL_APPS[@]}"; do app_alive "$app" || cds_extract "$app" & done
    wait
fi
for app in "${FIRST_APPS[@]}"; do start_app "$app"; done
wait_ready "${FIRST_APPS[@]}"
for app in "${PARALLEL_APPS[@]}"; do start_app "$app"; done
wait_ready "${PARALLEL_APPS[@]}"

# Ready is not yet reachable: the gateway finds services through Eureka. Wait until a real request
# through the gateway reaches the auth-server and every service.
token_through_gateway() {
    curl -fsS -u scalarhub-demo:demo-secret -d grant_type=client_credentials \
        -d scope='customers:read accounts:read transactions:read products:read' \
        "$PUBLIC_URL/oauth2/token" 2>/dev/null | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
routed() {
    local token path
    token=$(token_through_gateway) && [[ -n $token ]] || return 1
    for path in /v1/customers /v1/accounts /v1/transactions /v1/products; do
        [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$PUBLIC_URL$path?size=1") == 200 ]] ||
            return 1
    done
}
wait_for "$START_TIMEOUT" "the gateway to route to auth-server and every service" routed ||
    die "the gateway does not route yet; see $RUN_DIR/logs/gateway.log"
PROMETHEUS_STARTED=
start_prometheus
if [[ -n $PROMETHEUS_STARTED ]]; then
    wait_for 60 "Prometheus" prometheus_ready || die "Prometheus did not start; see $RUN_DIR/logs/prometheus.log"
fi
log "suite up in $((SECONDS - started))s"

cat <<TXT

ScalarHub is running.
  Gateway (the public API)   $PUBLIC_URL
  Eureka dashboard           http://localhost:$(app_port discovery)/
  Config server              http://localhost:$(app_port config-server)/customer-service/default
  Prometheus                 $PROMETHEUS_URL   (targets: /targets, alerts: /alerts)
  Traces (OTLP)              ${OTLP_ENDPOINT:-(not exported: start a Jaeger on localhost:4318 or set SCALARHUB_OTLP_ENDPOINT)}
  Logs                       $RUN_DIR/logs/
  Stop                       deploy/local/down.sh

Demo API clients (local only; see README):
  scalarhub-demo       / demo-secret   every scope, tier enterprise
  scalarhub-demo-free  / free-secret   read-only scopes, tier free

First request:
  TOKEN=\$(curl -s -u scalarhub-demo:demo-secret -d grant_type=client_credentials \\
      $PUBLIC_URL/oauth2/token | sed -n 's/.*"access_token":"\\([^"]*\\)".*/\\1/p')
  curl -s -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
      -d '{"name":"Ada Lovelace","email":"ada@example.com"}' $PUBLIC_URL/v1/customers
TXT
