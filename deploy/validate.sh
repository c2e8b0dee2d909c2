#!/usr/bin/env bash
# Validates deploy/kubernetes offline, as CI does (infra/test.sh calls this):
#
#   deploy/validate.sh
#
# 1. installs its validator on a bare machine: Node.js from Debian when `node` is missing, then the npm packages
#    pinned in deploy/validator/package-lock.json (kubernetes-models and @kubernetes-models/keda: the Kubernetes and
#    KEDA CRD schemas as validators, and yaml)
# 2. validates every object the kustomization lists (schemas, then Pipeline's rules: probe paths and port, grace
#    period above ExitGracePeriod, GPU limits, references between objects)
# 3. negative check: each manifest in deploy/validator/broken/ must be rejected, with the message its `# expect:`
#    line names, so a validator that accepts everything fails here
# Exits non-zero on an invalid manifest, a broken one accepted, or a validator that cannot be installed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VALIDATOR=$ROOT/deploy/validator
log() { printf 'validate.sh: %s\n' "$*" >&2; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "installing Node.js and npm (Debian packages)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }; then
    log "FAILED: could not install Node.js (apt-get); install nodejs and npm and run again"
    exit 1
  fi
fi

# The installed packages match the lock file, or are installed again from it.
STAMP=$VALIDATOR/node_modules/.installed-from-lock
if ! cmp -s "$VALIDATOR/package-lock.json" "$STAMP" 2>/dev/null; then
  log "installing the validator (npm ci in deploy/validator)"
  if ! npm ci --prefix "$VALIDATOR" --no-audit --no-fund --loglevel=error >/dev/null; then
    log "FAILED: npm ci in deploy/validator"
    exit 1
  fi
  cp "$VALIDATOR/package-lock.json" "$STAMP"
fi

node "$VALIDATOR/validate.mjs" "$ROOT/deploy/kubernetes"

status=0
for broken in "$VALIDATOR"/broken/*.yaml; do
  expect=$(sed -n 's/^# expect: //p' "$broken")
  if output=$(node "$VALIDATOR/validate.mjs" "$broken" 2>&1); then
    log "FAILED: ${broken#"$ROOT"/} was accepted; it must be rejected ($expect)"
    status=1
  elif [[ -z $expect || $output != *"$expect"* ]]; then
    log "FAILED: ${broken#"$ROOT"/} was rejected, but not for '$expect': $output"
    status=1
  else
    log "rejected as it must be: ${broken#"$ROOT"/}"
  fi
done
exit $status
