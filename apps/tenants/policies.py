"""Rules about companies as a whole."""

from apps.tenants.models import Tenant


def tenant_open(tenant: Tenant) -> bool:
    """A company the operators have not deactivated: its people, tokens, keys, links and
    delayed jobs work. A deactivated one keeps its data; its jobs wait."""
    return bool(tenant.is_active)
