#!/usr/bin/env bash
# Start, stop or check every development service: ./scripts/services.sh up|down|status
# Each service has its own script in scripts/services/; `up` starts them side by side
# (Elasticsearch and the JVM-based S3 server dominate a cold start).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
SERVICES=(postgres redis elasticsearch s3 clamav)
verb="${1:-}"

case "$verb" in
  up)
    pids=()
    for s in "${SERVICES[@]}"; do "$here/services/$s.sh" up & pids+=($!); done
    failed=0
    for i in "${!pids[@]}"; do wait "${pids[$i]}" || { echo "service ${SERVICES[$i]} failed to start" >&2; failed=1; }; done
    exit $failed
    ;;
  down)
    for s in "${SERVICES[@]}"; do "$here/services/$s.sh" down || true; done
    ;;
  status)
    rc=0
    for s in "${SERVICES[@]}"; do
      if "$here/services/$s.sh" status; then echo "$s: up"; else echo "$s: down"; rc=1; fi
    done
    exit $rc
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
