# shellcheck shell=bash
# Shared helpers for the deploy/local scripts. Source it; it has no side effects.

log()  { printf '[scalarhub] %s\n' "$*"; }
warn() { printf '[scalarhub] WARNING: %s\n' "$*" >&2; }
die()  { printf '[scalarhub] ERROR: %s\n' "$*" >&2; exit 1; }

have() { command -v "$1" >/dev/null 2>&1; }

# port_open HOST PORT: true if something accepts TCP connections there.
# Uses bash's /dev/tcp so it needs no nc/ss; timeout guards against filtered ports.
port_open() {
    local host=$1 port=$2
    if have timeout; then
        # shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
        timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null
    else
        (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
    fi
}

# wait_for TIMEOUT_SECONDS DESCRIPTION CMD [ARG...]
# Polls CMD until it succeeds; returns 1 (after a warning) once the deadline passes.
# This is the only way the scripts synchronise: no fixed sleeps.
wait_for() {
    local timeout=$1 what=$2
    shift 2
    local deadline=$((SECONDS + timeout))
    until "$@"; do
        if ((SECONDS >= deadline)); then
            warn "timed out after ${timeout}s waiting for ${what}"
            return 1
        fi
        sleep 0.2
    done
}

# ---- The suite's apps (shared by up.sh and down.sh) --------------------------------------------
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Where a run keeps its pids, logs and temp files; one folder per run, so a second suite (the
# end-to-end test's) can run beside the developer's without touching it.
RUN_DIR=${SCALARHUB_RUN_DIR:-$REPO_ROOT/.run}
# Every port moves by this much: the end-to-end test runs a whole suite on other ports.
PORT_OFFSET=${SCALARHUB_PORT_OFFSET:-0}
# The apps, their ports, start and stop order and databases: generated from the suite's list, deploy/suite.yml
# (APP_BASE_PORT, FIRST_APPS, PARALLEL_APPS, SERVICES, STOP_FIRST, STOP_THEN, STOP_LAST, SUITE_DATABASES).
# shellcheck source=deploy/local/suite.sh
source "$REPO_ROOT/deploy/local/suite.sh"
# down.sh stops Prometheus (when up.sh started it) with what serves traffic, while the registry still answers it
STOP_FIRST=(prometheus "${STOP_FIRST[@]}")

# Instances: the first instance of an app is named as the app; scale.sh starts more, APP.2, APP.3, ..., each on the
# app's ports + 10 per instance (customer-service.2: 8091, management 18091), with its own pid file and log. Up to
# nine stay below the ports of a suite shifted by 300 (the end-to-end test's).
instance_name() { if (($2 > 1)); then echo "$1.$2"; else echo "$1"; fi; } # instance_name APP K
instance_number() { if [[ $1 == *.* ]]; then echo "${1##*.}"; else echo 1; fi; } # instance_number NAME
# instances_of APP: the instance names with a pid file, first instance first
instances_of() {
    local file name
    [[ -f $(pid_file "$1") ]] && echo "$1"
    for file in "$RUN_DIR/pids/$1".*.pid; do
        [[ -f $file ]] || continue
        name=$(basename "$file" .pid)
        [[ $name =~ ^$1\.[0-9]+$ ]] && echo "$name"
    done | sort -t. -k2 -n
}

app_port() { # app_port NAME: the API port of an app's first instance, or of instance APP.K
    local app=${1%%.*}
    echo $((APP_BASE_PORT[$app] + PORT_OFFSET + 10 * ($(instance_number "$1") - 1)))
}

# ---- Secrets of a run (up.sh makes them; tests and benchmarks read them) ---------------------------
# The doors of the suite's own infrastructure: the management ports (operator: scalarhub-ops), the Eureka
# registry and config-server (user: scalarhub). Random, made once per run folder, readable by this user only;
# set them in the environment to choose them instead. The password auth-server encrypts its signing keys with
# is made once per machine, with the database it protects (infra.sh secret auth-keys).
SECRETS_FILE=$RUN_DIR/secrets.env
# The key that decrypts the {cipher} values in deploy/config (each app decrypts; config-server never does).
# LOCAL DEMO KEY, like the demo client secrets: a deployment sets ENCRYPT_KEY from its own secret store and
# re-encrypts deploy/config with it (deploy/local/encrypt.sh).
DEMO_ENCRYPT_KEY=scalarhub-local-demo-key-never-use-in-production
load_secrets() {
    mkdir -p "$RUN_DIR"
    (umask 077 && touch "$SECRETS_FILE")
    local name
    for name in SCALARHUB_MANAGEMENT_PASSWORD SCALARHUB_DISCOVERY_PASSWORD SCALARHUB_CONFIG_SERVER_PASSWORD; do
        grep -q "^$name=" "$SECRETS_FILE" ||
            printf '%s=%s\n' "$name" "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" >>"$SECRETS_FILE"
    done
    local line value
    while IFS= read -r line; do
        name=${line%%=*} value=${line#*=}
        [[ $name == SCALARHUB_AUTH_KEYS_PASSWORD ]] && continue # kept with the data now (below)
        # a value already in the environment wins over the file; not exported: each app is given only the
        # secrets it needs (up.sh app_env)
        [[ -z ${!name:-} ]] && declare -g "$name=$value"
    done <"$SECRETS_FILE"
    ENCRYPT_KEY=${ENCRYPT_KEY:-$DEMO_ENCRYPT_KEY}
    # it encrypts data in the shared auth database: it lives with that data (infra.sh), not with one run
    SCALARHUB_AUTH_KEYS_PASSWORD=${SCALARHUB_AUTH_KEYS_PASSWORD:-$("$REPO_ROOT/deploy/local/infra.sh" secret auth-keys)}
}
# ---- The JVM options every app runs with (launch.sh; the bench scripts that start a JVM themselves use the same) --
# Small heaps and serial GC: nine JVMs share two cores and a few GiB here. Three choices measured (docs/performance.md,
# "Footprint"):
# - no cap on the code cache (the JDK's 240 MiB, reserved, not resident): on JDK 20+ a JVM runs a GC to unload code
#   each time its code grows by 15 % of the cache's size, and with a 64 MiB cap every app stopped the world for
#   3-4 full collections of 0.1-1 s each while it warmed up;
# - the native heap trimmed every 5 s: what C2 and the class loaders malloc while an app warms up and then free
#   stays resident in glibc's arenas otherwise (24 MiB of a warmed-up service's RSS);
# - the first metaspace collection at 128 MiB, not ~21: an app without class data (a first run after a build: every
#   CI run) loads ~100 MiB of classes, and each crossing of the threshold was a full collection, 26 of them (10-11 s
#   of pauses in all) in nine JVMs' start. With class data mapped, metaspace stays near 10 MiB either way.
# And "Warm-up" measured a fourth:
# - four compiler threads (one C1, three C2) where two CPUs give two: under load the request threads, wrk and
#   PostgreSQL outnumber a lone C2 thread for the cores, and a new instance needed 65 s to reach 90 % of its steady
#   throughput (0.52 of it 30 s after readiness); with four, 28 s (1.04); a second run: 38 s (0.78) against 80 s.
#   The price is paid before readiness, as the extra threads compile what the AOT cache's profiles already call hot:
#   customer-service ready after 5.6 s, not 3.7;
#   the nine apps restarted alone 3.9-6.9 s, not 2.1-3.7 (over issue #14's 5 s); the suite up in 57 s, not 48-51.
#   SCALARHUB_JAVA_OPTS=-XX:CICompilerCount=2 gives the JDK's choice back (the last occurrence counts).
APP_JVM_OPTS=(-Xmx160m -Xss512k -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 -XX:MetaspaceSize=128m
    -XX:CICompilerCount=4)
# An app's own options come after those: APP_OWN_JVM_OPTS, from deploy/suite.yml's jvm-options (suite.sh; the images
# carry the same), which say why (the gateway's survivor spaces, C1 alone for config-server and discovery). Added here,
# the heap of the two control-plane apps on this host: 96 MiB where every other app gets 160 (live sets after a full
# collection: 29 and 39 MiB). auth-server keeps 160 MiB: its heap held every token issued until it expired (4.9 KB
# each, 15 min); they are rows in the auth database now, and a smaller heap is not adopted on one measured run
# (docs/performance.md, "Issued tokens in the database"). Measured side by side with C1 alone: 101 MiB less RSS for
# the two, the suite up 4.6 s sooner (docs/performance.md, "The control plane"). In a container the heap follows the
# memory limit instead.
CONTROL_PLANE_HEAP=-Xmx96m
APP_OWN_JVM_OPTS[config-server]+=" $CONTROL_PLANE_HEAP"
APP_OWN_JVM_OPTS[discovery]+=" $CONTROL_PLANE_HEAP"

# ---- The environment of each app (up.sh, and the start-up benchmark that launches apps itself) -----
# Call load_secrets first; OTLP_ENDPOINT (optional) is where traces go.
BIND_ADDRESS=${SCALARHUB_BIND_ADDRESS:-127.0.0.1}
# where an app finds config-server, discovery and auth-server (default: this host's loopback), and the address an app
# registers in Eureka and the scripts probe it on: other than loopback only for an instance in a network namespace
# of its own (deploy/drills/partition.sh)
SUITE_ADDRESS=${SCALARHUB_SUITE_ADDRESS:-}
instance_address() { echo "${SCALARHUB_ADVERTISED_ADDRESS:-127.0.0.1}"; }
bind_address() { # bind_address NAME: the address NAME's API port listens on
    if [[ $1 == gateway ]]; then echo "${SCALARHUB_GATEWAY_BIND_ADDRESS:-$BIND_ADDRESS}"; else echo "$BIND_ADDRESS"; fi
}
app_env() { # app_env NAME: sets APP_ENV, the environment an app's instance gets (for env(1), so $! is the JVM)
    local app=${1%%.*}
    APP_ENV=(SERVER_PORT="$(app_port "$1")"
        MANAGEMENT_SERVER_PORT="$(mgmt_port "$1")"
        SCALARHUB_CONFIG_URL="http://${SUITE_ADDRESS:-localhost}:$(app_port config-server)"
        SCALARHUB_CONFIG_DIR="$REPO_ROOT/deploy/config"
        SCALARHUB_DISCOVERY_URL="http://${SUITE_ADDRESS:-localhost}:$(app_port discovery)/eureka/"
        SCALARHUB_PUBLIC_URL="http://localhost:$(app_port gateway)"
        SCALARHUB_AUTH_URL="http://${SUITE_ADDRESS:-127.0.0.1}:$(app_port auth-server)"
        SCALARHUB_MANAGEMENT_PASSWORD="$SCALARHUB_MANAGEMENT_PASSWORD")
    # each app gets the secrets it needs and no other: config-server checks its own password and never sees
    # the key that decrypts what it serves; every other app presents the registry's and config-server's
    # credentials and decrypts its {cipher} values itself
    if [[ $app == config-server ]]; then
        APP_ENV+=(SCALARHUB_CONFIG_SERVER_PASSWORD="$SCALARHUB_CONFIG_SERVER_PASSWORD")
    else
        APP_ENV+=(SCALARHUB_DISCOVERY_PASSWORD="$SCALARHUB_DISCOVERY_PASSWORD"
            SPRING_CLOUD_CONFIG_USERNAME=scalarhub SPRING_CLOUD_CONFIG_PASSWORD="$SCALARHUB_CONFIG_SERVER_PASSWORD"
            ENCRYPT_KEY="$ENCRYPT_KEY")
    fi
    # auth-server's signing key set lives in the auth database, its private keys encrypted with this
    [[ $app == auth-server ]] && APP_ENV+=(SCALARHUB_AUTH_KEYS_ENCRYPTIONPASSWORD="$SCALARHUB_AUTH_KEYS_PASSWORD")
    # every port on loopback unless told otherwise: nothing of the suite answers from the network by default
    # (docs/operations.md "Ports"); the gateway, the one public door, may be opened on its own
    APP_ENV+=(SERVER_ADDRESS="$(bind_address "$app")" MANAGEMENT_SERVER_ADDRESS="$BIND_ADDRESS")
    # the local profile: <app>-local.yml in deploy/config adds what only a local suite may do (test clocks);
    # config-server keeps its own profile (native)
    [[ $app != config-server ]] && APP_ENV+=(SPRING_PROFILES_ACTIVE="${SCALARHUB_PROFILES:-local,demo}")
    # Boot creates the OTLP span exporter only when this property exists (an empty value is not "none")
    [[ -n ${OTLP_ENDPOINT:-} ]] && APP_ENV+=(MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT="$OTLP_ENDPOINT")
    return 0
}

mgmt_port() { echo $(($(app_port "$1") + 10000)); }
prometheus_port() { echo $((9090 + PORT_OFFSET)); }
pid_file() { echo "$RUN_DIR/pids/$1.pid"; }

# app_alive NAME: the process recorded for NAME is alive
app_alive() {
    local pid
    pid=$(cat "$(pid_file "$1")" 2>/dev/null) || return 1
    # the pid must still be our app's JVM, not an unrelated process that reused the number
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$1"
}

# The wait per instance before SIGKILL. Each service first drains for 15 s (scalarhub.shutdown.drain-delay), and the
# first run after a build writes each app's class data as it stops (up.sh, SCALARHUB_CDS=auto): several JVMs
# dumping at once on two cores take 30-60 s.
STOP_TIMEOUT=${SCALARHUB_STOP_TIMEOUT:-90}
stopped() { ! app_alive "$1"; }
# A run folder that is thrown away after this stop (the end-to-end test's) needs no class data: with
# SCALARHUB_STOP_DISCARD_CLASS_DATA=1 (down.sh --discard-class-data), a JVM that recorded class data is killed as soon
# as its app has shut down, before it writes what it recorded. On two cores, nine JVMs preparing and assembling AOT
# caches at once made a stop about 60 s longer (docs/performance.md, "The final stop writes no class data").
DISCARD_CLASS_DATA=${SCALARHUB_STOP_DISCARD_CLASS_DATA:-0}
# app_shut_down_recording NAME PID: the JVM records class data (launch.sh's CDS_RECORD), and has run Spring's shutdown
# hook to its end: the thread that handles SIGTERM is there (it halts the JVM when the hooks are done, and the JVM
# then prepares and writes its class data: seconds of CPU), no thread of the hook is left, and the management port
# is closed (the hook stops the servers: so the hook has not merely yet to start)
app_shut_down_recording() {
    local name=$1 pid=$2 threads
    grep -qa -- '-XX:AOTCacheOutput=\|-XX:ArchiveClassesAtExit=' "/proc/$pid/cmdline" 2>/dev/null || return 1
    threads=$(cat /proc/"$pid"/task/*/comm 2>/dev/null) || return 1
    # thread names as Linux keeps them: the first 15 characters
    [[ $threads == *"SIGTERM handler"* && $threads != *SpringApplicati* ]] || return 1
    ! port_open "$(instance_address)" "$(mgmt_port "$name")"
}
# discard_if_shut_down NAME: kills NAME if it is still alive, records class data and its app has shut down
discard_if_shut_down() {
    stopped "$1" && return 0
    local pid
    pid=$(cat "$(pid_file "$1")" 2>/dev/null) || return 0
    app_shut_down_recording "$1" "$pid" || return 0
    # stopped first, so that it starts no JVM to assemble a cache between the two kills
    kill -STOP "$pid" 2>/dev/null || true
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    log "$1 shut down; its class data discarded"
    wait_for 5 "$1 to die" stopped "$1" || return 0
    # anything it had begun to write (the AOT configuration is opened, empty, at the JVM's start); launch.sh would
    # never promote it
    rm -f "$RUN_DIR/cds/${1%%.*}/"*.new*
}
# stopped_discarding NAME INSTANCE...: NAME has stopped. When class data is discarded, each of the instances being
# stopped is looked at on the way, so that each is killed as soon as its app has shut down, whichever is waited on
stopped_discarding() {
    local name=$1 instance
    shift
    if [[ $DISCARD_CLASS_DATA == 1 ]]; then
        for instance in "$@"; do
            discard_if_shut_down "$instance"
        done
    fi
    stopped "$name"
}
# stop_instances NAME...: SIGTERM to each at once (each drains, then shuts down gracefully), then wait for each;
# SIGKILL past STOP_TIMEOUT
stop_instances() {
    local name
    for name in "$@"; do
        if app_alive "$name"; then
            kill -TERM "$(cat "$(pid_file "$name")")"
            log "stopping $name"
        fi
    done
    for name in "$@"; do
        if ! wait_for "$STOP_TIMEOUT" "$name to stop" stopped_discarding "$name" "$@"; then
            warn "$name ignored SIGTERM; killing it"
            kill -KILL "$(cat "$(pid_file "$name")")" 2>/dev/null || true
            wait_for 5 "$name to die" stopped "$name" || die "could not stop $name"
        fi
        rm -f "$(pid_file "$name")"
    done
}
