"""Wake-up messages for the workers, sent after commit and in batches.

A message does not name a job: it asks a worker to claim the jobs that are due
(`apps.jobs.services.jobs_run_due`), fairly across tenants. Jobs scheduled in one
transaction are published together by one `on_commit` callback over one broker
connection: one message per batch of jobs sharing a run_at (all jobs already due share
one). A broker that is down loses nothing: the jobs are in PostgreSQL, enqueued, and the
sweep sends their messages again.
"""

import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# The connection's jobs waiting for its transaction to commit: (job id, run_at).
_PENDING = "_kura_jobs_pending"
_FLUSH = "_kura_jobs_flush"


def publish_after_commit(jobs: Iterable[tuple[int, datetime]]) -> None:
    """Wake workers for `jobs` once the current transaction commits (at once outside one).

    One callback per transaction: the jobs wait in a list on the connection. If the
    callback is gone from the connection's list, a rollback (of the transaction or of the
    savepoint it was registered in) took it, and the jobs noted with it never existed."""
    conn = connections[DEFAULT_DB_ALIAS]
    flush = getattr(conn, _FLUSH, None)
    registered = flush is not None and any(entry[1] is flush for entry in conn.run_on_commit)
    if not registered:
        setattr(conn, _PENDING, [])
    getattr(conn, _PENDING).extend(jobs)
    if not registered:

        def flush() -> None:
            pending = getattr(conn, _PENDING)
            setattr(conn, _PENDING, [])
            setattr(conn, _FLUSH, None)
            publish(pending)

        setattr(conn, _FLUSH, flush)
        transaction.on_commit(flush)  # outside a transaction: now


def publish(jobs: list[tuple[int, datetime]]) -> None:
    """Send the wake-ups for `jobs` over one producer; never raises (see the module)."""
    if not jobs:
        return
    from apps.jobs.tasks import jobs_run_due_task
    from config.celery import app

    now = timezone.now()
    by_time: dict[datetime | None, list[int]] = defaultdict(list)
    for job_id, run_at in jobs:
        by_time[None if run_at <= now else run_at].append(job_id)
    sent: set[int] = set()
    try:
        with app.producer_or_acquire() as producer:
            for eta, ids in sorted(by_time.items(), key=lambda item: item[0] or now):
                for _ in range(math.ceil(len(ids) / settings.JOBS_CLAIM_BATCH)):
                    # The rows are public; the worker enters each job's tenant itself.
                    jobs_run_due_task.apply_async(
                        kwargs={"due": eta.isoformat() if eta else None},
                        eta=eta,
                        headers={"_schema_name": "public"},
                        producer=producer,
                    )
                sent.update(ids)
    except Exception:
        logger.warning(
            "could not send job %s to the broker; the sweep will",
            ", ".join(str(job_id) for job_id, _ in jobs if job_id not in sent),
            exc_info=True,
        )
