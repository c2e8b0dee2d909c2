#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine, for the node-loss test (infra/cluster-test.sh) and for trying
# Pipeline against a cluster by hand. Nodes pipeline-c1@localhost .. pipeline-c3@localhost, each with AMQP, Erlang
# distribution and management ports chosen free at `up` time (never 5672/15672/25672: the shared node of infra/up.sh
# is not touched), its own data and logs under the state folder, one Erlang cookie, all on 127.0.0.1.
#
#   infra/cluster.sh up            start the three nodes and join them (c2, c3 join c1); prints the client settings
#   infra/cluster.sh down          stop every node and delete the state folder
#   infra/cluster.sh kill-node N   SIGKILL node N (no goodbye: its clients see their sockets reset)
#   infra/cluster.sh start-node N  start node N again (it rejoins the cluster from its data)
#   infra/cluster.sh status        the ports, which nodes run, and rabbitmqctl cluster_status
#   infra/cluster.sh env           the client settings (as `up` printed them)
#
# State: PIPELINE_CLUSTER_DIR (default infra/.cluster): `state` (node names, ports, pids), `env` (export lines:
# PIPELINE_CLUSTER_ENDPOINTS=127.0.0.1:p1,..., PIPELINE_CLUSTER_MANAGEMENT=http://127.0.0.1:m1/,...,
# PIPELINE_CLUSTER_AMQP=amqp://guest:guest@127.0.0.1:p1/), and per node its config, data and logs.
# Every start and stop is bounded by PIPELINE_CLUSTER_TIMEOUT seconds (default 120). Installs rabbitmq-server with apt
# when it is missing (needs root, as infra/up.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${PIPELINE_CLUSTER_DIR:-$ROOT/infra/.cluster}
TIMEOUT=${PIPELINE_CLUSTER_TIMEOUT:-120}
NODES=3
BIN=/usr/lib/rabbitmq/bin

log() { printf 'cluster.sh: %s\n' "$*" >&2; }
die() { printf 'cluster.sh: error: %s\n' "$*" >&2; exit 1; }

# shellcheck disable=SC2016 # $1/$2 expand in the inner bash
tcp_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

# A port nothing listens on and that no other node of this cluster took. Chosen at random in 20000-59999 and checked;
# the node fails to start (and `up` says so) in the rare case another program takes it meanwhile.
TAKEN=" "
free_port() {
  local port
  while :; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    [[ $TAKEN == *" $port "* ]] && continue
    tcp_open 127.0.0.1 "$port" && continue
    TAKEN+="$port "
    echo "$port"
    return
  done
}

install_rabbitmq() {
  [[ -x $BIN/rabbitmq-server ]] && return
  [[ $(id -u) -eq 0 ]] || die "rabbitmq-server is not installed; run as root to install it, or run infra/up.sh first"
  log "installing rabbitmq-server with apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null
  apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends rabbitmq-server >/dev/null
  [[ -x $BIN/rabbitmq-server ]] || die "apt installed rabbitmq-server but $BIN/rabbitmq-server is missing"
}

load_state() {
  [[ -f $DIR/state ]] || die "no cluster state in $DIR: run infra/cluster.sh up first"
  # shellcheck source=/dev/null
  . "$DIR/state"
}

node_name() { echo "pipeline-c$1@localhost"; }
var() { local name="NODE_$1_$2"; echo "${!name}"; }

# node_env N: sets ENVS to the environment rabbitmq-server and rabbitmqctl need for node N.
node_env() {
  local n=$1 base=$DIR/c$1
  ENVS=(HOME="$DIR/home" RABBITMQ_NODENAME="$(node_name "$n")" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT="$(var "$n" AMQP)" RABBITMQ_DIST_PORT="$(var "$n" DIST)"
    RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log"
    RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
    RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf" RABBITMQ_PID_FILE="$base/rabbit.pid"
    ERL_EPMD_ADDRESS=127.0.0.1 "RABBITMQ_CTL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}")
}

ctl() { # ctl N args...: rabbitmqctl against node N, bounded
  local n=$1
  shift
  node_env "$n"
  env "${ENVS[@]}" timeout "$TIMEOUT" "$BIN/rabbitmqctl" -q -n "$(node_name "$n")" "$@"
}

node_pid() { [[ -s $DIR/c$1/rabbit.pid ]] && cat "$DIR/c$1/rabbit.pid"; }
node_running() { local pid; pid=$(node_pid "$1") && kill -0 "$pid" 2>/dev/null; }

start_node() {
  local n=$1 base=$DIR/c$1
  mkdir -p "$base/log" "$base/mnesia"
  node_env "$n"
  rm -f "$base/rabbit.pid"
  # Detached, with no descriptor of ours left open: a caller reading this script's output through a pipe is not held.
  (cd "$base" && exec env "${ENVS[@]}" setsid "$BIN/rabbitmq-server") >>"$base/log/startup.log" 2>&1 </dev/null &
}

wait_node() {
  local n=$1 deadline=$((SECONDS + TIMEOUT))
  until tcp_open 127.0.0.1 "$(var "$n" AMQP)" && tcp_open 127.0.0.1 "$(var "$n" MGMT)"; do
    if ((SECONDS >= deadline)); then
      tail -n 20 "$DIR/c$n/log/startup.log" >&2 2>/dev/null || true
      die "node $(node_name "$n") did not answer on AMQP $(var "$n" AMQP) and management $(var "$n" MGMT) within ${TIMEOUT}s (logs: $DIR/c$n/log)"
    fi
    sleep 1
  done
  ctl "$n" await_startup >/dev/null
}

