#!/usr/bin/env bash
# Stops every app that up.sh started for this run folder (and only those), then the local
# PostgreSQL and any Redis that infra.sh started. Data stays on disk for the next up.sh.
#
#   deploy/local/down.sh                       apps and infrastructure
#   deploy/local/down.sh --apps-only           leave PostgreSQL and Redis running (other runs may share them)
#   deploy/local/down.sh --discard-class-data  for a run folder about to be deleted: a JVM that recorded class data
#                                              is killed once its app has shut down, instead of writing it
set -euo pipefail
APPS_ONLY=0
for argument in "$@"; do
    case $argument in
        --apps-only) APPS_ONLY=1 ;;
        --discard-class-data) export SCALARHUB_STOP_DISCARD_CLASS_DATA=1 ;;
        *) echo "usage: down.sh [--apps-only] [--discard-class-data]" >&2; exit 2 ;;
    esac
done
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/lib.sh"

stop_apps() { # stop_apps APP...: every instance of each (scale.sh's too), SIGTERM together, then wait for each
    # (SIGKILL past the timeout)
    local app names=()
    for app in "$@"; do
        names+=("$app")
        # shellcheck disable=SC2207 # instance names have no spaces
        names+=($(instances_of "$app" | grep '\.' || true))
    done
    stop_instances "${names[@]}"
}

stop_apps "${STOP_FIRST[@]}"
stop_apps "${STOP_THEN[@]}"
stop_apps "${STOP_LAST[@]}"
log "apps stopped"

if ((!APPS_ONLY)); then
    "$REPO_ROOT/deploy/local/infra.sh" down
fi
