#!/bin/bash
# healthcheck.sh [liveness|readiness]: the app's health group on its management port (MANAGEMENT_SERVER_PORT, set
# by the Dockerfile from the manifest) answers 200. Bash alone, so that the check does not depend on curl or wget
# being in the JRE base image.
# The image's HEALTHCHECK asks liveness: an app waiting for its database is alive, not broken. The compose file asks
# readiness, so that what depends on an app starts once it can serve.
set -u
group=${1:-liveness}
port=${MANAGEMENT_SERVER_PORT:?MANAGEMENT_SERVER_PORT is not set}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /actuator/health/%s HTTP/1.0\r\nHost: localhost\r\nAccept: application/json\r\n\r\n' "$group" >&3
IFS=$' \r' read -r _ status _ <&3 || exit 1
[[ $status == 200 ]]
