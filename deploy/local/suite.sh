# shellcheck shell=bash disable=SC2034 # used by the scripts that source it
# GENERATED from deploy/suite.yml by deploy/generate.sh: edit that file, not this one.
# app name = Maven module; its API port before SCALARHUB_PORT_OFFSET. The management port is port + 10000.
declare -A APP_BASE_PORT=([config-server]=8888 [discovery]=8761 [auth-server]=9000 [customer-service]=8081 [account-service]=8082 [transaction-service]=8083 [product-service]=8084 [subscription-service]=8085 [gateway]=8080)
# start order: the app every other imports its configuration from, then the rest in parallel
FIRST_APPS=(config-server)
PARALLEL_APPS=(discovery auth-server customer-service account-service transaction-service product-service subscription-service gateway)
# the domain services: found through Eureka, scalable (scale.sh)
SERVICES=(customer-service account-service transaction-service product-service subscription-service)
# stop order (down.sh): what serves traffic first, so it can still deregister; then the registry and auth;
# configuration last
STOP_FIRST=(gateway customer-service account-service transaction-service product-service subscription-service)
STOP_THEN=(discovery auth-server)
STOP_LAST=(config-server)
# each app's own JVM options (jvm-options), after those every app gets (APP_JVM_OPTS in lib.sh)
declare -A APP_OWN_JVM_OPTS=([config-server]="-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m" [discovery]="-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m" [gateway]="-XX:SurvivorRatio=4 -XX:TargetSurvivorRatio=90")
# the databases infra.sh creates (the apps' own, each on the primary and its replica)
SUITE_DATABASES="auth customer account ledger product subscription"
