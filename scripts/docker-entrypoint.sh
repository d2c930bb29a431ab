#!/bin/sh
# Entry point of the Kura image: export the secrets that docker-compose's `secrets` service
# generated, then run the command (gunicorn by default; celery or manage.py likewise).
# Without that file (another orchestrator), the secrets come from the environment as usual;
# production settings refuse to start without them.
set -eu
secrets="${KURA_SECRETS_FILE:-/var/lib/kura-secrets/kura.env}"
if [ -f "$secrets" ]; then
    set -a
    . "$secrets"
    set +a
fi
exec "$@"
