"""Rules about companies as a whole."""

from django_tenants.utils import get_public_schema_name

from apps.tenants.models import Tenant


def tenant_open(tenant: Tenant) -> bool:
    """A company the operators have not deactivated: its people, tokens, keys, links and
    delayed jobs work. A deactivated one keeps its data; its jobs wait."""
    return bool(tenant.is_active)


def is_public_tenant(tenant: Tenant | None) -> bool:
    """The public site's own row (the bare BASE_DOMAIN): never deleted, never a company."""
    return tenant is not None and tenant.schema_name == get_public_schema_name()
