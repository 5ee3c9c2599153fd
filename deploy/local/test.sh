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

# install_tool COMMAND PACKAGE WHY: install PACKAGE from the machine's apt sources when COMMAND is missing and we may
# (root); the tests that need it say so themselves when it is still missing
install_tool() {
    local command=$1 package=$2 why=$3
    have "$command" && return 0
    [[ $(id -u) == 0 ]] && have apt-get || { warn "$command is missing: $why"; return 0; }
    log "installing $package for $why"
    apt-get install -y -qq "$package" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$package" >/dev/null 2>&1; } ||
        warn "could not install $package: $why"
}
# promtool checks the alert rules (AlertRulesTest; without it the test parses them instead) and the end-to-end test
# checks that Prometheus scrapes every app
install_tool promtool prometheus "the alert-rule and scrape tests"
# KubernetesManifestsTest renders deploy/k8s with kubectl kustomize (kustomize v5: kubectl 1.27 or later) and fails
# without it. An apt source may offer it (pkgs.k8s.io, Google Cloud's); Debian's own kubernetes-client (1.20) is too
# old, deploy/k8s/README.md says where else to get it
install_tool kubectl kubectl "the Kubernetes manifests' test (KubernetesManifestsTest)"
# ComposeProjectTest reads the full-stack compose project with docker-compose itself (no engine needed) and fails
# without it: Debian's package
install_tool docker-compose docker-compose "the compose project's test (ComposeProjectTest)"
cd "$REPO_ROOT"
mvn -B verify "$@"
# the drills that are scripts rather than tests (the failover drill is LedgerFailoverTest, run above)
deploy/drills/backup-restore.sh
