#!/usr/bin/env bash
# Runs the network-loss test (tests/Pipeline.IntegrationTests/WorkerHost/NetworkLossTests.cs, trait Category=NetNs)
# N times in a row and prints each run's counts and timings: when the host noticed the cut link, when exit ran, when it
# reconnected, the stored outcomes of the input, how often it started. The test makes a network namespace and a veth
# pair of its own, a private RabbitMQ node and PostgreSQL server on the pair's host-side address, and a worker host
# inside the namespace; this script gives its namespaces a unique prefix and deletes whatever carries it on exit,
# even when a run is killed (the test itself deletes its namespace when it ends normally).
#
#   infra/netns-test.sh [runs, default 5]
#
# Needs root (network namespaces: CAP_SYS_ADMIN, CAP_NET_ADMIN; where they are refused the test fails with the
# machine's error), iproute2, the solution built in Release (dotnet build tests/Pipeline.IntegrationTests -c Release)
# and the shared servers of infra/up.sh (for the fixture; the test's faults happen on its private servers only).
# Each run is bounded (PIPELINE_NETNS_RUN_TIMEOUT seconds, default 600); a run killed at that bound leaves its worker
# host, RabbitMQ node and PostgreSQL server behind, which the clean-up stops: the processes inside the namespace and
# those listening on the pair's host-side address, found by the prefix of the names.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUNS=${1:-5}
RUN_TIMEOUT=${PIPELINE_NETNS_RUN_TIMEOUT:-600}
REPORT=$(mktemp "${TMPDIR:-/tmp}/pipeline-netns-XXXXXX.txt")

# At most 6 characters (interface names are limited to 15): "pn" and 4 random hex digits.
PIPELINE_NETNS_PREFIX=pn$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
cleanup() {
  local ns address pid
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PIPELINE_NETNS_PREFIX" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do
      kill -KILL "$pid" 2>/dev/null || true
    done
    for address in $(ip -o -4 addr show dev "${ns}h" 2>/dev/null | awk '{print $4}' | cut -d/ -f1); do
      for pid in $(ss -Hltnp "src $address" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
        kill -TERM "$pid" 2>/dev/null || true
      done
    done
    ip netns delete "$ns" 2>/dev/null || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$PIPELINE_NETNS_PREFIX" || true); do
    ip link delete "$link" 2>/dev/null || true
  done
}
trap cleanup EXIT

if [[ -z ${PIPELINE_RABBITMQ:-} && -f $ROOT/infra/.env ]]; then
  # shellcheck source=/dev/null
  . "$ROOT/infra/.env"
fi
export PIPELINE_RABBITMQ PIPELINE_POSTGRES PIPELINE_REQUIRE_SERVERS=1 PIPELINE_NETNS_REPORT=$REPORT PIPELINE_NETNS_PREFIX

# On a loaded machine the test host alone can take over vstest's default 90 s to start.
export VSTEST_CONNECTION_TIMEOUT=${VSTEST_CONNECTION_TIMEOUT:-300}

failed=0
for i in $(seq "$RUNS"); do
  before=$(wc -l <"$REPORT")
  trx=()
  [[ -n ${PIPELINE_NETNS_TRX:-} ]] && trx=(--logger trx --results-directory "$PIPELINE_NETNS_TRX")
  if timeout "$RUN_TIMEOUT" dotnet test tests/Pipeline.IntegrationTests -c Release --no-build \
      --filter "Category=NetNs" --logger "console;verbosity=detailed" "${trx[@]}" >"$REPORT.run$i.log" 2>&1; then
    result=passed
  else
    result=FAILED
    failed=$((failed + 1))
  fi
  cleanup
  counts="no counts (the run stopped before its end; see its log; it got to: $(tail -n 1 "$REPORT.progress" 2>/dev/null || echo nothing))"
  echo "--- run $i" >>"$REPORT.progress"
  (($(wc -l <"$REPORT") > before)) && counts=$(tail -n 1 "$REPORT")
  printf 'run %d: %s: %s\n' "$i" "$result" "$counts"
done

echo "netns: $((RUNS - failed)) of $RUNS runs passed; counts in $REPORT, logs in $REPORT.run*.log"
((failed == 0))
