"""Who is calling, once authenticated: a member (by token or session) or an API key."""

from dataclasses import dataclass

from apps.accounts.models import ApiKey, Membership
from apps.accounts.policies import role_can_manage_members, role_can_write


@dataclass(frozen=True)
class Principal:
    tenant_id: int
    can_write: bool
    can_manage_members: bool
    throttle_key: str
    membership: Membership | None = None
    api_key: ApiKey | None = None
    claims: dict[str, object] | None = None

    @classmethod
    def of_membership(
        cls, membership: Membership, claims: dict[str, object] | None = None
    ) -> "Principal":
        return cls(
            tenant_id=membership.tenant_id,
            can_write=role_can_write(membership.role),
            can_manage_members=role_can_manage_members(membership.role),
            throttle_key=f"user:{membership.user_id}",
            membership=membership,
            claims=claims,
        )

    @classmethod
    def of_api_key(cls, api_key: ApiKey) -> "Principal":
        return cls(
            tenant_id=api_key.tenant_id,
            can_write=api_key.can_write,
            can_manage_members=False,
            throttle_key=f"key:{api_key.pk}",
            api_key=api_key,
        )
