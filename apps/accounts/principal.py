"""Who acts: one shape, `Actor`, handed to every service and selector that acts for someone.

An actor is either
- a `Principal`: someone calling from outside, once authenticated: a member (by access
  token or web session) or an API key; or
- a `SystemActor`: Kura itself in one company: a delayed job, a sweep, a task, a
  management command, demo data, or an operator acting from the admin (`operator`).

Both carry the same answers the policies read (`tenant_id`, `role`, `can_write`,
`can_manage_members`, `membership`, `api_key`, `is_system`), so apps' policies answer for
the system without special cases: it has an owner's rights in its company and acts for
every person on their own things (`policies.acts_for`), but it is not a person, so it
authors, orders and is reminded of nothing (`policies.is_person`). An audit entry records
an actor as `recorded_as()` says: the person, the API key, the operator, or the system and
its reason.

Which functions take `*, actor: Actor`: the services that change what a person or a key
may change (posts, files and uploads, orders and the payment secret, the catalog and its
import, search's synonyms, reminders, notifications, members, invitations, API keys, the
company's deletion and its two-factor rule), and the selectors a page, an API or the admin
reads through (posts, files, orders, the catalog, search and its synonyms, reminders,
notifications, usage, members, invitations, API keys). The actor's policy decides, in the
function, what it sees or may do; a selector that fetches one thing by id raises
NotFoundError for what the actor cannot see (`post_get`), and one that fetches it for a
change raises NotAllowedError too (`post_for_change`, `file_for_delete`,
`membership_for_manage`), so no page writes "get, 404, can_*, 403" by hand.

Which do not, and why:
- mechanisms record or deliver what they are given and decide nothing: jobs' scheduling
  (`job_schedule`, `job_cancel_by_key`), search's `outbox_add`, `audit_record`,
  `notification_create` (it takes the person notified), the usage counters, the access
  cache;
- the system's own work, reached by no person: the job handlers (`reminder_send`,
  `post_publish_due`, `order_expire`, `membership_suspension_lift`), the scans, the
  search sync, the payment webhook and its secret (its signature is its credential);
- a person's own account, on every host and before any company (sign-in, passwords,
  two-factor, sessions, profile, language): they take the `user` whose account it is;
- reads a service makes for its own use once it has authorized its actor
  (`product_ids_on_sale`, `products_to_index`, `members_by_handle`, `synonym_table`);
- the apps below accounts (tenants, jobs, audit) cannot know an actor: their reads take
  what they read by (`audit_list(tenant=)` after the page asked `can_read_audit`), and the
  operators' figures across companies (`post_counts_by_tenant`, `tenant_files`) are the
  admin's, behind Django's permissions.
"""

from dataclasses import dataclass
from typing import ClassVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apps.accounts.models import ApiKey, Membership, User
from apps.accounts.policies import is_operator, role_can_manage_members, role_can_write
from apps.tenants.models import Tenant


@dataclass(frozen=True)
class Principal:
    """A member or an API key, authenticated for the company `tenant_id`."""

    tenant_id: int
    can_write: bool
    can_manage_members: bool
    throttle_key: str
    membership: Membership | None = None
    api_key: ApiKey | None = None
    claims: dict[str, object] | None = None
    role: str | None = None  # the member's; None for an API key

    is_system: ClassVar[bool] = False

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
            role=membership.role,
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

    @property
    def tenant(self) -> Tenant:
        """The company, as the membership or key was read with it (no query)."""
        holder = self.membership or self.api_key
        if holder is None:
            raise TypeError("a Principal is a membership's or an API key's")
        return holder.tenant

    @property
    def member(self) -> Membership:
        """A member's membership: what the pages (member_required) act with."""
        if self.membership is None:
            raise TypeError("an API key is not a member")
        return self.membership

    @property
    def person(self) -> User | None:
        """Who is recorded as having done it (an author, an inviter): the member; None for
        an API key."""
        return self.membership.user if self.membership is not None else None

    def recorded_as(self) -> tuple[User | None, str]:
        """The audit log's actor: the person and their address, or the key by name."""
        if self.membership is not None:
            return self.membership.user, self.membership.user.email
        if self.api_key is not None:
            return None, f"API key {self.api_key.name} ({self.api_key.prefix})"
        return None, ""


@dataclass(frozen=True)
class SystemActor:
    """Kura acting in `tenant`, for `reason` (a few words the audit log shows); `operator`
    is the operator whose admin action it is, when one is."""

    tenant: Tenant
    reason: str
    operator: User | None = None

    is_system: ClassVar[bool] = True
    role: ClassVar[str] = Membership.Role.OWNER
    can_write: ClassVar[bool] = True
    can_manage_members: ClassVar[bool] = True
    membership: ClassVar[None] = None
    api_key: ClassVar[None] = None
    claims: ClassVar[None] = None

    @property
    def tenant_id(self) -> int:
        return int(self.tenant.pk)

    @property
    def person(self) -> User | None:
        """Who is recorded as having done it: the operator; None for the system itself."""
        return self.operator

    @classmethod
    def of_operator(cls, request: HttpRequest, tenant: Tenant, reason: str) -> "SystemActor":
        """The operator signed in to the admin (`request`), acting in `tenant`."""
        operator = request.user
        if not isinstance(operator, User) or not is_operator(operator):
            raise PermissionDenied
        return cls(tenant=tenant, reason=reason, operator=operator)

    def recorded_as(self) -> tuple[User | None, str]:
        """The audit log's actor: the operator, or the system with its reason."""
        if self.operator is not None:
            return self.operator, self.operator.email
        return None, f"Kura ({self.reason})"


Actor = Principal | SystemActor
