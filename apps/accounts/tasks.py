from apps.accounts.services import refresh_tokens_prune
from config.celery import app


@app.task(ignore_result=True)
def refresh_tokens_prune_task() -> int:
    return refresh_tokens_prune()
