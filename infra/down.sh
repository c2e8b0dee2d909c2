#!/usr/bin/env bash
# Stop the local RabbitMQ and PostgreSQL started by infra/up.sh. Idempotent.
# Data is kept (/var/lib/rabbitmq, /var/lib/postgresql); servers not managed
# here (e.g. Docker, or PIPELINE_* pointing elsewhere) are left alone.
set -euo pipefail

PG_VERSION=15
PG_CLUSTER=main

log() { printf '%s\n' "$*" >&2; }
# shellcheck disable=SC2016 # $1/$2 expand in the inner bash
tcp_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

# RabbitMQ
if command -v rabbitmqctl >/dev/null && timeout 30 rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
  timeout 120 rabbitmqctl -q shutdown >/dev/null 2>&1 || timeout 60 rabbitmqctl -q stop >/dev/null 2>&1 ||
    { log "rabbitmq: stop failed"; exit 1; }
  log "rabbitmq: stopped"
elif tcp_open 127.0.0.1 5672; then
  log "rabbitmq: 127.0.0.1:5672 is served by something not managed here; left alone"
else
  log "rabbitmq: not running"
fi
# epmd (started by the broker) only goes away on request; it refuses while
# any Erlang node is still registered.
if command -v epmd >/dev/null && tcp_open 127.0.0.1 4369; then
  epmd -kill >/dev/null 2>&1 || true
fi

# PostgreSQL
if command -v pg_ctlcluster >/dev/null && [[ -f /etc/postgresql/$PG_VERSION/$PG_CLUSTER/postgresql.conf ]]; then
  if pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; then
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast || { log "postgres: stop failed"; exit 1; }
    log "postgres: stopped"
  else
    log "postgres: not running"
  fi
elif tcp_open 127.0.0.1 5432; then
  log "postgres: 127.0.0.1:5432 is served by something not managed here; left alone"
else
  log "postgres: not running"
fi
