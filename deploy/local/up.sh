#!/usr/bin/env bash
# Starts the whole suite on this machine, infrastructure included, and waits until it answers:
# PostgreSQL (two nodes under Patroni, behind HAProxy) and Redis (infra.sh), then config-server, then discovery,
# auth-server, the three services and the gateway in parallel. Idempotent: what runs is left alone.
#
#   deploy/local/up.sh            build what is missing, start, print the URLs and a first request
#
# Environment (all optional):
#   SCALARHUB_BUILD=always        rebuild the jars even if they are current (default: when missing or
#                                 older than a source file or pom)
#   SCALARHUB_JAVA_OPTS           extra JVM options for every app (default heap: -Xmx160m)
#   SCALARHUB_JAVA_OPTS_<app>     extra JVM options for one app, after those (the app's name with _ for -:
#                                 SCALARHUB_JAVA_OPTS_config_server); the last occurrence of an option counts
#   SCALARHUB_JAVA_HOME=auto      the JDK the apps run on. auto (default): the newest JDK 25 or later installed
#                                 under /usr/lib/jvm (its AOT cache, below), else the java on PATH (JDK 17+)
#   SCALARHUB_CDS=auto            class data made once per jar build and kept in $RUN_DIR/cds: on JDK 25+ an AOT
#                                 cache (classes loaded and linked, and the JIT's method profiles of the run that
#                                 made it), on older JDKs an AppCDS archive (docs/performance.md). auto (default):
#                                 the first run after a build writes it when the apps stop (down.sh takes longer
#                                 once), later starts use it; train: make it up front with a training run that
#                                 stops after start-up (+15-30 s per app, once; no request profiles); off: the
#                                 plain fat jars, no archive
#   SCALARHUB_OTLP_ENDPOINT       where the apps send traces (OTLP/HTTP, e.g. http://localhost:4318/v1/traces);
#                                 default: a Jaeger (or any OTLP collector) listening on localhost:4318 when up.sh
#                                 starts, else none; "off" never exports
#   SCALARHUB_BIND_ADDRESS=127.0.0.1   the address every app's ports listen on (API and management); 0.0.0.0
#                                 for all interfaces (containers). SCALARHUB_GATEWAY_BIND_ADDRESS: the gateway's
#                                 API port alone (default: the same)
#   SCALARHUB_PROFILES=local,demo the Spring profiles of every app but config-server (deploy/config/<app>-<profile>.yml);
#                                 local enables billing test clocks (a future asOf), demo registers the README's demo
#                                 API clients
#   SCALARHUB_PROMETHEUS=auto     auto (default): start Prometheus when the binary is installed (Debian: apt-get
#                                 install prometheus), on port 9090 + offset, scraping every app it finds in
#                                 Eureka; off: don't
#   SCALARHUB_MANAGEMENT_PASSWORD, SCALARHUB_DISCOVERY_PASSWORD, SCALARHUB_CONFIG_SERVER_PASSWORD, ENCRYPT_KEY
#                                 the suite's own secrets (default: random, kept in $RUN_DIR/secrets.env; the demo
#                                 key for deploy/config's {cipher} values): see lib.sh and docs/operations.md
#   SCALARHUB_RUN_DIR, SCALARHUB_PORT_OFFSET   see lib.sh
#   plus infra.sh's SCALARHUB_PG_*, SCALARHUB_REDIS_*, SCALARHUB_STATE_DIR
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/lib.sh"

PUBLIC_URL="http://localhost:$(app_port gateway)"

load_secrets

"$REPO_ROOT/deploy/local/infra.sh" up

# shellcheck source=deploy/local/launch.sh
source "$REPO_ROOT/deploy/local/launch.sh"

# Build when a jar is missing or older than any source or pom: never start yesterday's code.
need_build=${SCALARHUB_BUILD:-stale}
oldest_jar=
for app in "${FIRST_APPS[@]}" "${PARALLEL_APPS[@]}"; do
    jar=$(jar_of "$app")
    if [[ -z $jar ]]; then
        need_build=always
    elif [[ -z $oldest_jar || $jar -ot $oldest_jar ]]; then
        oldest_jar=$jar
    fi
done
if [[ $need_build == stale && -n $oldest_jar ]] &&
    [[ -n $(find "$REPO_ROOT" \( -name target -o -name .git -o -name .run -o -name bench \) -prune -o \
        -type f -newer "$oldest_jar" \( -path '*/src/main/*' -o -name pom.xml \) -print -quit) ]]; then
    need_build=always
fi
if [[ $need_build == always ]]; then
    log "building the apps (mvn package, tests skipped; the test command runs them)"
    # forceCreation: a jar whose own classes did not change must still be repackaged when a dependency did
    (cd "$REPO_ROOT" && mvn -B -q -DskipTests -Dmaven.jar.forceCreation=true package)
