#!/usr/bin/env bash
# Runs every test: unit, integration (real PostgreSQL and Redis) and the end-to-end test that starts
# the whole suite with up.sh on shifted ports. Makes sure the local infrastructure is up first
# (where a Docker engine answers, Testcontainers provides the databases instead).
#
#   deploy/local/test.sh [extra mvn args]
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/lib.sh"

"$REPO_ROOT/deploy/local/infra.sh" up
# promtool checks the alert rules (AlertRulesTest) and the end-to-end test checks that Prometheus scrapes
# every app: install Debian's package where we can; without it those tests fall back to weaker checks
if ! have promtool && [[ $(id -u) == 0 ]] && have apt-get; then
    log "installing Prometheus (Debian package) for the alert-rule and scrape tests"
    apt-get install -y -qq prometheus >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq prometheus >/dev/null 2>&1; } ||
        warn "could not install prometheus; AlertRulesTest parses the rules instead"
fi
cd "$REPO_ROOT"
exec mvn -B verify "$@"
