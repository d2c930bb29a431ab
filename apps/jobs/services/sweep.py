"""The sweep, Celery beat's heartbeat (about every second): it enqueues what has come
within the horizon, wakes workers again for jobs left waiting (a lost message), and
reclaims jobs whose worker died (lease passed); and the pruning of finished jobs.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from apps.jobs.dispatch import publish_after_commit
from apps.jobs.models import Job
from apps.jobs.services.runner import job_dead_hook
from apps.jobs.services.scheduling import enqueue_due, update_returning

logger = logging.getLogger(__name__)
State = Job.State


def jobs_sweep() -> dict[str, int]:
    """Celery beat's heartbeat: send what is due soon, re-send lost messages, reclaim the
    jobs of dead workers. Safe to run from several beats at once."""
    now = timezone.now()
    grace = now - timedelta(seconds=settings.JOBS_RESEND_AFTER_SECONDS)
    sent = enqueue_due(Q())

    # Enqueued and overdue, but not claimed: the broker lost the message (a flush, a
    # restart), or the workers are behind. Another wake-up is harmless.
    lost = update_returning(
        Job.objects.select_for_update(skip_locked=True).filter(
            state=State.ENQUEUED, run_at__lt=grace, enqueued_at__lt=grace
        ),
        enqueued_at=now,
    )
    publish_after_commit(lost)
    # Running past its lease: the worker died (a live one holds the row lock while it
    # runs the job, so SKIP LOCKED never takes a job that is really running; one waiting
    # its turn in a claimed batch that outlived the lease is run once, by the fence).
    orphans = Job.objects.filter(state=State.RUNNING, lease_until__lt=now)
    dead = _orphans_dead(orphans.filter(attempts__gte=F("max_attempts")), now)
    # An orphan whose on_dead hook failed stays for the next sweep, not for another run.
    reclaimed = update_returning(
        orphans.select_for_update(skip_locked=True).filter(attempts__lt=F("max_attempts")),
        state=State.ENQUEUED,
        enqueued_at=now,
        lease_until=None,
        last_error=LOST_WORKER,
    )
    publish_after_commit(reclaimed)
    return {"sent": sent, "resent": len(lost), "reclaimed": len(reclaimed), "dead": len(dead)}


LOST_WORKER = "The worker running this job stopped."


def _orphans_dead(orphans: QuerySet[Job], now: datetime) -> list[int]:
    """Orphans that had their last attempt die like any job that failed it: each in its
    own transaction with its kind's on_dead hook, in its tenant."""
    dead = []
    for pk in orphans.values_list("pk", flat=True)[: settings.JOBS_SWEEP_BATCH]:
        try:
            with transaction.atomic():
                job = (
                    Job.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("tenant")
                    .filter(pk=pk, state=State.RUNNING, lease_until__lt=now)
                    .first()
                )
                if job is None:
                    continue
                Job.objects.filter(pk=pk).update(
                    state=State.DEAD, finished_at=now, lease_until=None, last_error=LOST_WORKER
                )
                job_dead_hook(job)
        except Exception:
            logger.exception("job %s died with its worker; its on_dead hook failed", pk)
            continue
        dead.append(pk)
    return dead


def jobs_prune(*, older_than: timedelta) -> int:
    """Delete finished jobs (succeeded or cancelled) older than `older_than`; dead jobs stay
    until an operator deals with them."""
    deleted, _ = Job.objects.filter(
        state__in=[State.SUCCEEDED, State.CANCELLED], finished_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
