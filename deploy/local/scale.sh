#!/usr/bin/env bash
# More (or fewer) instances of a service, and rolling restarts, on a suite that up.sh started (same run folder and
# port offset). Each instance registers in Eureka (so the gateway and the other services balance over them, and
# Prometheus scrapes them), has its own ports, pid file and log: instance K of APP is APP.K, on APP's ports + 10 per
# instance (customer-service.2: API 8091, management 18091; logs/customer-service.2.log).
#
#   deploy/local/scale.sh APP N         run N instances of APP: start the missing ones (waits until each is ready and
#                                       receives traffic), stop the extra ones (highest first, each drained)
#   deploy/local/scale.sh restart APP   restart every instance of APP, one at a time: stop (it leaves Eureka, keeps
#                                       serving 15 s while callers notice, finishes in-flight requests), start, wait
#                                       until ready and receiving traffic, then the next. With one instance, a second
#                                       one carries the traffic meanwhile and is stopped at the end
#   deploy/local/scale.sh status [APP]  every instance: pid, ports, readiness
#
# APP: a domain service of deploy/suite.yml (kind: service; the apps callers find through Eureka).
# Environment: SCALARHUB_RUN_DIR and SCALARHUB_PORT_OFFSET as for up.sh.
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/lib.sh"

SCALABLE=("${SERVICES[@]}") # the domain services (deploy/suite.yml)

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}
scalable() { local app; for app in "${SCALABLE[@]}"; do [[ $app == "$1" ]] && return 0; done; return 1; }

load_secrets

start_instances() { # start_instances NAME...: start together, wait until each is ready, then in rotation
    local name
    for name in "$@"; do start_app "$name"; done
    wait_ready "$@"
    wait_in_rotation "$@"
}

scale() { # scale APP N
    local app=$1 count=$2 k name missing=() extra=()
    for ((k = 1; k <= count; k++)); do
        name=$(instance_name "$app" "$k")
        app_alive "$name" || missing+=("$name")
    done
    while read -r name; do
        [[ -n $name ]] && (($(instance_number "$name") > count)) && extra=("$name" "${extra[@]}")
    done < <(instances_of "$app")
    ((${#missing[@]} == 0)) || start_instances "${missing[@]}"
    ((${#extra[@]} == 0)) || stop_instances "${extra[@]}"
    log "$app: $count instance(s) running"
}

restart() { # restart APP: one instance at a time
    local app=$1 names=() name surge=
    while read -r name; do [[ -n $name ]] && app_alive "$name" && names+=("$name"); done < <(instances_of "$app")
    ((${#names[@]} > 0)) || die "$app is not running (deploy/local/up.sh starts it)"
    if ((${#names[@]} == 1)); then
        surge=$(instance_name "$app" 2)
        [[ $surge != "${names[0]}" ]] || surge=$(instance_name "$app" 3)
        log "one instance of $app: $surge carries the traffic during the restart"
        start_instances "$surge"
    fi
    for name in "${names[@]}"; do
        stop_instances "$name"
        start_instances "$name"
    done
    [[ -z $surge ]] || stop_instances "$surge"
    log "$app restarted: ${names[*]}"
}

status() { # status [APP]
    local app name state
    for app in "${@:-${SCALABLE[@]}}"; do
        while read -r name; do
            [[ -n $name ]] || continue
            if ! app_alive "$name"; then
                state="not running (stale pid file)"
            elif curl -fsS "http://$(instance_address):$(mgmt_port "$name")/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; then
                state="ready"
            else
                state="running, not ready"
            fi
            printf '%-24s pid %-8s port %-6s management %-6s %s\n' "$name" "$(cat "$(pid_file "$name")" 2>/dev/null)" \
                "$(app_port "$name")" "$(mgmt_port "$name")" "$state"
        done < <(instances_of "$app")
    done
}

# starting instances: the same JDK, class data, options and environment as up.sh
launcher() {
    # shellcheck source=deploy/local/launch.sh
    source "$REPO_ROOT/deploy/local/launch.sh"
}

case ${1:-} in
restart)
    [[ $# == 2 ]] && scalable "$2" || usage
    launcher
    restart "$2"
    ;;
status)
    [[ $# -le 2 ]] || usage
    [[ $# == 1 ]] || scalable "$2" || usage
    status "${@:2}"
    ;;
*)
    [[ $# == 2 && $2 =~ ^[0-9]+$ ]] && (($2 >= 1 && $2 <= 9)) && scalable "$1" || usage
    launcher
    scale "$1" "$2"
    ;;
esac
