#!/usr/bin/env bash
# The project's test command (CI calls it through .ci/run).
#
#   infra/test.sh [extra dotnet test args, e.g. --filter FullyQualifiedName~Queue]
#
# 1. infra/up.sh (RabbitMQ + PostgreSQL on loopback; fails loudly if it fails)
# 2. exports PIPELINE_RABBITMQ, PIPELINE_POSTGRES, PIPELINE_REQUIRE_SERVERS=1; validates deploy/kubernetes
#    offline (deploy/validate.sh)
# 3. dotnet build <solution> -c Release, then dotnet test --no-build in two lanes at
#    once (the integration assembly; every other test assembly), one TRX file
#    per test assembly into artifacts/test-results (wiped first). Without arguments, the second lane then runs the
#    fault tests that bring their own servers, beside the integration lane: the node-loss test once
#    (infra/cluster-test.sh 1, 1,000 inputs, on a 3-node cluster booted beside the unit tests), the chaos test once
#    (infra/chaos.sh 1) and the network-loss test once (infra/netns-test.sh 1, needs root: network namespaces)
# 4. sums the TRX <Counters> and prints as the last line:
#    tests: N passed, N failed, N skipped
# Exits non-zero if the manifests are invalid, if the build or any test fails, if dotnet test fails, or if
# no TRX file was written.
#
# Env: PIPELINE_SLN (default Pipeline.sln, else Pipeline.slnx),
#      PIPELINE_TEST_RESULTS (default artifacts/test-results).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf 'test.sh: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- servers
if ! "$ROOT/infra/up.sh"; then
  log "FAILED: infra/up.sh could not provide RabbitMQ/PostgreSQL (see above)"
  echo "tests: 0 passed, 0 failed, 0 skipped"
  exit 1
fi
# shellcheck source=/dev/null
. "$ROOT/infra/.env"
export PIPELINE_RABBITMQ PIPELINE_POSTGRES
export PIPELINE_REQUIRE_SERVERS=1

# ---------------------------------------------------------------- manifests
# deploy/kubernetes validated offline (it installs its own validator; a broken manifest must be rejected).
manifests=0
"$ROOT/deploy/validate.sh" || manifests=$?

# ---------------------------------------------------------------- dotnet test
SLN=${PIPELINE_SLN:-}
if [[ -z $SLN ]]; then
  SLN=Pipeline.sln
  [[ ! -e $SLN && -e Pipeline.slnx ]] && SLN=Pipeline.slnx
fi
[[ -e $SLN ]] || { log "solution not found: $SLN"; echo "tests: 0 passed, 0 failed, 0 skipped"; exit 1; }

RESULTS=${PIPELINE_TEST_RESULTS:-$ROOT/artifacts/test-results}
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
# Keep the artifacts folder out of git without touching the root .gitignore.
if [[ $RESULTS == "$ROOT/artifacts/"* && ! -e $ROOT/artifacts/.gitignore ]]; then
  printf '*\n' >"$ROOT/artifacts/.gitignore"
fi
CONSOLE_LOG="$RESULTS/dotnet-test.log"

# Build once, then run the tests in two lanes at once: the integration assembly (real servers, mostly waiting on
# them, about half the suite's time) beside every other test assembly (a solution filter written here), so the suite's
# wall time is the longer lane rather than the sum.
log "dotnet build $SLN -c Release"
set +e
dotnet build "$SLN" -c Release 2>&1 | tee "$RESULTS/build.log"
rc=${PIPESTATUS[0]}
set -e
if ((rc != 0)); then
  cp "$RESULTS/build.log" "$CONSOLE_LOG"
  log "FAILED: the build failed (see above)"
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

INTEGRATION=tests/Pipeline.IntegrationTests/Pipeline.IntegrationTests.csproj
UNITS="$RESULTS/units.slnf"
{
  printf '{ "solution": { "path": "%s", "projects": [' "$ROOT/$SLN"
  dotnet sln "$SLN" list | grep -E '^tests/.*\.csproj$' | grep -v "^$INTEGRATION$" | sed 's/.*/"&"/' | paste -sd, -
  printf '] } }\n'
} >"$UNITS"

