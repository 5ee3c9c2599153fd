#!/usr/bin/env bash
# Starts the whole suite on this machine, infrastructure included, and waits until it answers:
# PostgreSQL primary + streaming replica and Redis (infra.sh), then config-server, then discovery,
# auth-server, customer-service and the gateway in parallel. Idempotent: what runs is left alone.
#
#   deploy/local/up.sh            build what is missing, start, print the URLs and a first request
#
# Environment (all optional):
#   SCALARHUB_BUILD=always        rebuild the jars even if they exist (default: only when missing)
#   SCALARHUB_JAVA_OPTS           extra JVM options for every app (default heap: -Xmx160m)
#   SCALARHUB_RUN_DIR, SCALARHUB_PORT_OFFSET   see lib.sh
#   plus infra.sh's SCALARHUB_PG_*, SCALARHUB_REDIS_*, SCALARHUB_STATE_DIR
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/lib.sh"

START_TIMEOUT=${SCALARHUB_START_TIMEOUT:-180}
PUBLIC_URL="http://localhost:$(app_port gateway)"

mkdir -p "$RUN_DIR/pids" "$RUN_DIR/logs" "$RUN_DIR/tmp"

"$REPO_ROOT/deploy/local/infra.sh" up

jar_of() { ls "$REPO_ROOT/$1/target/$1-"*.jar 2>/dev/null | grep -v -- '-plain\|sources' | head -n 1; }

need_build=${SCALARHUB_BUILD:-missing}
for app in "${FIRST_APPS[@]}" "${PARALLEL_APPS[@]}"; do
    [[ -n $(jar_of "$app") ]] || need_build=always
done
if [[ $need_build == always ]]; then
    log "building the apps (mvn package, tests skipped; the test command runs them)"
    (cd "$REPO_ROOT" && mvn -B -q -DskipTests package)
fi

# The auth-server's token-signing key: made once, kept with the run so tokens survive a restart.
signing_key=$RUN_DIR/auth-signing-key.pem
if [[ ! -s $signing_key ]]; then
    have openssl || die "openssl is needed to make the auth-server's signing key"
    (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$signing_key" 2>/dev/null)
fi

start_app() { # start_app NAME
    local app=$1 jar
    if app_alive "$app"; then
        log "$app already running (pid $(cat "$(pid_file "$app")"))"
        return
    fi
    port_open 127.0.0.1 "$(app_port "$app")" && die "port $(app_port "$app") for $app is taken by another process"
    jar=$(jar_of "$app")
    mkdir -p "$RUN_DIR/tmp/$app"
    # small heaps and serial GC: five JVMs share two cores and a few hundred MiB here
    # shellcheck disable=SC2086 # SCALARHUB_JAVA_OPTS is a list of options
    SERVER_PORT=$(app_port "$app") \
    MANAGEMENT_SERVER_PORT=$(mgmt_port "$app") \
    SCALARHUB_CONFIG_URL="http://localhost:$(app_port config-server)" \
    SCALARHUB_CONFIG_DIR="$REPO_ROOT/deploy/config" \
    SCALARHUB_DISCOVERY_URL="http://localhost:$(app_port discovery)/eureka/" \
    SCALARHUB_PUBLIC_URL="$PUBLIC_URL" \
    SCALARHUB_AUTH_SIGNING_KEY="file:$signing_key" \
        nohup java -Xmx160m -Xss512k -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m \
        -Djava.io.tmpdir="$RUN_DIR/tmp/$app" ${SCALARHUB_JAVA_OPTS:-} \
        -jar "$jar" >"$RUN_DIR/logs/$app.log" 2>&1 </dev/null &
    echo $! >"$(pid_file "$app")"
    log "started $app (pid $!, port $(app_port "$app"), management $(mgmt_port "$app"))"
}

ready() { # ready NAME: its readiness group says UP; fails fast if the process died
    app_alive "$1" || { warn "$1 exited; last lines of $RUN_DIR/logs/$1.log:"; tail -n 30 "$RUN_DIR/logs/$1.log" >&2; exit 1; }
    curl -fsS "http://127.0.0.1:$(mgmt_port "$1")/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'
}

wait_ready() {
    local app
    for app in "$@"; do
        wait_for "$START_TIMEOUT" "$app readiness" ready "$app" || die "$app did not become ready; see $RUN_DIR/logs/$app.log"
        log "$app ready"
    done
}

started=$SECONDS
for app in "${FIRST_APPS[@]}"; do start_app "$app"; done
wait_ready "${FIRST_APPS[@]}"
for app in "${PARALLEL_APPS[@]}"; do start_app "$app"; done
wait_ready "${PARALLEL_APPS[@]}"

# Ready is not yet reachable: the gateway finds services through Eureka. Wait until a real request
# through the gateway reaches the auth-server and the customer-service.
token_through_gateway() {
    curl -fsS -u scalarhub-demo:demo-secret -d grant_type=client_credentials -d scope=customers:read \
        "$PUBLIC_URL/oauth2/token" 2>/dev/null | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
routed() {
    local token
    token=$(token_through_gateway) && [[ -n $token ]] &&
        [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$PUBLIC_URL/v1/customers?size=1") == 200 ]]
}
wait_for "$START_TIMEOUT" "the gateway to route to auth-server and customer-service" routed ||
    die "the gateway does not route yet; see $RUN_DIR/logs/gateway.log"
log "suite up in $((SECONDS - started))s"

cat <<TXT

ScalarHub is running.
  Gateway (the public API)   $PUBLIC_URL
  Eureka dashboard           http://localhost:$(app_port discovery)/
  Config server              http://localhost:$(app_port config-server)/customer-service/default
  Logs                       $RUN_DIR/logs/
  Stop                       deploy/local/down.sh

Demo API clients (local only; see README):
  scalarhub-demo       / demo-secret   every scope, tier enterprise
  scalarhub-demo-free  / free-secret   read-only scopes, tier free

First request:
  TOKEN=\$(curl -s -u scalarhub-demo:demo-secret -d grant_type=client_credentials \\
      $PUBLIC_URL/oauth2/token | sed -n 's/.*"access_token":"\\([^"]*\\)".*/\\1/p')
  curl -s -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
      -d '{"name":"Ada Lovelace","email":"ada@example.com"}' $PUBLIC_URL/v1/customers
TXT
