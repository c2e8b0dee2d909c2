#!/usr/bin/env bash
# Runs the chaos test (tests/Pipeline.IntegrationTests/WorkerHost/ChaosTests.cs, trait Category=Chaos) N times in a
# row and prints the counts of each run: calls, lost, refused sends, inputs that ran twice, enters and exits.
# infra/test.sh runs it once after the suite (PIPELINE_CHAOS_TRX: where its TRX file goes); the 10-run loop behind
# docs/worker-hosts.md's figures is `infra/chaos.sh 10`. It is kept out of the suite's own run because it starts a
# private RabbitMQ node and PostgreSQL server and takes 2 to 5 minutes on a loaded 2-core machine.
#
#   infra/chaos.sh [runs, default 10]
#
# Needs the solution built in Release (dotnet build tests/Pipeline.IntegrationTests -c Release) and the shared
# servers of infra/up.sh (the test starts its own private RabbitMQ node and PostgreSQL server for the faults; the
# shared ones are never stopped). Each run is bounded (PIPELINE_CHAOS_RUN_TIMEOUT seconds, default 600).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUNS=${1:-10}
RUN_TIMEOUT=${PIPELINE_CHAOS_RUN_TIMEOUT:-600}
REPORT=$(mktemp "${TMPDIR:-/tmp}/pipeline-chaos-XXXXXX.txt")

# The shared servers' connection strings: from the environment, else from what infra/up.sh wrote.
if [[ -z ${PIPELINE_RABBITMQ:-} && -f $ROOT/infra/.env ]]; then
  # shellcheck source=/dev/null
  . "$ROOT/infra/.env"
fi
export PIPELINE_RABBITMQ PIPELINE_POSTGRES PIPELINE_REQUIRE_SERVERS=1 PIPELINE_CHAOS_REPORT=$REPORT

# On a loaded machine the test host alone can take over vstest's default 90 s to start.
export VSTEST_CONNECTION_TIMEOUT=${VSTEST_CONNECTION_TIMEOUT:-300}

# shellcheck source=infra/lib/repeat-test.sh
. "$ROOT/infra/lib/repeat-test.sh"
TRX_DIR=${PIPELINE_CHAOS_TRX:-} repeat_test chaos Chaos "$RUNS" "$RUN_TIMEOUT" "$REPORT"