write_env() {
  local endpoints="" management="" n
  for n in $(seq "$NODES"); do
    endpoints+="${endpoints:+,}127.0.0.1:$(var "$n" AMQP)"
    management+="${management:+,}http://127.0.0.1:$(var "$n" MGMT)/"
  done
  {
    echo "# Written by infra/cluster.sh up. Use: source $DIR/env"
    echo "export PIPELINE_CLUSTER_ENDPOINTS='$endpoints'"
    echo "export PIPELINE_CLUSTER_MANAGEMENT='$management'"
    echo "export PIPELINE_CLUSTER_AMQP='amqp://guest:guest@127.0.0.1:$(var 1 AMQP)/'"
    echo "export PIPELINE_CLUSTER_STATE='$DIR/state'"
  } >"$DIR/env"
}

cmd_up() {
  install_rabbitmq
  [[ -f $DIR/state ]] && die "a cluster is already set up in $DIR (infra/cluster.sh down first)"
  mkdir -p "$DIR/home"
  printf '*\n' >"$DIR/.gitignore"
  # One cookie for the three nodes and for rabbitmqctl: all of them use HOME=$DIR/home.
  head -c 30 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$DIR/home/.erlang.cookie"
  chmod 400 "$DIR/home/.erlang.cookie"
  local n
  for n in $(seq "$NODES"); do
    printf 'NODE_%d_AMQP=%d\nNODE_%d_MGMT=%d\nNODE_%d_DIST=%d\nNODE_%d_NAME=%s\n' \
      "$n" "$(free_port)" "$n" "$(free_port)" "$n" "$(free_port)" "$n" "$(node_name "$n")" >>"$DIR/state"
  done
  load_state
  for n in $(seq "$NODES"); do
    mkdir -p "$DIR/c$n"
    cat >"$DIR/c$n/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$(var "$n" AMQP)
management.tcp.ip = 127.0.0.1
management.tcp.port = $(var "$n" MGMT)
distribution.listener.interface = 127.0.0.1
consumer_timeout = 90000000
collect_statistics_interval = 1000
# A node cut off from the other two stops serving rather than diverge (RabbitMQ's advice for 3+ nodes).
cluster_partition_handling = pause_minority
EOF
    echo '[rabbitmq_management].' >"$DIR/c$n/enabled_plugins"
    : >"$DIR/c$n/rabbitmq-env.conf"
    start_node "$n"
  done
  for n in $(seq "$NODES"); do wait_node "$n"; done
  for n in $(seq 2 "$NODES"); do
    ctl "$n" stop_app
    ctl "$n" join_cluster "$(node_name 1)"
    ctl "$n" start_app
  done
  write_env
  log "up: $(ctl 1 cluster_status --formatter json | grep -o '"running_nodes":\[[^]]*\]')"
  cat "$DIR/env"
}

cmd_down() {
  [[ -f $DIR/state ]] || { log "nothing to stop (no $DIR/state)"; rm -rf "$DIR"; return; }
  load_state
  local n pid
  for n in $(seq "$NODES"); do
    if node_running "$n"; then
      ctl "$n" stop >/dev/null 2>&1 || true
    fi
    if pid=$(node_pid "$n") && kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$DIR"
  log "down: stopped and removed $DIR"
}

check_n() { [[ $1 =~ ^[1-3]$ ]] || die "node number must be 1, 2 or 3 (it was '$1')"; }

cmd_kill_node() {
  check_n "$1"
  load_state
  local pid
  pid=$(node_pid "$1") || die "node $1 has no pid file (not running?)"
  kill -9 "$pid" 2>/dev/null || die "node $1 (pid $pid) is not running"
  local deadline=$((SECONDS + TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || die "node $1 (pid $pid) still runs ${TIMEOUT}s after SIGKILL"
    sleep 0.2
  done
  # The node's port helpers (erl_child_setup, epmd registrations) go with it; the sockets are reset by the kernel.
  log "killed $(node_name "$1") (pid $pid)"
}

cmd_start_node() {
  check_n "$1"
  load_state
  node_running "$1" && die "node $1 is already running"
  start_node "$1"
  wait_node "$1"
  log "started $(node_name "$1") (AMQP $(var "$1" AMQP), management $(var "$1" MGMT))"
}

cmd_status() {
  load_state
  local n state
  for n in $(seq "$NODES"); do
    state=stopped
    node_running "$n" && state="running (pid $(node_pid "$n"))"
    printf '%s  amqp 127.0.0.1:%s  management http://127.0.0.1:%s/  dist %s  %s\n' \
      "$(node_name "$n")" "$(var "$n" AMQP)" "$(var "$n" MGMT)" "$(var "$n" DIST)" "$state"
  done
  for n in $(seq "$NODES"); do
    if node_running "$n"; then
      ctl "$n" cluster_status
      return
    fi
  done
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  kill-node) cmd_kill_node "${2:-}" ;;
  start-node) cmd_start_node "${2:-}" ;;
  status) cmd_status ;;
  env) load_state; cat "$DIR/env" ;;
  *) die "usage: infra/cluster.sh up|down|kill-node N|start-node N|status|env" ;;
esac
