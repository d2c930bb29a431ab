#!/usr/bin/env bash
# Redis 7 on 127.0.0.1:$KURA_REDIS_PORT, files under $KURA_DATA/redis.
SERVICE_NAME=redis
. "$(dirname "$0")/lib.sh"

DIR="$KURA_DATA/redis"

svc_status() { [ "$(redis-cli -h 127.0.0.1 -p "$KURA_REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

svc_up() {
  svc_status && return 0
  apt_install redis-server
  mkdir -p "$DIR"
  # Persistence stays on (appendonly): the delayed queue must survive a restart. Enough
  # databases for development (0), tests (10-12), benchmarks (13-15) and parallel test runs.
  redis-server --bind 127.0.0.1 --port "$KURA_REDIS_PORT" --dir "$DIR" \
    --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" \
    --appendonly yes --save "" --protected-mode yes --databases 64
  wait_until 30 redis svc_status
  log "ready on 127.0.0.1:$KURA_REDIS_PORT"
}

svc_down() {
  svc_status || return 0
  redis-cli -h 127.0.0.1 -p "$KURA_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  wait_until 20 "redis shutdown" bash -c "! redis-cli -h 127.0.0.1 -p $KURA_REDIS_PORT ping"
}

run_verb "$@"
