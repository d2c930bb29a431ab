#!/usr/bin/env bash
# What the benchmarks need beyond the app: Debian's libvips and pyvips (the `bench` extra),
# the reference bench/upload_throughput.py measures Kura's image derivatives against.
SERVICE_NAME=bench
. "$(dirname "$0")/services/lib.sh"
apt_install libvips42
if ! "$KURA_ROOT/.venv/bin/python" -c "import pyvips" 2>/dev/null; then
  log "installing the bench extra (pyvips)"
  "$KURA_ROOT/.venv/bin/pip" install -q -e "$KURA_ROOT[bench]"
fi
