"""Who sees a company's usage: the people who run the company (owners and admins), who
decide what to do when it nears its plan's limits. Members, viewers and API keys do not."""

from apps.accounts.policies import can_manage_members
from apps.accounts.principal import Actor


def can_see_usage(actor: Actor | None) -> bool:
    return can_manage_members(actor)
