#!/usr/bin/env bash
# A local Redis Cluster for authbench: 3 masters + 3 replicas, redis-server processes on loopback.
#
#   scripts/redis-cluster.sh start [base-port]    start on base-port .. base-port+5 (default 30001), bus ports +10000
#   scripts/redis-cluster.sh status [base-port]   print the nodes as the cluster sees them
#   scripts/redis-cluster.sh stop [base-port]     stop the six nodes and remove their directory
#
# Then: authbench serve redis-token --redis-cluster 127.0.0.1:30001,127.0.0.1:30002,...
# (start prints the exact flag). Persistence is off. Environment: REDIS_SERVER, REDIS_CLI (binaries, default from
# PATH), NODE_TIMEOUT (cluster-node-timeout in ms, default 1000: a killed master's replica takes over in about
# 2 s), CLUSTER_DIR (default ${TMPDIR:-/tmp}/authbench-cluster-<base-port>).
# Exit codes: 0 done, 1 failed (what failed is printed), 2 bad arguments.
set -euo pipefail

usage() {
  echo "usage: $0 start|status|stop [base-port]   (base-port 1024..55529, default 30001)" >&2
  exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
command="$1"
base="${2:-30001}"
[[ "$base" =~ ^[0-9]+$ ]] && ((base >= 1024 && base <= 55529)) || usage
case "$command" in start | status | stop) ;; *) usage ;; esac

server="${REDIS_SERVER:-redis-server}"
cli="${REDIS_CLI:-redis-cli}"
node_timeout="${NODE_TIMEOUT:-1000}"
dir="${CLUSTER_DIR:-${TMPDIR:-/tmp}/authbench-cluster-$base}"
ports=()
for i in 0 1 2 3 4 5; do ports+=($((base + i))); done

die() {
  echo "redis-cluster: $*" >&2
  exit 1
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_of() {
  local file="$dir/$1/redis.pid"
  [[ -s "$file" ]] && cat "$file"
}

alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

stop_nodes() {
  local p pid n
  for p in "${ports[@]}"; do
    pid="$(pid_of "$p" || true)"
    alive "$pid" || continue
    kill -TERM "$pid" 2>/dev/null || true
    for ((n = 0; n < 50; n++)); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  done
  remove_dir
}

# Only what this script created: a CLUSTER_DIR given by the user is never removed with other content in it.
remove_dir() {
  local p
  for p in "${ports[@]}"; do rm -rf "${dir:?}/$p"; done
  rm -f "$dir/create.log"
  rmdir "$dir" 2>/dev/null || true
}

# Polls until every node says cluster_state:ok and every replica's link to its master is up (a replica that never
# synced refuses to fail over), or fails after 30 s.
wait_ready() {
  local n p missing
  for ((n = 0; n < 300; n++)); do
    missing=""
    for p in "${ports[@]}"; do
      if ! "$cli" -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; then missing="$p: cluster_state not ok"; break; fi
      if "$cli" -p "$p" info replication 2>/dev/null | grep -q '^role:slave' &&
        ! "$cli" -p "$p" info replication 2>/dev/null | grep -q '^master_link_status:up'; then
        missing="$p: replica not synced"
        break
      fi
    done
    [[ -z "$missing" ]] && return 0
    sleep 0.1
  done
  die "the cluster was not ready within 30 s ($missing); logs in $dir/*/redis.log"
}

start() {
  command -v "$server" >/dev/null || die "$server not found (Debian/Ubuntu: apt-get install redis-server)"
  command -v "$cli" >/dev/null || die "$cli not found (it comes with redis-server)"
  local p pid
  for p in "${ports[@]}"; do
    pid="$(pid_of "$p" || true)"
    alive "$pid" && die "a node of this cluster already runs on port $p (pid $pid): '$0 stop $base' first"
  done
  for p in "${ports[@]}"; do
    port_busy "$p" && die "port $p is taken"
    port_busy $((p + 10000)) && die "port $((p + 10000)) (the cluster bus of $p) is taken"
  done
  remove_dir # left over from a cluster whose nodes are gone (a stale nodes.conf would make create fail)
  mkdir -p "$dir"
  # From here on, any failure (or Ctrl-C) stops what was started and removes the directory.
  trap 'stop_nodes' EXIT
  for p in "${ports[@]}"; do
    mkdir -p "$dir/$p"
    "$server" --port "$p" --bind 127.0.0.1 --protected-mode yes --dir "$dir/$p" \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout "$node_timeout" \
      --save "" --appendonly no --daemonize yes --pidfile "$dir/$p/redis.pid" --logfile "$dir/$p/redis.log"
  done
  local n
  for p in "${ports[@]}"; do
    for ((n = 0; n < 100; n++)); do
      [[ "$("$cli" -p "$p" ping 2>/dev/null || true)" == "PONG" ]] && break
      sleep 0.1
    done
    [[ "$("$cli" -p "$p" ping 2>/dev/null || true)" == "PONG" ]] || die "node $p did not start: $(tail -5 "$dir/$p/redis.log" 2>/dev/null)"
  done
  local addresses=()
  for p in "${ports[@]}"; do addresses+=("127.0.0.1:$p"); done
  "$cli" --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 ||
    die "redis-cli --cluster create failed:"$'\n'"$(cat "$dir/create.log")"
  wait_ready
  trap - EXIT
  echo "Redis Cluster ready: 3 masters + 3 replicas, cluster-node-timeout $node_timeout ms, directory $dir"
  "$cli" -p "$base" cluster nodes | sort -k2
  local IFS=,
  echo "--redis-cluster ${addresses[*]}"
}

case "$command" in
  start) start ;;
  status)
    port_busy "$base" || die "no node answers on port $base"
    "$cli" -p "$base" cluster info | grep '^cluster_state'
    "$cli" -p "$base" cluster nodes | sort -k2
    ;;
  stop)
    if [[ ! -d "$dir" ]]; then
      echo "no cluster directory $dir: nothing to stop"
      exit 0
    fi
    stop_nodes
    echo "stopped the nodes on ports ${ports[0]}..${ports[5]} and removed $dir"
    ;;
esac
