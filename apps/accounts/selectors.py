"""Reads on accounts. What a company's managers read of it (members, invitations, API
keys) takes the actor and asks its policy; what authentication and a person's own account
read (a token's membership, their sessions and devices) takes what it reads by."""

from collections.abc import Collection

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from qsessions.models import Session as QSession

from apps.accounts import access_cache
from apps.accounts.models import ApiKey, Invitation, Membership, RefreshToken, User
from apps.accounts.policies import can_manage_member, can_manage_members, web_session_alive
from apps.accounts.principal import Actor
from apps.accounts.sessions import (
    SEEN,
    SIGNED_IN,
    TENANT,
    SignIn,
    device_label,
    family_public_id,
    from_unix,
    now_unix,
    session_public_id,
    unix_time,
)
from apps.core.errors import NotAllowedError, NotFoundError
from apps.tenants.models import Tenant
from apps.tenants.rowsecurity import person_rows
from apps.tenants.selectors import tenants_by_id


def _membership_in(tenant: Tenant, **lookup: object) -> Membership | None:
    """A membership of `tenant` with its person. The tenant is the host's, which the caller
    already holds, so it is attached rather than joined again (this runs on every request)."""
    membership = Membership.objects.select_related("user").filter(tenant=tenant, **lookup).first()
    if membership is not None:
        membership.tenant = tenant
    return membership


def membership_for_token(*, membership_id: int, tenant: Tenant) -> Membership | None:
    """The membership a token names, if it belongs to `tenant`."""
    return _membership_in(tenant, pk=membership_id)


def membership_of(*, user: User, tenant: Tenant) -> Membership | None:
    """A signed-in person's membership in `tenant` (the web session's)."""
    return _membership_in(tenant, user=user)


MANAGERS_ONLY = gettext_noop("Only owners and admins can manage members.")


def _manager_of(actor: Actor) -> Tenant:
    """The company whose people `actor` manages; NotAllowedError for anyone else."""
    if not can_manage_members(actor):
        raise NotAllowedError(_(MANAGERS_ONLY))
    return actor.tenant


def membership_list(*, actor: Actor) -> QuerySet[Membership]:
    """The actor's company's members, by address (its managers read it)."""
    tenant = _manager_of(actor)
    return Membership.objects.filter(tenant=tenant).select_related("user").order_by("user__email")


def membership_get(*, actor: Actor, membership_id: int) -> Membership:
    """A membership of the actor's company only: NotFoundError for another company's id."""
    membership = membership_list(actor=actor).filter(pk=membership_id).first()
    if membership is None:
        raise NotFoundError
    return membership


def membership_for_manage(*, actor: Actor, membership_id: int) -> Membership:
    """A member the actor is about to remove or suspend: NotFoundError for another
    company's id, NotAllowedError for an owner when the actor is an admin, and for the actor
    themselves (policies.can_manage_member)."""
    membership = membership_get(actor=actor, membership_id=membership_id)
    if not can_manage_member(actor, membership):
        raise NotAllowedError(_("You cannot manage this member."))
    return membership


def memberships_of_user(*, user: User) -> list[Membership]:
    """Every open company this person belongs to, by name, for the tenant switcher (from
    apps/accounts/access_cache.py: no query once known)."""
    return access_cache.companies(user)


def invitation_pending_list(*, actor: Actor) -> QuerySet[Invitation]:
    """Invitations of the actor's company nobody has accepted yet (expired ones too: they
    can be sent again), newest first, with who sent them."""
    return (
        Invitation.objects.filter(tenant=_manager_of(actor), accepted_at__isnull=True)
        .select_related("invited_by", "tenant")
        .order_by("-created_at", "-id")
    )


def invitation_get(*, actor: Actor, invitation_id: int) -> Invitation:
    """NotFoundError for an id of no pending invitation of the actor's company."""
    invitation = invitation_pending_list(actor=actor).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFoundError
    return invitation


def api_key_by_prefix(*, prefix: str) -> ApiKey | None:
    return ApiKey.objects.select_related("tenant").filter(prefix=prefix).first()


def api_key_list(*, actor: Actor) -> QuerySet[ApiKey]:
    """The actor's company's API keys (its managers read them)."""
    return ApiKey.objects.filter(tenant=_manager_of(actor)).select_related("created_by")


