"""Who may do what with the catalog: everyone in the company (and every API key) reads it;
owners and admins change it, and so do API keys that may write (integrators sync their
product data)."""

from apps.accounts.policies import can_manage_members, can_read, can_write
from apps.accounts.principal import Principal


def can_see_catalog(principal: Principal | None) -> bool:
    return can_read(principal)


def can_manage_catalog(principal: Principal | None) -> bool:
    if principal is None:
        return False
    if principal.api_key is not None:
        return can_write(principal)
    return can_manage_members(principal)
