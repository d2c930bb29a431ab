"""Reads on tenants."""

from django.db import connection

from apps.tenants.models import Tenant


def tenant_current() -> Tenant:
    """The tenant whose host is being served (the tenant middleware set it)."""
    tenant = connection.tenant  # type: ignore[attr-defined] # set by django-tenants
    assert isinstance(tenant, Tenant)  # noqa: S101 - only routed on tenant hosts
    return tenant
