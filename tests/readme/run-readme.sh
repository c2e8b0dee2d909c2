#!/usr/bin/env bash
# Runs README.md's ```bash blocks in order, in one shell, as a newcomer pasting them would, and fails on the first
# command that fails. Bounded: the whole run by README_TIMEOUT (default 900 s); the README's own waits are bounded too.
#
# Before it, as on a fresh machine: infra/up.sh (servers running, infra/.env written) and `dotnet build -c Release`.
# Lines matching README_SKIP (default: infra/test.sh, the whole suite, and infra/up.sh, which installs servers) are
# skipped and listed. The run gets a RabbitMQ virtual host and PostgreSQL schemas of its own (the README's
# `source infra/.env` is kept, then pointed at them), deleted at the end, so it can share the servers with others.
# It uses the README's fixed ports (gateway 8080, worker health 8081). CI does not run it: run it by hand before a
# release, or after changing a README block: tests/readme/run-readme.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -f infra/.env ]] || { echo "infra/.env is missing: run infra/up.sh first" >&2; exit 2; }
if curl -s -o /dev/null --max-time 5 http://127.0.0.1:8080/; then
  echo "something already listens on 127.0.0.1:8080, the gateway's port in the README; stop it first" >&2; exit 2
fi

skip=${README_SKIP:-'^(infra/test\.sh|infra/up\.sh)'}
tag="readme-$(date +%s)-$$"
schema="readme_$(date +%s)_$$"
source infra/.env
management="http://127.0.0.1:15672/api"
curl -sf --max-time 10 -u guest:guest -X PUT "$management/vhosts/$tag" >/dev/null
curl -sf --max-time 10 -u guest:guest -X PUT -H 'content-type: application/json' \
  -d '{"configure":".*","write":".*","read":".*"}' "$management/permissions/$tag/guest" >/dev/null
cleanup() {
  curl -s --max-time 10 -u guest:guest -X DELETE "$management/vhosts/$tag" >/dev/null || true
  if command -v psql >/dev/null; then
    for s in "$schema" "${schema}_retries" "${schema}_quartz"; do
      psql "postgresql://pipeline:pipeline@127.0.0.1:5432/pipeline" -qc "drop schema if exists $s cascade" >/dev/null 2>&1 || true
    done
  fi
  rm -f "$blocks"
}
blocks=$(mktemp)
trap cleanup EXIT

{
  echo 'set -eo pipefail'
  # Background processes the README starts (worker host, scheduler, gateway) stop with the run.
  echo 'trap '"'"'jobs -p | xargs -r kill 2>/dev/null; wait'"'"' EXIT'
  echo "export Pipeline__Results__Schema=$schema Pipeline__Retries__Schema=${schema}_retries Pipeline__Scheduler__Schema=${schema}_quartz"
  echo "export Pipeline__Health__Urls=   # the worker's and scheduler's health port would collide with others on a shared machine"
  echo "source() { builtin source \"\$@\"; export PIPELINE_RABBITMQ=\"amqp://guest:guest@127.0.0.1:5672/$tag\"; }"
  echo 'set -v   # each line is shown as it runs, as in a terminal'
  awk -v skip="$skip" '
    /^```bash[[:space:]]*$/ { inside = 1; n++; print "echo \"=== README block " n "\" >&2"; next }
    /^```/ { inside = 0; next }
    inside && $0 ~ skip { print ": skipped by README_SKIP, README.md line " NR; next }
    inside { print }
  ' README.md
} > "$blocks"

timeout "${README_TIMEOUT:-900}" bash "$blocks" < /dev/null
echo "README blocks: all passed" >&2
