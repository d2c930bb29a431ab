"""Wake-up messages for the workers, sent after commit and in batches.

A message does not name a job: it asks a worker to claim the jobs that are due
(`apps.jobs.services.jobs_run_due`), fairly across tenants. Jobs scheduled in one
transaction are published together by one `on_commit` callback over one broker
connection: one message per batch of jobs sharing a run_at (all jobs already due share
one). A broker that is down loses nothing: the jobs are in PostgreSQL, enqueued, and the
sweep sends their messages again.

The callback does not talk to the broker itself: it hands the jobs to this process's
publisher thread (JOBS_PUBLISH_IN_BACKGROUND), so scheduling costs the caller its INSERT
and no broker round trip, and the jobs of transactions that commit close together leave
in one batch. A process that ends with jobs still in its hands loses only the messages;
the sweep sends them again (JOBS_RESEND_AFTER_SECONDS).
"""

import atexit
import logging
import math
import os
import threading
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from apps.core.transactions import on_commit_batch

logger = logging.getLogger(__name__)


def publish_after_commit(jobs: Iterable[tuple[int, datetime]]) -> None:
    """Wake workers for `jobs` once the current transaction commits (at once outside one).

    One callback per transaction, handed the jobs of every call in it. A rollback (of the
    transaction, or of the savepoint the callback was registered in) drops the callback and
    the jobs noted with it, which never existed."""
    on_commit_batch(_hand_over, jobs, key="jobs:publish")


def _hand_over(jobs: list[tuple[int, datetime]]) -> None:
    if settings.JOBS_PUBLISH_IN_BACKGROUND:
        _publisher.submit(jobs)
    else:
        publish(jobs)


def publish(jobs: list[tuple[int, datetime]]) -> None:
    """Send the wake-ups for `jobs` over one producer; never raises (see the module)."""
    if not jobs:
        return
    # The tasks module imports the services, which import this one.
    from apps.jobs.tasks import jobs_run_due_task  # noqa: PLC0415
    from config.celery import app  # noqa: PLC0415

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


class _Publisher:
    """This process's sender of wake-ups: a daemon thread that takes every batch handed to
    it since its last send and publishes them together. Started on first use in each
    process (a forked worker or web process gets its own, not its parent's)."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._waiting: list[tuple[int, datetime]] = []
        self._sending = 0
        self._pid: int | None = None

    def submit(self, jobs: list[tuple[int, datetime]]) -> None:
        if not jobs:
            return
        with self._ready:
            if self._pid != os.getpid():
                self._waiting, self._sending, self._pid = [], 0, os.getpid()
                threading.Thread(target=self._run, name="kura-jobs-publisher", daemon=True).start()
            self._waiting.extend(jobs)
            self._ready.notify_all()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._waiting:
                    self._ready.wait()
                batch, self._waiting = self._waiting, []
                self._sending = len(batch)
            publish(batch)  # never raises
            with self._ready:
                self._sending = 0
                self._ready.notify_all()

    def wait(self, timeout: float = 5.0) -> bool:
        """Until everything handed over is sent (tests; the end of a process)."""
        with self._ready:
            return self._ready.wait_for(
                lambda: not self._waiting and not self._sending, timeout=timeout
            )


_publisher = _Publisher()


def published_wait(timeout: float = 5.0) -> bool:
    """Wait for this process's wake-ups handed to the publisher to be sent."""
    return _publisher.wait(timeout)


# A process ending normally sends what it holds (a killed one leaves it to the sweep).
atexit.register(published_wait, 2.0)
