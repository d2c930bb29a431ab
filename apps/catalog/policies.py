"""Who may do what with the catalog: everyone in the company (and every API key) reads it;
owners and admins change it, and so do API keys that may write (integrators sync their
product data)."""

from apps.accounts.policies import can_manage_members, can_read, can_write
from apps.accounts.principal import Actor


def can_see_catalog(actor: Actor | None) -> bool:
    return can_read(actor)


def can_manage_catalog(actor: Actor | None) -> bool:
    if actor is None:
        return False
    if actor.api_key is not None:
        return can_write(actor)
    return can_manage_members(actor)
