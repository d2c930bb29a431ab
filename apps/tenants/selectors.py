"""Reads on tenants."""

import time
from collections.abc import Collection

from django.conf import settings
from django.db.models import Q, QuerySet
from django_tenants.utils import get_current_tenant, get_public_schema_name

from apps.tenants.models import DEFAULT_PLAN, Plan, Tenant

PLAN_CACHE_SECONDS = 60
_plan_cache: dict[int, tuple[float, Plan]] = {}


def tenant_current() -> Tenant:
    """The tenant whose host is being served (the tenant middleware set it)."""
    tenant = get_current_tenant()  # the tenant middleware set it
    assert isinstance(tenant, Tenant)  # noqa: S101 - only routed on tenant hosts
    return tenant


def tenant_address_taken(*, slug: str) -> bool:
    """Whether a company already has this address (or the schema it would be given)."""
    schema_name = Tenant.schema_name_for(slug)
    return Tenant.objects.filter(Q(slug=slug) | Q(schema_name=schema_name)).exists()


def tenant_by_slug(*, slug: str) -> Tenant | None:
    """The company with this address name (operators' commands name companies so)."""
    return Tenant.objects.filter(slug=slug).first()


def tenant_get(*, tenant_id: int) -> Tenant | None:
    return Tenant.objects.filter(pk=tenant_id).first()


def tenant_by_schema(*, schema_name: str) -> Tenant | None:
    return Tenant.objects.filter(schema_name=schema_name).first()


def tenants_by_id(*, tenant_ids: Collection[int]) -> dict[int, Tenant]:
    return Tenant.objects.in_bulk(list(tenant_ids))


def tenant_slugs() -> dict[int, str]:
    """Every row's slug by id, the public site's included (operators' reports)."""
    return dict(Tenant.objects.values_list("pk", "slug"))


def _companies() -> QuerySet[Tenant]:
    skip = [get_public_schema_name(), settings.TENANT_BASE_SCHEMA]
    return Tenant.objects.exclude(schema_name__in=skip).order_by("id")


def tenant_list() -> list[Tenant]:
    """Operators: every company, open or closed (not the public site, not the template), by
    id."""
    return list(_companies())


def plan_of(tenant: Tenant) -> Plan:
    """The company's plan, or DEFAULT_PLAN when it has none.

    Read on every API request (its rate limits), so kept in this process for a minute: a
    plan's changed limits apply within PLAN_CACHE_SECONDS, a company moved to another plan
    at once. Read-only: the same object serves every request of the minute.
    """
    if tenant.plan_id is None:
        return DEFAULT_PLAN
    now = time.monotonic()
    cached = _plan_cache.get(tenant.plan_id)
    if cached is None or cached[0] < now:
        cached = (now + PLAN_CACHE_SECONDS, Plan.objects.get(pk=tenant.plan_id))
        _plan_cache[tenant.plan_id] = cached
    return cached[1]


def plan_limits(tenant: Tenant) -> tuple[int, int]:
    """(requests per caller, requests per tenant) a window, for the tenant's plan."""
    plan = plan_of(tenant)
    return plan.requests_per_minute, plan.tenant_requests_per_minute


def plan_limits_forget() -> None:
    """Forget the plans `plan_of` keeps (in this process)."""
    _plan_cache.clear()


def tenant_active_list() -> list[Tenant]:
    """Operators: the open companies (not the public site, not the template), by id."""
    return list(_companies().filter(is_active=True))
