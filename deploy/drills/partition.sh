#!/usr/bin/env bash
# A partitioned instance: one more instance of a service, alone in a network namespace, reaching the rest of the
# suite over a veth link as a separate host would. "cut" takes its end of the link down: packets to and from it go
# nowhere, no process dies and nothing is refused, as when a host's network fails. Needs root (ip netns) and socat.
#
#   deploy/drills/partition.sh start APP   start instance APP.9 in the namespace; wait until it is ready and receives
#                                          requests (it registers in Eureka with its namespace address)
#   deploy/drills/partition.sh cut         take the namespace's link down
#   deploy/drills/partition.sh stop        remove the instance from Eureka, kill it, remove the namespace and the
#                                          forwarders, and leave its address unreachable (idempotent)
#
# The suite's own servers listen on loopback only; the namespace reaches config-server, discovery, auth-server,
# PostgreSQL (both HAProxy ports) and Redis through socat forwarders on the host's end of the link. A service that
# calls other services would need those too: the drill partitions transaction-service, which calls none.
# Run by the end-to-end suite (InstanceDrills) and deploy/drills/run.sh partition. Environment: as up.sh.
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/../local/lib.sh"

NETNS=scalarhub-partition
HOST_LINK=shpart0 NS_LINK=shpart1
HOST_ADDRESS=10.213.0.1 NS_ADDRESS=10.213.0.2 LINK_NET=10.213.0.0/30
INSTANCE=9
STATE=$RUN_DIR/partition
mkdir -p "$STATE"

forwarded_ports() {
    echo "$(app_port config-server) $(app_port discovery) $(app_port auth-server)"
    echo "${SCALARHUB_PG_PORT:-55432} ${SCALARHUB_PG_REPLICA_PORT:-55433} ${SCALARHUB_REDIS_PORT:-6379}"
}

start() {
    local app=$1 name port
    [[ $(id -u) == 0 ]] || die "the partition drill needs root (ip netns)"
    have socat || die "the partition drill needs socat (apt-get install socat)"
    [[ -e /run/netns/$NETNS ]] && die "$NETNS exists: deploy/drills/partition.sh stop first"
    name=$(instance_name "$app" "$INSTANCE")
    # whatever fails from here, stop finds and removes what was made
    echo "$name" >"$STATE/instance"
    trap 'if [[ -z ${STARTED:-} ]]; then warn "start failed; cleaning up"; stop; fi' EXIT
    ip route del unreachable "$LINK_NET" 2>/dev/null || true # left by the last stop
    ip netns add "$NETNS"
    ip link add "$HOST_LINK" type veth peer name "$NS_LINK"
    ip link set "$NS_LINK" netns "$NETNS"
    ip addr add "$HOST_ADDRESS/30" dev "$HOST_LINK"
    ip link set "$HOST_LINK" up
    ip -n "$NETNS" addr add "$NS_ADDRESS/30" dev "$NS_LINK"
    ip -n "$NETNS" link set "$NS_LINK" up
    ip -n "$NETNS" link set lo up
    # shellcheck disable=SC2046 # a list of port numbers
    for port in $(forwarded_ports); do
        nohup socat "TCP-LISTEN:$port,bind=$HOST_ADDRESS,fork,reuseaddr" "TCP:127.0.0.1:$port" \
            >>"$STATE/socat.log" 2>&1 </dev/null &
    done
    log "namespace $NETNS: $NS_ADDRESS, linked to $HOST_ADDRESS (forwarding $(forwarded_ports | tr '\n' ' '))"

    load_secrets
    export SCALARHUB_LAUNCH_PREFIX="ip netns exec $NETNS" SCALARHUB_SUITE_ADDRESS=$HOST_ADDRESS
    export SCALARHUB_BIND_ADDRESS=$NS_ADDRESS SCALARHUB_ADVERTISED_ADDRESS=$NS_ADDRESS
    export SCALARHUB_PG_HOST=$HOST_ADDRESS SCALARHUB_REDIS_HOST=$HOST_ADDRESS SCALARHUB_OTLP_ENDPOINT=off
    # shellcheck source=deploy/local/launch.sh
    source "$REPO_ROOT/deploy/local/launch.sh"
    BIND_ADDRESS=$NS_ADDRESS SUITE_ADDRESS=$HOST_ADDRESS
    start_app "$name"
    wait_ready "$name"
    wait_in_rotation "$name"
    STARTED=yes
}

cut() {
    ip -n "$NETNS" link set "$NS_LINK" down
    log "cut: $NETNS's link is down"
}

# deregister NAME: the instance leaves Eureka now, as an operator removes a dead one, rather than when its lease ends
deregister() {
    local app=${1%%.*} id
    load_secrets
    id=$(curl -fsS -H 'Accept: application/json' -u "scalarhub:$SCALARHUB_DISCOVERY_PASSWORD" \
        "http://127.0.0.1:$(app_port discovery)/eureka/apps/${app^^}" 2>/dev/null |
        python3 -c 'import json, sys
instances = json.load(sys.stdin)["application"]["instance"]
print(" ".join(i["instanceId"] for i in (instances if isinstance(instances, list) else [instances]) if i["ipAddr"] == sys.argv[1]))' \
            "$NS_ADDRESS" 2>/dev/null) || return 0
    for id in $id; do
        curl -fsS -X DELETE -u "scalarhub:$SCALARHUB_DISCOVERY_PASSWORD" \
            "http://127.0.0.1:$(app_port discovery)/eureka/apps/${app^^}/$id" >/dev/null 2>&1 && log "removed $id from Eureka"
    done
}

stop() {
    local name
    if [[ -f $STATE/instance ]]; then
        name=$(cat "$STATE/instance")
        deregister "$name"
        # no drain: it is cut off, and deregistering would wait for a registry it cannot reach
        if app_alive "$name"; then kill -KILL "$(cat "$(pid_file "$name")")"; fi
        wait_for 10 "$name to die" stopped "$name" || die "could not stop $name"
        rm -f "$(pid_file "$name")" "$STATE/instance"
    fi
    # the forwarders, and the child each forked per connection, which outlives its parent
    pkill -f "socat TCP-LISTEN:[0-9]*,bind=$HOST_ADDRESS," 2>/dev/null || true
    if [[ -e /run/netns/$NETNS ]]; then ip netns delete "$NETNS"; fi
    if ip link show "$HOST_LINK" >/dev/null 2>&1; then ip link delete "$HOST_LINK"; fi
    # a caller that still holds the address in its cache (seconds) must fail to connect at once, not reach whatever
    # the default route leads to (which answered 404 here, as an unrelated server would)
    ip route replace unreachable "$LINK_NET"
    log "partition drill cleaned up"
}

case ${1:-} in
start) [[ $# == 2 ]] || die "usage: $0 start APP"; start "$2" ;;
cut) cut ;;
stop) stop ;;
*) die "usage: $0 start APP | cut | stop" ;;
esac
