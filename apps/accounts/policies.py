"""Who may do what in a company: small pure functions of the actor (apps/accounts/principal.py:
a member, an API key, or the system) and the object, used by the API permissions, the pages
(through the `perms` mapping) and the services alike, so a page and the API can never
disagree.

The building blocks below answer for every kind of actor, the system included, so the apps'
policies need no case of their own for it: the system has an owner's `role` and rights,
acts for every person on their own things (`acts_for`), and is not a person (`is_person`).

`membership_active` is the one rule for "this membership still opens the company"; nobody
re-derives it.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.tenants.policies import tenant_open

if TYPE_CHECKING:
    from apps.accounts.principal import Actor

Role = Membership.Role
MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
WRITERS = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})


def membership_active(membership: Membership | None, *, now: datetime | None = None) -> bool:
    """The person's account is active, the membership is not suspended, and the company is
    open. Every sign-in, token, session, link and job on a person's behalf asks this."""
    if membership is None:
        return False
    suspended = membership.suspended_until is not None and membership.suspended_until > (
        now or timezone.now()
    )
    return bool(membership.user.is_active) and not suspended and tenant_open(membership.tenant)


def role_can_write(role: str) -> bool:
    return role in WRITERS


def role_can_manage_members(role: str) -> bool:
    return role in MANAGERS


def can_appoint(actor_role: str | None, target_role: str | None) -> bool:
    """Managers manage members; only owners appoint, change or remove owners."""
    if actor_role is None or not role_can_manage_members(actor_role):
        return False
    return target_role != Role.OWNER or actor_role == Role.OWNER


def can_manage_member(actor: Actor | None, target: Membership) -> bool:
    """Remove or suspend `target`: a manager who may appoint the target's role, and not on
    themselves (a company is left by another manager's hand, never locked out by its own)."""
    if actor is None or (actor.membership is not None and actor.membership.pk == target.pk):
        return False
    return can_appoint(actor.role, target.role)


def is_system(actor: Actor | None) -> bool:
    """Kura itself (a job, a command, an operator in the admin), not a caller."""
    return actor is not None and actor.is_system


def can_read(actor: Actor | None) -> bool:
    """Anyone signed in for the company (any role, any API key) reads what the company shares."""
    return actor is not None


def can_write(actor: Actor | None) -> bool:
    """Creating and changing: not viewers, not read-only API keys."""
    return actor is not None and actor.can_write


def is_person(actor: Actor | None) -> bool:
    """A person, not an API key nor the system: for what needs one (an author, a buyer,
    someone to remind)."""
    return actor is not None and actor.membership is not None


def can_manage_members(actor: Actor | None) -> bool:
    """Owners and admins (and the system); never an API key."""
    return actor is not None and actor.can_manage_members


def is_owner(actor: Actor | None) -> bool:
    """The company's owners (and the system, which has their rights)."""
    return actor is not None and actor.role == Role.OWNER


def is_own(actor: Actor | None, user_id: int | None) -> bool:
    """Something of the acting person's own (their reminder, their notification)."""
    return (
        actor is not None and actor.membership is not None and user_id == actor.membership.user_id
    )


def acts_for(actor: Actor | None, user_id: int | None) -> bool:
    """The actor may act on this person's own things: the person themselves, or the system,
    which acts for everyone (an operator deleting a draft, a sweep)."""
    return is_own(actor, user_id) or is_system(actor)


def can_change_authored(actor: Actor | None, author_id: int | None) -> bool:
    """Authors change their own objects; owners and admins change any."""
    if not can_write(actor):
        return False
    return can_manage_members(actor) or is_own(actor, author_id)


def email_verification_overdue(user: User, *, now: datetime | None = None) -> bool:
    """An unverified address past EMAIL_VERIFY_GRACE_DAYS since signing up: the company works,
    but the person may no longer invite people or create API keys (spreading access from an
    address nobody proved is theirs)."""
    if user.email_verified_at is not None:
        return False
    grace = timedelta(days=settings.EMAIL_VERIFY_GRACE_DAYS)
    return user.date_joined + grace <= (now or timezone.now())


def can_spread_access(actor: Actor | None) -> bool:
    """Inviting people and creating API keys, as far as the address goes: not for a person
    whose address is still unverified past the grace (email_verification_overdue)."""
    return (
        actor is None
        or actor.membership is None
        or not email_verification_overdue(actor.membership.user)
    )


def auth_is_recent(auth_time: float | None, *, now: float | None = None) -> bool:
    """The person proved who they are (signed in with a password or their identity provider,
    or re-entered their password) within REAUTH_SECONDS: the sensitive actions (API keys,
    roles, removals, the payment secret, deleting the company) ask this, on pages and API.
    `auth_time` is a Unix time (the session's stamp, the access token's `auth_time`)."""
    if auth_time is None:
        return False
    now = time.time() if now is None else now
    return 0 <= now - auth_time <= settings.REAUTH_SECONDS


def web_session_alive(*, started: float | None, seen: float | None, now: float) -> bool:
    """A web session lives until SESSION_IDLE_SECONDS without a request, and at most
    SESSION_ABSOLUTE_SECONDS after its sign-in. Unknown times count as now (a session
    from before these stamps existed starts its clocks at its next request)."""
    idle = now - (seen if seen is not None else now)
    age = now - (started if started is not None else now)
    return idle <= settings.SESSION_IDLE_SECONDS and age <= settings.SESSION_ABSOLUTE_SECONDS


def can_read_audit(actor: Actor | None) -> bool:
    """Who reads a company's audit log: its owners (operators read every log in the admin)."""
    return is_owner(actor)


def can_delete_company(actor: Actor | None) -> bool:
    """Only owners delete their company."""
    return is_owner(actor)


def can_require_two_factor(actor: Actor | None) -> bool:
    """Only owners decide that everyone in the company signs in with two-factor."""
    return is_owner(actor)


def two_factor_setup_needed(membership: Membership, *, has_device: bool) -> bool:
    """The company requires two-factor and this person has no confirmed device yet: they
    enrol before anything else (web), and the API refuses their sign-in."""
    return bool(membership.tenant.two_factor_required) and not has_device


def is_operator(user: User | AnonymousUser) -> bool:
    """One of Kura's operators (the admin's people), signed in and active."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)
