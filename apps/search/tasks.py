import time

from django.conf import settings

from apps.search.services import drain_queued_clear
from apps.search.sync import outbox_drain
from config.celery import app


# Sent on commit of catalog changes and by beat (search-outbox-drain, settings/celery.py).
# A drain waiting longer than this has been overtaken by the sweep.
@app.task(ignore_result=True, expires=30)
def outbox_drain_task() -> int:
    """Drain the outbox in batches until it is empty or SEARCH_OUTBOX_TASK_SECONDS pass;
    safe to run twice and side by side (the claim skips what another drain holds)."""
    # From now on a new change queues a drain of its own: this one may have claimed already.
    drain_queued_clear()
    deadline = time.monotonic() + settings.SEARCH_OUTBOX_TASK_SECONDS
    batch = settings.SEARCH_OUTBOX_BATCH
    total = 0
    while True:
        drained = outbox_drain(batch=batch)
        total += drained
        if drained < batch or time.monotonic() > deadline:
            return total
