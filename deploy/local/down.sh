#!/usr/bin/env bash
# Stops every app that up.sh started for this run folder (and only those), then the local
# PostgreSQL and any Redis that infra.sh started. Data stays on disk for the next up.sh.
#
#   deploy/local/down.sh              apps and infrastructure
#   deploy/local/down.sh --apps-only  leave PostgreSQL and Redis running (other runs may share them)
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/lib.sh"

STOP_TIMEOUT=${SCALARHUB_STOP_TIMEOUT:-30}

stopped() { ! app_alive "$1"; }

apps=("${PARALLEL_APPS[@]}" "${FIRST_APPS[@]}")
for app in "${apps[@]}"; do
    if app_alive "$app"; then
        kill -TERM "$(cat "$(pid_file "$app")")"
        log "stopping $app"
    fi
done
for app in "${apps[@]}"; do
    if ! wait_for "$STOP_TIMEOUT" "$app to stop" stopped "$app"; then
        warn "$app ignored SIGTERM; killing it"
        kill -KILL "$(cat "$(pid_file "$app")")" 2>/dev/null || true
        wait_for 5 "$app to die" stopped "$app" || die "could not stop $app"
    fi
    rm -f "$(pid_file "$app")"
done
log "apps stopped"

if [[ ${1:-} != --apps-only ]]; then
    "$REPO_ROOT/deploy/local/infra.sh" down
fi
