#!/usr/bin/env bash
# Starts (`start`) or stops (`stop`) a Docker Engine of its own for the CI test: Debian's
# docker.io dockerd with its own data root, socket, pid file and exec root, so it neither needs
# nor disturbs a system Docker (if any). `start` waits until the engine answers.
set -euo pipefail
. "$(dirname "$0")/env.sh"
run_dir=/run/flexmoe-ci-docker
pidfile="$run_dir/dockerd.pid"
log="$FLEXMOE_CI_CACHE/dockerd.log"
bridge=flexmoe-ci0

start() {
  command -v dockerd >/dev/null || { echo "dockerd not found: install Debian's docker.io" >&2; exit 1; }
  mkdir -p "$run_dir" "$FLEXMOE_CI_DOCKER_ROOT"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
  # Its own bridge and address pool: no clash with a system Docker's docker0 / 172.17.0.0/16.
  # dockerd wants a non-default bridge to exist already; `stop` removes it again.
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add 10.213.255.1/24 dev "$bridge"
    ip link set "$bridge" up
  fi
  setsid dockerd --data-root "$FLEXMOE_CI_DOCKER_ROOT" --exec-root "$run_dir/exec" \
    --host "$DOCKER_HOST" --pidfile "$pidfile" --bridge "$bridge" \
    --default-address-pool base=10.213.0.0/16,size=24 \
    --containerd-namespace flexmoe-ci --containerd-plugins-namespace flexmoe-ci-plugins \
    >"$log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    if "$FLEXMOE_CI_DOCKER_BIN" version >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "dockerd did not answer on $DOCKER_HOST within 60 s; its log:" >&2
  tail -40 "$log" >&2
  exit 1
}

stop() {
  local pid; pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -z "$pid" ]; then ip link del "$bridge" 2>/dev/null || true; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  ip link del "$bridge" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
