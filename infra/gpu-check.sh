#!/usr/bin/env bash
# Device check for process containers and GPU detection (issue 17, items 1 and 6). Run it on a machine with at least
# one NVIDIA GPU, the .NET 10 SDK and this repository's servers (infra/up.sh); paste what it prints into
# docs/worker-hosts.md ("GPU machine check").
#
#   infra/gpu-check.sh
#
# 1. prints nvidia-smi's inventory (index, model, memory) and any CUDA_VISIBLE_DEVICES already set
# 2. infra/up.sh (RabbitMQ + PostgreSQL on loopback), then builds the integration tests (Release)
# 3. runs tests/Pipeline.IntegrationTests ProcessContainerTests with PIPELINE_ITEST_REAL_GPUS=1: the worker host
#    detects the real GPUs with nvidia-smi (no fake inventory), two GPU pools run as process containers whose
#    children each see exactly their leased device in CUDA_VISIBLE_DEVICES, a child that crashes mid-input
#    (Environment.FailFast) leaves the host serving and its input completes on a fresh child, and a stuck
#    synchronous attempt is TimedOut and its child killed and replaced.
# Exits non-zero when there is no GPU, the servers do not start, or a test fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf 'gpu-check: %s\n' "$*" >&2; }

if ! command -v nvidia-smi >/dev/null; then
  log "nvidia-smi is not on PATH: this is no GPU machine"
  exit 1
fi

log "nvidia-smi inventory (index, name, memory MiB):"
nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits
log "CUDA_VISIBLE_DEVICES on this shell: ${CUDA_VISIBLE_DEVICES-<unset>}"
if [ "$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)" -lt 1 ]; then
  log "nvidia-smi lists no GPU"
  exit 1
fi

"$ROOT/infra/up.sh"
# shellcheck source=/dev/null
source "$ROOT/infra/.env"
export PIPELINE_REQUIRE_SERVERS=1 PIPELINE_ITEST_REAL_GPUS=1

dotnet build tests/Pipeline.IntegrationTests -c Release
dotnet test tests/Pipeline.IntegrationTests -c Release --no-build \
  --filter "FullyQualifiedName~ProcessContainerTests" \
  --logger "console;verbosity=detailed"
log "passed"
