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
