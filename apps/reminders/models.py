from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.fields import person_field


class Reminder(models.Model):
    """A message a person asked to be reminded of at `remind_at`; sent by a delayed job."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    user = person_field()
    message = models.CharField(_("message"), max_length=500)
    remind_at = models.DateTimeField(_("remind at"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The public-schema job that sends it (apps.jobs.Job); no foreign key across schemas.
    job_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["remind_at", "id"]
        indexes = [models.Index(fields=["user", "remind_at"])]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return self.message[:50]
