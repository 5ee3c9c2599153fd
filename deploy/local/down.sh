#!/usr/bin/env bash
# Stops every app that up.sh started for this run folder (and only those), then the local
# PostgreSQL and any Redis that infra.sh started. Data stays on disk for the next up.sh.
#
#   deploy/local/down.sh              apps and infrastructure
#   deploy/local/down.sh --apps-only  leave PostgreSQL and Redis running (other runs may share them)
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/lib.sh"

# The wait per app before SIGKILL. The first run after a build writes each app's AppCDS archive as it
# stops (up.sh, SCALARHUB_CDS=auto): several JVMs dumping at once on two cores take 30-60 s.
STOP_TIMEOUT=${SCALARHUB_STOP_TIMEOUT:-90}

stopped() { ! app_alive "$1"; }

stop_apps() { # stop_apps NAME...: SIGTERM together, then wait for each (SIGKILL past the timeout)
    local app
    for app in "$@"; do
        if app_alive "$app"; then
            kill -TERM "$(cat "$(pid_file "$app")")"
            log "stopping $app"
        fi
    done
    for app in "$@"; do
        if ! wait_for "$STOP_TIMEOUT" "$app to stop" stopped "$app"; then
            warn "$app ignored SIGTERM; killing it"
            kill -KILL "$(cat "$(pid_file "$app")")" 2>/dev/null || true
            wait_for 5 "$app to die" stopped "$app" || die "could not stop $app"
        fi
        rm -f "$(pid_file "$app")"
    done
}

stop_apps "${STOP_FIRST[@]}"
stop_apps "${STOP_THEN[@]}"
stop_apps "${STOP_LAST[@]}"
log "apps stopped"

if [[ ${1:-} != --apps-only ]]; then
    "$REPO_ROOT/deploy/local/infra.sh" down
fi
