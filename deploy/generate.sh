#!/usr/bin/env bash
# Rewrites every file generated from the suite's list, deploy/suite.yml (the local scripts' lists, the gateway's
# routes and scope rules, the Kubernetes and compose files). Run it after editing that file, and commit both;
# SuiteManifestTest fails the build while a generated file differs from what the list says.
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B -q -pl suite-manifest compile exec:java
