# Shared helpers for the service scripts. Sourced, never executed.
#
# Every service script (scripts/services/<name>.sh) is an executable taking one verb:
#   up      install what is missing, start the service if it is not running, wait until ready
#   down    stop what `up` started (a no-op when it is not running)
#   status  exit 0 when the service answers, non-zero otherwise
# All data, logs and pid files live under $KURA_DATA/<name>/ (git-ignored).
set -euo pipefail

KURA_ROOT="${KURA_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=env.sh
. "$KURA_ROOT/scripts/services/env.sh"
mkdir -p "$KURA_DATA"

log() { printf '[%s] %s\n' "${SERVICE_NAME:-services}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# wait_until SECONDS DESCRIPTION COMMAND...: poll COMMAND every 0.2 s until it succeeds.
wait_until() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then die "$what not ready after ${timeout}s"; fi
    sleep 0.2
  done
}

# apt_install PKG...: install Debian packages that are not installed yet (root only).
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (install them as root)"
  log "installing ${missing[*]}"
  # Several scripts may install at once; apt's own lock serialises them.
  flock /var/lib/kura-apt.lock bash -c '
    if [ ! -f /var/lib/kura-apt.updated ] || [ -n "$(find /var/lib/kura-apt.updated -mmin +1440)" ]; then
      apt-get update -qq && touch /var/lib/kura-apt.updated
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  ' _ "${missing[@]}"
}

# port_open PORT: something listens on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_alive FILE: the pid in FILE is a running process.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid FILE [SECONDS]: TERM the process in FILE, KILL it after SECONDS (default 20).
stop_pid() {
  local file=$1 timeout=${2:-20}
  pid_alive "$file" || { rm -f "$file"; return 0; }
  local pid; pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then kill -9 "$pid" 2>/dev/null || true; break; fi
    sleep 0.2
  done
  rm -f "$file"
}

# run_verb "$@": dispatch to the script's svc_up / svc_down / svc_status functions.
run_verb() {
  case "${1:-}" in
    up) svc_up ;;
    down) svc_down ;;
    status) svc_status ;;
    *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
  esac
}
