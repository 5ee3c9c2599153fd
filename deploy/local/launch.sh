# shellcheck shell=bash
# How the scripts launch the apps (up.sh the whole suite, scale.sh more instances of one): the jar, the JDK, the
# class data, the JVM options, the environment, the start and the readiness wait. Source lib.sh and call
# load_secrets first. Defines functions and the settings below; starts nothing.

# How long an app may start (wait_ready): as long as it keeps writing to its log or GC log, until START_TIMEOUT
# seconds pass with neither growing, or START_LIMIT seconds in all. Not a fixed deadline per app: apps started
# together share two cores, and a cold suite (class data being recorded) on a slow machine took 190-300 s per app.
START_TIMEOUT=${SCALARHUB_START_TIMEOUT:-180}
START_LIMIT=${SCALARHUB_START_LIMIT:-600}
mkdir -p "$RUN_DIR/pids" "$RUN_DIR/logs/gc" "$RUN_DIR/tmp"

# prints nothing (and succeeds) when the app is not built yet: a fresh clone builds below
jar_of() { ls "$REPO_ROOT/$1/target/$1-"*.jar 2>/dev/null | grep -v -- '-plain\|sources' | head -n 1 || true; }

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
# Both kinds are looked at whatever the JDK of this run, so that switching JDKs loses neither. Nothing is touched
# while NAME's first instance runs: it may be the JVM recording, and deleting its AOT configuration (or its
# half-written cache) as another instance starts loses the cache it writes at exit (seen: a rolling restart's
# restarted instance started without class data, as the instance carrying the traffic meanwhile had deleted it)
cds_promote() {
    local dir
    app_alive "$1" && return 0
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

# cds_launch APP [INSTANCE]: sets LAUNCH_JAR and CDS_OPTS for start_app; falls back to the plain jar on any
# problem. Only the first instance writes class data; the others map it once it exists. An extraction older
# than the jar (a build while instances run: scale.sh never re-extracts under a running JVM) means the plain jar.
cds_launch() {
    local app=$1 instance=${2:-$1} dir
    dir=$(cds_dir "$app")
    LAUNCH_JAR=$(jar_of "$app") CDS_OPTS=()
    [[ $CDS_MODE != off && -f $dir/extracted && ! $LAUNCH_JAR -nt $dir/extracted ]] || return 0
    LAUNCH_JAR=$dir/app/$(basename "$LAUNCH_JAR")
    cds_promote "$app"
    cds_kind "$dir"
    if [[ ! -s $dir/$CDS_FILE && $CDS_MODE == train ]]; then
        log "class-data training run for $app (once per jar build)"
        rm -f "$dir/dump.log" "$dir/training.log"
        app_env "$app"
        # shellcheck disable=SC2046
        env -u ENCRYPT_KEY "${APP_ENV[@]}" "$JAVA" $(jvm_opts "$app") -Djava.io.tmpdir="$RUN_DIR/tmp/$app" "${CDS_RECORD[@]}" \
            -Dspring.context.exit=onRefresh -jar "$LAUNCH_JAR" >"$dir/training.log" 2>&1 </dev/null ||
            warn "class-data training run of $app failed (see $dir/training.log)"
        cds_promote "$app"
    fi
    if [[ -s $dir/$CDS_FILE ]]; then
        CDS_OPTS=("${CDS_USE[@]}")
    elif [[ $instance != "$app" ]]; then
        return 0
    else
        # none yet: this run writes it when the JVM exits (some seconds at shutdown, none at start); an
        # AppCDS dump logs its completion to dump.log, so an old one must go
        ((JAVA_FEATURE >= 25)) || rm -f "$dir/dump.log"
        CDS_OPTS=("${CDS_RECORD[@]}")
    fi
}

# cds_check APP [INSTANCE]: an archive or cache the JVM refused (another JDK, a moved jar) is dropped; the next
# run remakes it
cds_check() {
    local dir
    dir=$(cds_dir "$1")
    cds_kind "$dir"
    if [[ -s $dir/$CDS_FILE ]] && grep -q '\[\(warning\|error\) *\]\[\(cds\|aot\)' "$RUN_DIR/logs/${2:-$1}.log" 2>/dev/null; then
        warn "$1 did not use its class data (see $RUN_DIR/logs/$1.log); it is remade on the next run"
        rm -f "$dir/$CDS_FILE"
    fi
}

# lib.sh's APP_JVM_OPTS; a JDK 17 or 21 older than the update that brought native heap trimming (17.0.9, 21.0.1)
# refuses the option and runs without it
JVM_OPTS="${APP_JVM_OPTS[*]}"
if ((JAVA_FEATURE < 22)) && ! "$JAVA" -XX:TrimNativeHeapInterval=5000 -version >/dev/null 2>&1; then
    JVM_OPTS=${JVM_OPTS/ -XX:TrimNativeHeapInterval=5000/}
fi
# JDK 22+ warns when Netty loads its native transport unless native access is granted, and JDK 24+ when
# Eureka's XStream uses sun.misc.Unsafe: both are our dependencies' choices, allowed here once
((JAVA_FEATURE >= 22)) && JVM_OPTS+=" --enable-native-access=ALL-UNNAMED"
((JAVA_FEATURE >= 24)) && JVM_OPTS+=" --sun-misc-unsafe-memory-access=allow"
# Compact object headers (JDK 25, JEP 519: 8-byte object headers, not 12) for every app, as the images run them: 13 %
# fewer bytes allocated per gateway request, 8-9 % less CPU per read in customer-service, no resolved effect on
# transfers (docs/performance.md, "Compact object headers for every app"). JDK 17, the fallback, does not know the
# option and would refuse to start with it
((JAVA_FEATURE >= 25)) && JVM_OPTS+=" -XX:+UseCompactObjectHeaders"
jvm_opts() { # jvm_opts MODULE: the options its JVMs run with: the common ones, the app's own (lib.sh), the caller's
    local own_var="SCALARHUB_JAVA_OPTS_${1//-/_}" # SCALARHUB_JAVA_OPTS_config_server: for that app alone, last
    echo "$JVM_OPTS ${APP_OWN_JVM_OPTS[$1]:-} ${SCALARHUB_JAVA_OPTS:-} ${!own_var:-}"
}

# Traces: to SCALARHUB_OTLP_ENDPOINT when given; else to a Jaeger listening on its OTLP/HTTP port here;
# else nowhere (responses and logs still carry the trace ids).
OTLP_ENDPOINT=${SCALARHUB_OTLP_ENDPOINT:-}
if [[ -z $OTLP_ENDPOINT ]] && port_open 127.0.0.1 4318; then
    OTLP_ENDPOINT=http://localhost:4318/v1/traces
fi
[[ $OTLP_ENDPOINT == off ]] && OTLP_ENDPOINT=

start_app() { # start_app NAME: an app (its first instance) or an instance APP.K (instance_name)
    local app=$1 module=${1%%.*}
    if app_alive "$app"; then
        log "$app already running (pid $(cat "$(pid_file "$app")"))"
        return
    fi
    port_open "$(instance_address)" "$(app_port "$app")" && die "port $(app_port "$app") for $app is taken by another process"
    mkdir -p "$RUN_DIR/tmp/$app"
    cds_launch "$module" "$app"
    app_env "$app"
    # shellcheck disable=SC2046 # jvm_opts is a list of options
    # -u: an ENCRYPT_KEY exported by the caller reaches only the apps app_env gives it to
    # GC and safepoint pauses to small rotated files (logs/gc/, out of the way of logs/*.log, which is JSON):
    # a stall is explained, not guessed
    # SCALARHUB_LAUNCH_PREFIX: a command the JVM is exec'd through, so that $! stays the JVM (partition.sh: ip netns exec)
    ${SCALARHUB_LAUNCH_PREFIX:-} env -u ENCRYPT_KEY "${APP_ENV[@]}" nohup "$JAVA" $(jvm_opts "$module") "${CDS_OPTS[@]}" -Djava.io.tmpdir="$RUN_DIR/tmp/$app" \
        -Dscalarhub.instance="$app" -Xlog:gc,safepoint:file="$RUN_DIR/logs/gc/$app.log":uptime,time:filecount=2,filesize=4m \
        -jar "$LAUNCH_JAR" >"$RUN_DIR/logs/$app.log" 2>&1 </dev/null &
    echo $! >"$(pid_file "$app")"
    log "started $app (pid $!, port $(app_port "$app"), management $(mgmt_port "$app"))"
}

ready() { # ready NAME: its readiness group says UP; fails fast if the process died
    # the pid start_app recorded, not app_alive's name check: a process still exec'ing its way to the JVM (env, nohup,
    # ip netns exec) shows another command line for a moment
    kill -0 "$(cat "$(pid_file "$1")" 2>/dev/null)" 2>/dev/null ||
        { warn "$1 exited; last lines of $RUN_DIR/logs/$1.log:"; tail -n 30 "$RUN_DIR/logs/$1.log" >&2; exit 1; }
    curl -fsS "http://$(instance_address):$(mgmt_port "$1")/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'
}

# output_size APP: the bytes of its log and its GC log: a JVM that is starting writes to one or the other
output_size() {
    { stat -c %s "$RUN_DIR/logs/$1.log" "$RUN_DIR/logs/gc/$1.log" 2>/dev/null || true; } | awk '{n += $1} END {print n + 0}'
}

# wait_starting APP: until APP is ready (true), or it wrote nothing for START_TIMEOUT seconds, or START_LIMIT
# seconds have passed (false, after a warning); an app that exits fails at once (ready says why)
wait_starting() {
    local app=$1 size last started=$SECONDS quiet_since=$SECONDS
    size=$(output_size "$app")
    until ready "$app"; do
        last=$size size=$(output_size "$app")
        ((size == last)) || quiet_since=$SECONDS
        if ((SECONDS - quiet_since >= START_TIMEOUT)); then
            warn "$app is not ready and wrote nothing to its logs for ${START_TIMEOUT}s"
            return 1
        fi
        if ((SECONDS - started >= START_LIMIT)); then
            warn "$app is not ready after ${START_LIMIT}s"
            return 1
        fi
        sleep 0.2
    done
}

wait_ready() {
    local app
    for app in "$@"; do
        wait_starting "$app" || die "$app did not become ready; see $RUN_DIR/logs/$app.log"
        log "$app ready"
        cds_check "${app%%.*}" "$app"
    done
}

# how long a started instance may take to see its first request from a caller: Eureka's response cache (2 s), the
# callers' registry fetch (5 s) and load-balancer cache (3 s), with margin
ROTATION_TIMEOUT=${SCALARHUB_ROTATION_TIMEOUT:-15}
# served_requests NAME: requests the instance has answered on its API port (its own metrics, operator credentials)
served_requests() {
    # an instance that does not answer has served nothing more: 0, never a failure that would end the caller
    { curl -fsS -u "scalarhub-ops:$SCALARHUB_MANAGEMENT_PASSWORD" "http://$(instance_address):$(mgmt_port "$1")/actuator/prometheus" 2>/dev/null || true; } |
        awk '/^http_server_requests_seconds_count/ && !/uri="\/actuator/ { n += $NF } END { printf "%d\n", n }'
}

# wait_in_rotation NAME...: each instance has been sent a request by a caller since it became ready. Without load
# nothing comes: past ROTATION_TIMEOUT the callers' caches have refreshed anyway, and it says so
wait_in_rotation() {
    local name before since
    for name in "$@"; do
        before=$(served_requests "$name") since=$SECONDS
        if wait_for "$ROTATION_TIMEOUT" "$name to receive a request" served_since "$name" "$before" 2>/dev/null; then
            log "$name receives traffic ($((SECONDS - since)) s after it was ready)"
        else
            log "$name saw no request in ${ROTATION_TIMEOUT}s (no load?); callers have refreshed their registry by now"
        fi
    done
}
served_since() { (($(served_requests "$1") > $2)); }
