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
# KubernetesManifestsTest renders deploy/k8s with kubectl kustomize (kustomize v5: kubectl 1.27 or later) and fails
# without it: install it where an apt source offers it (pkgs.k8s.io, Google Cloud's); Debian's own kubernetes-client
# is 1.20, too old
if ! have kubectl && [[ $(id -u) == 0 ]] && have apt-get; then
    log "installing kubectl for the Kubernetes manifests' test"
    apt-get install -y -qq kubectl >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq kubectl >/dev/null 2>&1; } ||
        warn "could not install kubectl (no apt source offers it; deploy/k8s/README.md says where to get it): KubernetesManifestsTest fails without it"
fi
cd "$REPO_ROOT"
mvn -B verify "$@"
# the drills that are scripts rather than tests (the failover drill is LedgerFailoverTest, run above)
deploy/drills/backup-restore.sh
