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
# app name = Maven module; default port. The management port is always port + 10000.
declare -A APP_BASE_PORT=([config-server]=8888 [discovery]=8761 [auth-server]=9000
    [customer-service]=8081 [account-service]=8082 [transaction-service]=8083 [product-service]=8084
    [subscription-service]=8085 [gateway]=8080)
# Start order: config-server first (everyone imports from it), then the rest in parallel.
FIRST_APPS=(config-server)
PARALLEL_APPS=(discovery auth-server customer-service account-service transaction-service product-service
    subscription-service gateway)
# Stop order (down.sh): Prometheus (when up.sh started it) and what serves traffic first, so it can
# still deregister from Eureka; then the registry and auth; config last.
STOP_FIRST=(prometheus gateway customer-service account-service transaction-service product-service
    subscription-service)
STOP_THEN=(auth-server discovery)
STOP_LAST=(config-server)

app_port() { echo $((APP_BASE_PORT[$1] + PORT_OFFSET)); }
mgmt_port() { echo $((APP_BASE_PORT[$1] + PORT_OFFSET + 10000)); }
prometheus_port() { echo $((9090 + PORT_OFFSET)); }
pid_file() { echo "$RUN_DIR/pids/$1.pid"; }

# app_alive NAME: the process recorded for NAME is alive
app_alive() {
    local pid
    pid=$(cat "$(pid_file "$1")" 2>/dev/null) || return 1
    # the pid must still be our app's JVM, not an unrelated process that reused the number
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$1"
}
