#!/usr/bin/env bash
# PostgreSQL 15 on 127.0.0.1:$KURA_PG_PORT, cluster under $KURA_DATA/postgres.
SERVICE_NAME=postgres
. "$(dirname "$0")/lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
DIR="$KURA_DATA/postgres"
PGDATA="$DIR/data"

# initdb and the server refuse to run as root; run them as the distro's postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

svc_status() { as_pg "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$KURA_PG_PORT"; }

svc_up() {
  svc_status && return 0
  apt_install postgresql-15
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "initialising cluster in $PGDATA"
    # trust on loopback only: a development cluster that listens nowhere else.
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$DIR/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $KURA_PG_PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
  wait_until 60 postgres svc_status
  # One role and database for the app; the test runner creates its own test database.
  local psql=("$PGBIN/psql" -q -h 127.0.0.1 -p "$KURA_PG_PORT" -U postgres -v ON_ERROR_STOP=1)
  as_pg "${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname='kura'" | grep -q 1 \
    || as_pg "${psql[@]}" -c "CREATE ROLE kura LOGIN SUPERUSER PASSWORD 'kura'"
  as_pg "${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='kura'" | grep -q 1 \
    || as_pg "${psql[@]}" -c "CREATE DATABASE kura OWNER kura"
  log "ready on 127.0.0.1:$KURA_PG_PORT"
}

svc_down() {
  [ -f "$PGDATA/postmaster.pid" ] || return 0
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true
}

run_verb "$@"
