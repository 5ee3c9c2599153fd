#!/usr/bin/env bash
# One command per fault drill (docs/reliability.md), each bounded and ending in one verdict line. The drills that need
# a service under load are JUnit tests: the database ones start the service themselves against the local cluster, the
# instance ones run in the end-to-end suite (up.sh on shifted ports, a second instance from scale.sh, load through the
# gateway); the backup-restore drill is a script. Every one of them also runs in CI (deploy/local/test.sh).
#
#   deploy/drills/run.sh failover          the primary killed (kill -9) under the bank test, with a reader   ~1.5 min
#   deploy/drills/run.sh primary-down      the primary stopped with no failover: writes 503 fast, reads go on ~1.5 min
#   deploy/drills/run.sh replica-down      the replica stopped, and lagging: reads move to the primary, and back ~1.5 min
#   deploy/drills/run.sh backup-restore    point-in-time restore into a scratch cluster, RPO and RTO           ~1 min
#   deploy/drills/run.sh instance-kill     kill -9 of one of two transaction-service instances under reads and
#                                          keyed transfers through the gateway: 0 failed, 0 lost, 0 doubled   ~5 min
#   deploy/drills/run.sh rolling-restart   scale.sh restart customer-service under reads and unkeyed creates
#                                          through the gateway: 0 failed                                       ~6 min
#   deploy/drills/run.sh partition         a transaction-service instance in a network namespace, its link cut
#                                          under the same load (partition.sh; root): failures end <= 10 s, 0 lost ~5 min
#   deploy/drills/run.sh redis-down        Redis stopped under the gateway: limiting fails open, visibly, and
#                                          recovers by itself (RedisOutageTest)                                 ~2 min
#   deploy/drills/run.sh slow-downstream   a service that hangs: its circuit opens, 503 in < 200 ms, other routes
#                                          untouched (DownstreamResilienceTest)                                 ~2 min
#   deploy/drills/run.sh billing-worker    a billing worker killed mid-run: another completes it, each
#                                          subscription charged once (BillingKillTest)                          ~3 min
#   deploy/drills/run.sh all
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../local/lib.sh
source "$ROOT/deploy/local/lib.sh"
LOGS=$ROOT/.run/drills
mkdir -p "$LOGS"

# junit_drill NAME MODULE TEST: the test class, its module and what it needs built; the verdict from its result
junit_drill() {
    local name=$1 module=$2 test=$3 log=$LOGS/$1.log started=$SECONDS
    if (cd "$ROOT" && mvn -B verify -pl "$module" -am -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false) >"$log" 2>&1; then
        echo "drill $name: PASS in $((SECONDS - started))s ($test)$(grep -ao "\(failover drill\|drill $name\): .*" "$log" | head -n1 | sed 's/^/; /')"
    else
        echo "drill $name: FAIL ($test; see $log)"
        return 1
    fi
}

drill() {
    case $1 in
    failover) junit_drill failover transaction-service LedgerFailoverTest ;;
    primary-down) junit_drill primary-down customer-service ReplicaLagAndPrimaryOutageTest ;;
    replica-down) junit_drill replica-down customer-service ReadReplicaRoutingTest ;;
    backup-restore) "$ROOT/deploy/drills/backup-restore.sh" 2>"$LOGS/backup-restore.log" | tail -n1 ;;
    instance-kill) junit_drill instance-kill e2e-tests 'SuiteEndToEndTest$Instances#killingOneOfTwo*' ;;
    rolling-restart) junit_drill rolling-restart e2e-tests 'SuiteEndToEndTest$Instances#aRollingRestart*' ;;
    partition) junit_drill partition e2e-tests 'SuiteEndToEndTest$Instances#aPartitioned*' ;;
    redis-down) junit_drill redis-down gateway RedisOutageTest ;;
    slow-downstream) junit_drill slow-downstream gateway DownstreamResilienceTest ;;
    billing-worker) junit_drill billing-worker subscription-service BillingKillTest ;;
    *) echo "usage: $0 failover|primary-down|replica-down|backup-restore|instance-kill|rolling-restart|partition|redis-down|slow-downstream|billing-worker|all" >&2
        exit 2 ;;
    esac
}

"$ROOT/deploy/local/infra.sh" up >/dev/null
if [[ ${1:-} == all ]]; then
    failed=0
    for name in failover primary-down replica-down backup-restore instance-kill rolling-restart partition redis-down \
        slow-downstream billing-worker; do drill "$name" || failed=1; done
    exit "$failed"
fi
drill "${1:-}"
