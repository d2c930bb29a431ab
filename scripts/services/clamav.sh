#!/usr/bin/env bash
# ClamAV's clamd on 127.0.0.1:$KURA_CLAMD_PORT, for scanning uploads (see lib.sh for the verbs).
#
# Installing clamav-daemon does not start Debian's own clamd or freshclam here: their postinst
# goes through invoke-rc.d, which refuses without systemd or a known runlevel (and policy-rc.d
# forbids it in containers). Where systemd does start them, they use a Unix socket and
# /var/lib/clamav, and never touch our port or files. We pass our own config with -c, so
# /etc/clamav is never read.
SERVICE_NAME=clamav
. "$(dirname "$0")/lib.sh"

DIR="$KURA_DATA/clamav"
CONF="$DIR/clamd.conf"
PIDFILE="$DIR/clamd.pid"
# Debian's signature database; freshclam cannot download it here, but use it where it exists.
OFFICIAL_DB=/var/lib/clamav

# clamd_ping: clamd answers zPING with PONG (replies to z-commands end in a NUL byte).
clamd_ping() {
  local reply
  exec 3<>"/dev/tcp/127.0.0.1/$KURA_CLAMD_PORT" || return 1
  printf 'zPING\0' >&3
  IFS= read -r -d '' -t 2 reply <&3 || true
  exec 3>&-
  [ "$reply" = PONG ]
}

# clamd_alive: the pid file names a live clamd (not a zombie, nor a pid reused since).
clamd_alive() {
  local comm state
  [ -f "$PIDFILE" ] && read -r _ comm state _ 2>/dev/null <"/proc/$(cat "$PIDFILE")/stat" &&
    [ "$comm" = "(clamd)" ] && [ "$state" != Z ]
}

# database_dir: the official database if it is complete, else ours with only the EICAR test
# signature (md5:size:name of the 68-byte EICAR string), so the scan path can still be tested.
database_dir() {
  if compgen -G "$OFFICIAL_DB/main.c[vl]d" >/dev/null && compgen -G "$OFFICIAL_DB/daily.c[vl]d" >/dev/null; then
    echo "$OFFICIAL_DB"
    return
  fi
  mkdir -p "$DIR/db"
  echo '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature' >"$DIR/db/kura-test.hdb"
  echo "$DIR/db"
}

svc_up() {
  if clamd_ping 2>/dev/null; then return 0; fi
  apt_install clamav-daemon clamav
  mkdir -p "$DIR/tmp"
  # Two `up`s at once would start two clamds fighting over the port and the log file.
  exec 9>"$DIR/up.lock"
  flock 9
  # A live clamd that does not answer yet is still loading its database: just wait for it.
  if ! clamd_alive; then
    local db; db=$(database_dir)
    # No `User` line: clamd then stays root and can read $KURA_DATA, whoever owns it.
    # The size limits match the 100 MB upload limit; MaxScanSize leaves room for archives.
    cat >"$CONF" <<EOF
TCPSocket $KURA_CLAMD_PORT
TCPAddr 127.0.0.1
Foreground false
PidFile $PIDFILE
LogFile $DIR/clamd.log
LogTime yes
DatabaseDirectory $db
TemporaryDirectory $DIR/tmp
StreamMaxLength 100M
MaxFileSize 100M
MaxScanSize 400M
EOF
    log "starting clamd on 127.0.0.1:$KURA_CLAMD_PORT (database $db)"
    # clamd loads the database before it forks (tens of seconds for the official one, well
    # under one for ours), so a bad database fails here rather than in the wait below.
    # 9>&-: the daemon must not inherit, and so hold forever, the lock.
    clamd -c "$CONF" 9>&- || die "clamd failed to start; see $DIR/clamd.log"
  fi
  wait_until 180 clamd clamd_ping
}

svc_down() {
  if clamd_alive; then stop_pid "$PIDFILE"; fi
  rm -f "$PIDFILE"
}

svc_status() { clamd_ping 2>/dev/null; }

run_verb "$@"
