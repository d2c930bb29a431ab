from apps.usage.services import usage_requests_flush, usage_snapshot_all
from config.celery import app


# Beat runs both (usage-flush and usage-snapshot, settings/celery.py); both are safe to run
# twice and side by side.
@app.task(ignore_result=True, expires=60)
def usage_flush_task() -> int:
    """Add the API requests counted in Redis to the companies' days."""
    return usage_requests_flush()


@app.task(ignore_result=True, expires=300)
def usage_snapshot_task() -> int:
    """Jobs run, stored bytes and search documents of every open company, for today."""
    return usage_snapshot_all()
