"""Who sees a company's usage: the people who run the company (owners and admins), who
decide what to do when it nears its plan's limits. Members, viewers and API keys do not."""

from apps.accounts.policies import can_manage_members, is_person
from apps.accounts.principal import Principal


def can_see_usage(principal: Principal | None) -> bool:
    return is_person(principal) and can_manage_members(principal)
