#!/usr/bin/env bash
# Runs the node-loss test (tests/Pipeline.IntegrationTests/WorkerHost/ClusterNodeLossTests.cs, trait
# Category=Cluster) N times against a three-node RabbitMQ cluster that it starts with infra/cluster.sh up and always
# stops (trap) with infra/cluster.sh down, and prints the counts of each run: inputs, lost, never ran, ran twice,
# enters, exits, exits owed and run on each node loss, _error depth, the nodes lost. The figures in
# docs/operations.md come from `infra/cluster-test.sh 5`. PIPELINE_CLUSTER_TRX: where each run's TRX file goes.
# PIPELINE_CLUSTER_STARTED=1: use the cluster already up in PIPELINE_CLUSTER_DIR.
# PIPELINE_CLUSTER_INPUTS: spawned inputs per run (default 5000; infra/test.sh sets fewer for CI's single run).
#
#   infra/cluster-test.sh [runs, default 1]
#
# Needs the solution built in Release (dotnet build tests/Pipeline.IntegrationTests -c Release), the shared PostgreSQL
# of infra/up.sh (results are stored there; the shared RabbitMQ node is not used) and root for the cluster (as
# infra/up.sh). Each run is bounded by PIPELINE_CLUSTER_RUN_TIMEOUT seconds (default 600).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUNS=${1:-1}
RUN_TIMEOUT=${PIPELINE_CLUSTER_RUN_TIMEOUT:-600}
REPORT=$(mktemp "${TMPDIR:-/tmp}/pipeline-cluster-XXXXXX.txt")
export PIPELINE_CLUSTER_DIR=${PIPELINE_CLUSTER_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pipeline-cluster-XXXXXX")}
rmdir "$PIPELINE_CLUSTER_DIR" 2>/dev/null || true

if [[ -z ${PIPELINE_POSTGRES:-} && -f $ROOT/infra/.env ]]; then
  # shellcheck source=/dev/null
  . "$ROOT/infra/.env"
fi
export PIPELINE_RABBITMQ PIPELINE_POSTGRES PIPELINE_REQUIRE_SERVERS=1 PIPELINE_CLUSTER_REPORT=$REPORT
export VSTEST_CONNECTION_TIMEOUT=${VSTEST_CONNECTION_TIMEOUT:-300}

trap '"$ROOT/infra/cluster.sh" down || true' EXIT
# PIPELINE_CLUSTER_STARTED=1: the caller booted the cluster in PIPELINE_CLUSTER_DIR already (infra/test.sh does, beside
# the unit tests); it is still stopped here at the end.
if [[ ${PIPELINE_CLUSTER_STARTED:-} != 1 ]]; then
  started=$SECONDS
  "$ROOT/infra/cluster.sh" up >/dev/null
  echo "cluster up in $((SECONDS - started)) s"
fi
export PIPELINE_CLUSTER_STATE=$PIPELINE_CLUSTER_DIR/state

# A run that failed may leave a node down: the next run starts from a whole cluster.
restart_nodes() { for n in 1 2 3; do "$ROOT/infra/cluster.sh" start-node "$n" >/dev/null 2>&1 || true; done; }

# shellcheck source=infra/lib/repeat-test.sh
. "$ROOT/infra/lib/repeat-test.sh"
TRX_DIR=${PIPELINE_CLUSTER_TRX:-} repeat_test cluster Cluster "$RUNS" "$RUN_TIMEOUT" "$REPORT" restart_nodes