# Default TRX file names are unique per assembly (the logger appends [1], [2] on clashes), unlike LogFilePrefix.
# Without arguments the chaos test (it starts its own RabbitMQ node and PostgreSQL server) runs apart, once, through
# infra/chaos.sh in the second lane, so the suite stays within its time budget; its TRX is counted below.
args=("$@")
# The node-loss test (Category=Cluster) needs a 3-node cluster: it runs through infra/cluster-test.sh, below.
# The network-loss test (Category=NetNs) makes network namespaces: it runs through infra/netns-test.sh below.
(($# == 0)) && args=(--filter "Category!=Chaos&Category!=Cluster&Category!=NetNs")
# On a loaded machine a test host alone can take over vstest's default 90 s to start.
export VSTEST_CONNECTION_TIMEOUT=${VSTEST_CONNECTION_TIMEOUT:-300}
log "dotnet test (two lanes: $INTEGRATION, and ${UNITS#"$ROOT"/})${*:+ $*}; TRX files in ${RESULTS#"$ROOT"/}"
set +e
# The node-loss test's 3-node cluster boots (35 to 160 s, mostly waiting on Erlang) beside the unit tests, so the
# second lane does not wait for it after them.
cluster_up_pid=
if (($# == 0)); then
  PIPELINE_CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pipeline-cluster-XXXXXX")
  rmdir "$PIPELINE_CLUSTER_DIR"
  export PIPELINE_CLUSTER_DIR
  trap '"$ROOT/infra/cluster.sh" down >/dev/null 2>&1 || true' EXIT
  cluster_started=$SECONDS
  PIPELINE_CLUSTER_TIMEOUT=${PIPELINE_CLUSTER_TIMEOUT:-300} "$ROOT/infra/cluster.sh" up >"$RESULTS/cluster-up.log" 2>&1 &
  cluster_up_pid=$!
fi
dotnet test "$INTEGRATION" -c Release --no-build --logger trx --results-directory "$RESULTS" "${args[@]}" \
  >"$RESULTS/integration.log" 2>&1 &
integration_pid=$!
dotnet test "$UNITS" -c Release --no-build --logger trx --results-directory "$RESULTS" "${args[@]}" 2>&1 |
  tee "$RESULTS/units.log"
units_rc=${PIPESTATUS[0]}
# Then, in the same lane while the integration lane runs, the fault tests that bring their own servers, one after
# another: the node-loss test (one run with 1,000 inputs to fit; docs/operations.md's figures come from
# infra/cluster-test.sh 5 with 5,000), the chaos test (infra/chaos.sh 1: a private RabbitMQ node and PostgreSQL server
# it stops and kills) and the network-loss test (infra/netns-test.sh 1: needs root for network namespaces).
faults_rc=0
: >"$RESULTS/cluster.log"
: >"$RESULTS/faults.log"
if (($# == 0)); then
  wait "$cluster_up_pid"
  up_rc=$?
  cluster_ready=0
  if ((up_rc == 0)); then
    cluster_ready=1
    echo "cluster up in $((SECONDS - cluster_started)) s (booted beside the unit tests)" | tee "$RESULTS/cluster.log"
  else
    # A boot that lost the race against the unit tests for the CPU (a rabbitmqctl past its bound) is not the node-loss
    # test's failure: boot again now, on a quieter machine, as cluster-test.sh does by itself.
    log "infra/cluster.sh up beside the unit tests exited with $up_rc (its log: ${RESULTS#"$ROOT"/}/cluster-up.log); booting again"
    "$ROOT/infra/cluster.sh" down >/dev/null 2>&1 || true
  fi
  PIPELINE_CLUSTER_STARTED=$cluster_ready PIPELINE_CLUSTER_INPUTS=${PIPELINE_CLUSTER_INPUTS:-1000} PIPELINE_CLUSTER_TRX="$RESULTS/cluster" \
    "$ROOT/infra/cluster-test.sh" 1 2>&1 | tee -a "$RESULTS/cluster.log"
  faults_rc=${PIPESTATUS[0]}
  PIPELINE_CHAOS_TRX="$RESULTS/chaos" "$ROOT/infra/chaos.sh" 1 2>&1 | tee "$RESULTS/faults.log"
  chaos_rc=${PIPESTATUS[0]}
  ((faults_rc == 0)) && faults_rc=$chaos_rc
  PIPELINE_NETNS_TRX="$RESULTS/netns" "$ROOT/infra/netns-test.sh" 1 2>&1 | tee -a "$RESULTS/faults.log"
  netns_rc=${PIPESTATUS[0]}
  ((faults_rc == 0)) && faults_rc=$netns_rc
fi
wait "$integration_pid"
integration_rc=$?
log "integration lane (exit $integration_rc):"
cat "$RESULTS/integration.log"
cat "$RESULTS/build.log" "$RESULTS/units.log" "$RESULTS/cluster.log" "$RESULTS/faults.log" "$RESULTS/integration.log" >"$CONSOLE_LOG"
rc=$((units_rc != 0 ? units_rc : integration_rc != 0 ? integration_rc : faults_rc))
set -e

# ---------------------------------------------------------------- summary
shopt -s nullglob
trx_files=("$RESULTS"/*.trx "$RESULTS"/*/*.trx)
shopt -u nullglob

passed=0 failed=0 skipped=0 total=0
counter() { # counter NAME "<Counters ...>" -> number (0 if absent)
  local v
  v=$(sed -n "s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p" <<<"$2")
  echo "${v:-0}"
}
for f in "${trx_files[@]}"; do
  c=$(tr -d '\r\n' <"$f" | grep -o '<Counters[[:space:]][^>]*>' | head -n 1 || true)
  if [[ -z $c ]]; then
    log "no <Counters> in $f"
    failed=$((failed + 1))
    continue
  fi
  t=$(counter total "$c")
  e=$(counter executed "$c")
  ne=$(counter notExecuted "$c")
  total=$((total + t))
  passed=$((passed + $(counter passed "$c")))
  failed=$((failed + $(counter failed "$c") + $(counter error "$c") + $(counter timeout "$c") + $(counter aborted "$c")))
  # VSTest's TRX logger counts xunit skips only as total - executed
  # (notExecuted stays 0); take whichever is larger.
  s=$((t - e))
  if ((ne > s)); then s=$ne; fi
  skipped=$((skipped + s))
done

status=0
if ((rc != 0)); then
  log "FAILED: dotnet test exited with $rc"
  status=1
fi
if grep -qE ": error [A-Z]+[0-9]+" "$CONSOLE_LOG"; then
  log "FAILED: build errors (see above)"
  status=1
fi
if ((${#trx_files[@]} == 0)); then
  log "FAILED: no TRX file was produced (build failure, or no test projects in $SLN?)"
  status=1
else
  runs=$(grep -c '^Test run for ' "$CONSOLE_LOG" || true)
  if ((runs > ${#trx_files[@]})); then
    log "FAILED: $runs test assemblies ran but only ${#trx_files[@]} TRX files were written"
    status=1
  fi
fi
if ((manifests != 0)); then
  log "FAILED: deploy/validate.sh (the Kubernetes manifests, see above)"
  status=1
fi
if ((failed > 0)); then
  log "FAILED: $failed test(s) failed"
  status=1
fi
if ((status == 0)); then log "OK: ${#trx_files[@]} TRX file(s), $total test(s)"; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
