#!/usr/bin/env bash
# Runs every test: unit, integration (real PostgreSQL and Redis) and the end-to-end test that starts
# the whole suite with up.sh on shifted ports, then the backup-restore drill on the local cluster. Makes sure
# the local infrastructure is up first (where a Docker engine answers, Testcontainers provides the databases
# for the Maven tests instead; the drills need the local cluster).
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
# ComposeProjectTest reads the full-stack compose project with docker-compose itself (no engine needed) and fails
# without it: Debian's package where we can install it
if ! have docker-compose && [[ $(id -u) == 0 ]] && have apt-get; then
    log "installing docker-compose (Debian package) for the compose project's test"
    apt-get install -y -qq docker-compose >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq docker-compose >/dev/null 2>&1; } ||
        warn "could not install docker-compose; ComposeProjectTest will fail and say so"
fi
cd "$REPO_ROOT"
mvn -B verify "$@"
# the drills that are scripts rather than tests (the failover drill is LedgerFailoverTest, run above)
deploy/drills/backup-restore.sh
