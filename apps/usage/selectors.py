"""Reads of usage figures: a company's last days (its owners' page, the operators' page of
the company), next to its plan's limits."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext as _

from apps.accounts.principal import Actor
from apps.core.errors import NotAllowedError
from apps.tenants.models import Plan
from apps.tenants.selectors import plan_of
from apps.usage.models import UsageDay, usage_day
from apps.usage.policies import can_see_usage

DAYS = 30


@dataclass(frozen=True)
class UsageReport:
    """`days`: the last DAYS days that have figures, newest first; `today`: today's
    (zeros before the first flush or snapshot of the day)."""

    plan: Plan
    today: UsageDay
    days: list[UsageDay]
    requests_total: int
    jobs_total: int

    @property
    def storage_share(self) -> float:
        """Of the quota, in percent (over 100 when a smaller plan was chosen since)."""
        return 100 * self.today.storage_bytes / max(1, self.plan.storage_quota_bytes)

    @property
    def requests_a_day_at_most(self) -> int:
        """What the company-wide per-minute limit allows in a day."""
        return self.plan.tenant_requests_per_minute * 24 * 60


def usage_report(*, actor: Actor, storage_now: int | None = None) -> UsageReport:
    """The actor's company's last DAYS days, in one query (its plan from `plan_of`, kept a
    minute); NotAllowedError for those who do not run the company (apps.usage.policies).
    `storage_now`: the stored bytes as the quota counts them now, for today's figure
    (snapshots are taken every few minutes)."""
    if not can_see_usage(actor):
        raise NotAllowedError(_("Only owners and admins see the company's usage."))
    tenant = actor.tenant
    today = usage_day()
    days = list(
        UsageDay.objects.filter(tenant_id=tenant.pk, day__gt=today - timedelta(days=DAYS)).order_by(
            "-day"
        )
    )
    current = days[0] if days and days[0].day == today else UsageDay(tenant_id=tenant.pk, day=today)
    if storage_now is not None:
        current.storage_bytes = storage_now
    return UsageReport(
        plan=plan_of(tenant),
        today=current,
        days=days,
        requests_total=sum(day.api_requests for day in days),
        jobs_total=sum(day.jobs_run for day in days),
    )
