from datetime import date, datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.tenants.models import Tenant


def usage_day(at: datetime | None = None) -> date:
    """The day `at` (default now) is counted in: a day of the project's time zone
    (settings.TIME_ZONE), whatever zone the request shows times in."""
    return timezone.localdate(at, timezone=timezone.get_default_timezone())


class UsageDay(models.Model):
    """One company's use on one day (the project's time zone). API requests are added from
    Redis counters by the flush; the other figures are snapshots, set again by each
    snapshot during the day (apps.usage.services)."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    day = models.DateField(_("day"))
    api_requests = models.PositiveBigIntegerField(_("API requests"), default=0)
    jobs_run = models.PositiveBigIntegerField(_("jobs run"), default=0)
    storage_bytes = models.PositiveBigIntegerField(_("storage (bytes)"), default=0)
    search_documents = models.PositiveBigIntegerField(_("search documents"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="usage_day_unique_per_tenant")
        ]
        verbose_name = _("usage day")
        verbose_name_plural = _("usage days")

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.day}"


class RequestBatch(models.Model):
    """A batch of request counters taken out of Redis and added to UsageDay, recorded in
    the same transaction: a flush that stopped after its commit and before it deleted
    the batch from Redis finds it here and does not add it twice. Operators' rows."""

    id = models.UUIDField(primary_key=True)
    flushed_at = models.DateTimeField(_("flushed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("request counter batch")
        verbose_name_plural = _("request counter batches")

    def __str__(self) -> str:
        return str(self.id)


class TenantUsage(Tenant):
    """A company as the operators' admin shows its usage (apps.usage.admin)."""

    class Meta:
        proxy = True
        verbose_name = _("company usage")
        verbose_name_plural = _("company usage")