fi


# ---- Prometheus: finds the apps in Eureka (deploy/prometheus/prometheus.yml, localised for this run) ---
PROMETHEUS_URL="http://localhost:$(prometheus_port)"
start_prometheus() {
    local dir=$RUN_DIR/prometheus
    if [[ ${SCALARHUB_PROMETHEUS:-auto} == off ]]; then
        PROMETHEUS_URL="(off: SCALARHUB_PROMETHEUS=off)"
        return
    fi
    if ! have prometheus; then
        PROMETHEUS_URL="(not installed: apt-get install prometheus, then up.sh again)"
        log "Prometheus is not installed; metrics stay on each app's /actuator/prometheus"
        return
    fi
    PROMETHEUS_STARTED=yes
    if app_alive prometheus; then
        log "prometheus already running (pid $(cat "$(pid_file prometheus)"))"
        return
    fi
    port_open 127.0.0.1 "$(prometheus_port)" && die "port $(prometheus_port) for Prometheus is taken by another process"
    mkdir -p "$dir/data" "$dir/secrets"
    (umask 077 && printf '%s' "$SCALARHUB_MANAGEMENT_PASSWORD" >"$dir/secrets/management-password" &&
        printf '%s' "$SCALARHUB_DISCOVERY_PASSWORD" >"$dir/secrets/discovery-password")
    sed -e "s#/etc/prometheus/secrets/#$dir/secrets/#" -e "s#http://discovery:8761/eureka#http://localhost:$(app_port discovery)/eureka#" \
        -e "s#\"discovery:18761\"#\"localhost:$(mgmt_port discovery)\"#" \
        -e "s#\"config-server:18888\"#\"localhost:$(mgmt_port config-server)\"#" \
        "$REPO_ROOT/deploy/prometheus/prometheus.yml" >"$dir/prometheus.yml"
    cp "$REPO_ROOT/deploy/prometheus/alerts.yml" "$dir/alerts.yml"
    nohup prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
        --storage.tsdb.retention.time=2d --web.listen-address="127.0.0.1:$(prometheus_port)" \
        >"$RUN_DIR/logs/prometheus.log" 2>&1 </dev/null &
    echo $! >"$(pid_file prometheus)"
    log "started prometheus (pid $!, port $(prometheus_port))"
}
prometheus_ready() { curl -fsS "http://127.0.0.1:$(prometheus_port)/-/ready" >/dev/null 2>&1; }

started=$SECONDS
if [[ $CDS_MODE != off ]]; then
    for app in "${FIRST_APPS[@]}" "${PARALLEL_APPS[@]}"; do app_alive "$app" || cds_extract "$app" & done
    wait
fi
for app in "${FIRST_APPS[@]}"; do start_app "$app"; done
wait_ready "${FIRST_APPS[@]}"
for app in "${PARALLEL_APPS[@]}"; do start_app "$app"; done
wait_ready "${PARALLEL_APPS[@]}"

# Ready is not yet reachable: the gateway finds services through Eureka. Wait until a real request
# through the gateway reaches the auth-server and every service.
token_through_gateway() {
    curl -fsS -u scalarhub-demo:demo-secret -d grant_type=client_credentials \
        -d scope='customers:read accounts:read transactions:read products:read' \
        "$PUBLIC_URL/oauth2/token" 2>/dev/null | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
routed() {
    local token path
    token=$(token_through_gateway) && [[ -n $token ]] || return 1
    for path in /v1/customers /v1/accounts /v1/transactions /v1/products; do
        [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$PUBLIC_URL$path?size=1") == 200 ]] ||
            return 1
    done
}
wait_for "$START_TIMEOUT" "the gateway to route to auth-server and every service" routed ||
    die "the gateway does not route yet; see $RUN_DIR/logs/gateway.log"
PROMETHEUS_STARTED=
start_prometheus
if [[ -n $PROMETHEUS_STARTED ]]; then
    wait_for 60 "Prometheus" prometheus_ready || die "Prometheus did not start; see $RUN_DIR/logs/prometheus.log"
fi
log "suite up in $((SECONDS - started))s"

cat <<TXT

ScalarHub is running.
  Gateway (the public API)   $PUBLIC_URL
  Eureka dashboard           http://localhost:$(app_port discovery)/
  Config server              http://localhost:$(app_port config-server)/customer-service/default
  Prometheus                 $PROMETHEUS_URL   (targets: /targets, alerts: /alerts)
  Traces (OTLP)              ${OTLP_ENDPOINT:-(not exported: start a Jaeger on localhost:4318 or set SCALARHUB_OTLP_ENDPOINT)}
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
