from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """One delayed action: what, for which tenant, when, and how it went.

    PostgreSQL is the source of truth; Celery only carries "run job N now" messages,
    so losing the broker loses nothing.
    """

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        ENQUEUED = "enqueued", _("Enqueued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Dead")

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("tenant"),
        help_text=_("Empty for jobs about global accounts."),
    )
    kind = models.CharField(_("kind"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    run_at = models.DateTimeField(_("run at"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SCHEDULED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("max attempts"), default=5)
    last_error = models.TextField(_("last error"), blank=True)
    # NULL, not "": jobs without a key must not collide in the unique constraint.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=200, null=True, blank=True
    )
    # A running job whose lease has passed belongs to a worker that died; it is reclaimed.
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["run_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                nulls_distinct=False,
                name="job_unique_idempotency_key_per_tenant",
            )
        ]
        indexes = [
            # The sweep's two questions: what is due, and what is stuck.
            models.Index(
                fields=["run_at"],
                condition=Q(state__in=["scheduled", "failed"]),
                name="job_waiting_idx",
            ),
            models.Index(
                fields=["state", "lease_until"],
                condition=Q(state__in=["enqueued", "running"]),
                name="job_inflight_idx",
            ),
            # The workers' claim: which tenants have jobs waiting, and each one's earliest
            # (services.FAIR_CLAIM).
            models.Index(
                fields=["tenant", "run_at"], condition=Q(state="enqueued"), name="job_ready_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"