def api_key_get(*, actor: Actor, key_id: int) -> ApiKey:
    """NotFoundError for an id of no key of the actor's company."""
    key = api_key_list(actor=actor).filter(pk=key_id).first()
    if key is None:
        raise NotFoundError
    return key


def user_exists(*, email: str) -> bool:
    return User.objects.filter(email=email.strip().lower()).exists()


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=email.strip().lower()).first()


def owner_of(*, tenant: Tenant) -> User:
    return (
        Membership.objects.select_related("user")
        .filter(tenant=tenant, role="owner")
        .earliest("created_at")
        .user
    )


def members_by_handle(*, tenant: Tenant, handles: Collection[str]) -> dict[str, User]:
    """The active people of `tenant` that `@handles` name: a whole email address, or the
    part before its `@` when only one person of the company has it. Unknown and ambiguous
    handles are left out."""
    wanted = {h.lower() for h in handles}
    if not wanted:
        return {}
    match = Q()
    for handle in wanted:
        match |= (
            Q(user__email__iexact=handle)
            if "@" in handle
            else Q(user__email__istartswith=f"{handle}@")
        )
    people = [
        m.user
        for m in Membership.objects.filter(match, tenant=tenant, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ]
    found: dict[str, User] = {}
    by_local: dict[str, list[User]] = {}
    for user in people:
        email = user.email.lower()
        if email in wanted:
            found[email] = user
        by_local.setdefault(email.partition("@")[0], []).append(user)
    for handle in wanted - found.keys():
        if len(by_local.get(handle, [])) == 1:
            found[handle] = by_local[handle][0]
    return found


def _web_sessions_of(user: User, now: float) -> list[tuple[QSession, dict[str, object]]]:
    """The person's web sessions still alive (policies.web_session_alive), with their data."""
    alive = []
    for row in QSession.objects.filter(user=user, expire_date__gt=from_unix(now)):
        data = row.get_decoded()
        started, seen = unix_time(data.get(SIGNED_IN)), unix_time(data.get(SEEN))
        if web_session_alive(started=started, seen=seen, now=now):
            alive.append((row, data))
    return alive


def api_sign_ins_of(user: User) -> list[RefreshToken]:
    """The latest live refresh token of each of the person's API sign-ins, in every company
    (row-level security lets a person read their own, apps/accounts 0006)."""
    with person_rows(user.pk):
        live = list(
            RefreshToken.objects.filter(
                membership__user=user,
                retired_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .select_related("membership__tenant")
            .order_by("family", "-created_at")
        )
    latest: dict[str, RefreshToken] = {}
    for token in live:
        latest.setdefault(str(token.family), token)
    return list(latest.values())


def sign_ins_of_user(
    *, user: User, current_session_key: str | None = None, current_family: str | None = None
) -> list[SignIn]:
    """Where the person is signed in: their web sessions on every company's host and their
    API sign-ins, most recently seen first."""
    now = now_unix()
    web = _web_sessions_of(user, now)
    companies = tenants_by_id(
        tenant_ids={pk for _row, data in web if isinstance(pk := data.get(TENANT), int)}
    )
    names = {pk: tenant.name for pk, tenant in companies.items()}
    found = [
        SignIn(
            id=session_public_id(row.session_key),
            kind="web",
            device=device_label(row.user_agent or ""),
            ip=row.ip or "",
            last_seen=from_unix(unix_time(data.get(SEEN)) or row.updated_at.timestamp()),
            company=names.get(data.get(TENANT), ""),  # type: ignore[call-overload]
            current=row.session_key == current_session_key,
        )
        for row, data in web
    ]
    found += [
        SignIn(
            id=family_public_id(str(token.family)),
            kind="api",
            device=device_label(token.user_agent),
            ip=token.ip or "",
            last_seen=token.last_used_at or token.created_at,
            company=token.membership.tenant.name,
            current=str(token.family) == current_family,
        )
        for token in api_sign_ins_of(user)
    ]
    return sorted(found, key=lambda sign_in: (not sign_in.current, -sign_in.last_seen.timestamp()))


def two_factor_device(*, user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if two-factor is on."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def two_factor_enabled(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
