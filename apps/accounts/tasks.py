from apps.accounts.revocations import deny_list_resync
from apps.accounts.services import refresh_tokens_prune
from config.celery import app


# Beat runs both (refresh-tokens-prune and revocations-resync, settings/celery.py); both are
# safe to run twice and side by side.
@app.task(ignore_result=True)
def refresh_tokens_prune_task() -> int:
    return refresh_tokens_prune()


@app.task(ignore_result=True, expires=60)
def revocations_resync_task() -> int:
    """Revoked API sign-ins back into Redis, in case a lagging replica was promoted."""
    return deny_list_resync()
