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
cd "$REPO_ROOT"
exec mvn -B verify "$@"
