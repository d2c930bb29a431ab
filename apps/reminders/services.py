"""Writes on reminders. A reminder is a row in the tenant and a job on the delayed queue."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.principal import Actor
from apps.core.errors import NotAllowedError, RefusedInputError
from apps.jobs.selectors import job_get
from apps.jobs.services import job_cancel, job_schedule
from apps.notifications.services import notification_create
from apps.reminders.errors import ReminderConflictError
from apps.reminders.models import Reminder
from apps.reminders.policies import can_cancel_reminder, can_set_reminders
from apps.tenants.models import Tenant

MAX_AHEAD = timedelta(days=366)
REMINDER_SEND = "reminder.send"


@transaction.atomic
def reminder_create(
    *,
    tenant: Tenant,
    actor: Actor,
    message: str,
    delay: int | None = None,
    remind_at: datetime | None = None,
) -> Reminder:
    """Remind the acting person of `message` after `delay` seconds or at `remind_at`. Runs
    in `tenant`'s schema (the caller's)."""
    if not can_set_reminders(actor) or actor.membership is None:
        raise NotAllowedError(_("Only people who may write in this company set reminders."))
    user = actor.membership.user
    now = timezone.now()
    if (delay is None) == (remind_at is None):
        raise ValidationError(_("Give either a delay in seconds or a time (remind_at), not both."))
    when = now + timedelta(seconds=delay) if delay is not None else remind_at
    assert when is not None  # noqa: S101 - one of the two was given
    field = "delay" if delay is not None else "remind_at"
    if when <= now:
        raise RefusedInputError({field: [_("Choose a time in the future.")]})
    if when > now + MAX_AHEAD:
        raise RefusedInputError({field: [_("Reminders can be set at most a year ahead.")]})
    reminder = Reminder(user=user, message=message.strip(), remind_at=when)
    reminder.full_clean(exclude=["user"])
    reminder.save()
    job = job_schedule(
        tenant=tenant,
        kind=REMINDER_SEND,
        payload={"reminder_id": reminder.pk},
        run_at=when,
        idempotency_key=f"reminder:{reminder.pk}",
    )
    reminder.job_id = job.pk
    reminder.save(update_fields=["job_id"])
    return reminder


@transaction.atomic
def reminder_cancel(*, reminder: Reminder, actor: Actor) -> Reminder:
    """Cancel a reminder that has not been sent (409 once it has)."""
    if not can_cancel_reminder(actor, reminder):
        raise NotAllowedError(_("Only its person, with a role that may write, cancels this."))
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.status != Reminder.Status.SCHEDULED:
        raise ReminderConflictError(
            _("This reminder was already %(status)s.") % {"status": reminder.get_status_display()}
        )
    job = job_get(job_id=reminder.job_id) if reminder.job_id else None
    if job is not None and not job_cancel(job=job):
        raise ReminderConflictError(_("This reminder is being sent right now."))
    reminder.status = Reminder.Status.CANCELLED
    reminder.save(update_fields=["status"])
    return reminder


def reminder_send(*, reminder_id: int) -> None:
    """The job handler's work: notify once, in app and by email. Runs in the job's
    transaction, so a retry after a crash cannot notify twice."""
    reminder = (
        Reminder.objects.select_for_update().select_related("user").filter(pk=reminder_id).first()
    )
    if reminder is None or reminder.status != Reminder.Status.SCHEDULED:
        return
    notification_create(
        user=reminder.user,
        kind="reminder",
        title=reminder.message,
        link=f"/reminders#reminder-{reminder.pk}",
    )
    reminder.status = Reminder.Status.SENT
    reminder.sent_at = timezone.now()
    reminder.save(update_fields=["status", "sent_at"])


def reminder_mark_failed(*, reminder_id: int) -> None:
    Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.SCHEDULED).update(
        status=Reminder.Status.FAILED
    )
