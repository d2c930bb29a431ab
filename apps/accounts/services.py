"""Writes on accounts: people, sign-in, tokens, memberships, invitations, API keys."""

import hashlib
import secrets
import uuid
import zoneinfo
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_redis import get_redis_connection
from rest_framework_simplejwt.exceptions import TokenError

from apps.accounts import tokens
from apps.accounts.exceptions import (
    AccountLockedError,
    InvalidCredentialsError,
    InvitationInvalidError,
    LoginThrottledError,
    MembershipSuspendedError,
    NotAllowedError,
    TokenRevokedError,
)
from apps.accounts.models import ApiKey, Invitation, Membership, RefreshToken, User
from apps.jobs.services import job_schedule
from apps.notifications.services import notification_create
from apps.tenants.models import Tenant

Role = Membership.Role
ACCOUNT_UNLOCK = "account.unlock"
SUSPENSION_LIFT = "membership.lift_suspension"


def user_create(*, email: str, password: str, full_name: str = "", validate: bool = True) -> User:
    """Create a person's global account. Password rules apply unless `validate` is off
    (demo data, imports)."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("An account with this email address already exists.")})
    if validate:
        validate_password(password, User(email=email, full_name=full_name))
    return User.objects.create_user(email=email, password=password, full_name=full_name)


def user_profile_update(*, user: User, full_name: str, time_zone: str) -> User:
    """A person's own name and time zone (reminder times are read and shown in it)."""
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": [_("Choose a time zone from the list.")]})
    user.full_name = full_name.strip()
    user.time_zone = time_zone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "time_zone"])
    return user


# --- signing in -------------------------------------------------------------------------


def _failure_key(kind: str, value: str) -> str:
    return f"kura:login-failures:{kind}:{value}"


def _count_failure(kind: str, value: str) -> int:
    redis = get_redis_connection("default")
    key = _failure_key(kind, value)
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, settings.LOGIN_FAILURE_WINDOW_SECONDS, nx=True)
    count, _ok = pipe.execute()
    return int(count)


def _locked_message(until: datetime) -> str:
    local = timezone.localtime(until)
    return _(
        "Too many failed sign-ins: this account is locked until %(time)s. It opens again by itself."
    ) % {"time": date_format(local, "DATETIME_FORMAT")}


def auth_check_credentials(*, email: str, password: str, tenant: Tenant, ip: str) -> Membership:
    """Check a sign-in to `tenant`, counting failures per email and per address.

    After LOGIN_FAILURE_LIMIT failures for an email the account is locked until
    `locked_until`, which lifts by itself. Unknown emails, wrong passwords and people who
    are not members get the same answer.
    """
    email = email.strip().lower()
    redis = get_redis_connection("default")
    ip_failures = int(redis.get(_failure_key("ip", ip)) or 0)
    if ip_failures >= settings.LOGIN_IP_FAILURE_LIMIT:
        retry = max(int(redis.ttl(_failure_key("ip", ip))), 1)
        raise LoginThrottledError(
            _("Too many failed sign-ins from your network. Try again later."), retry_after=retry
        )

    user = User.objects.filter(email=email).first()
    if user is not None and user.is_locked():
        raise AccountLockedError(_locked_message(user.locked_until))  # type: ignore[arg-type]

    if user is None:
        make_password(password)  # the same work as a real check: no timing oracle
    membership = (
        Membership.objects.select_related("user", "tenant").filter(user=user, tenant=tenant).first()
        if user is not None and user.is_active and user.check_password(password)
        else None
    )
    if membership is None:
        _count_failure("ip", ip)
        if _count_failure("email", email) >= settings.LOGIN_FAILURE_LIMIT and user is not None:
            user.locked_until = timezone.now() + timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
            user.save(update_fields=["locked_until"])
            redis.delete(_failure_key("email", email))
            job_schedule(
                tenant=None,
                kind=ACCOUNT_UNLOCK,
                payload={"user_id": user.pk},
                run_at=user.locked_until,
                idempotency_key=f"unlock:{user.pk}:{user.locked_until.isoformat()}",
            )
            raise AccountLockedError(_locked_message(user.locked_until))
        raise InvalidCredentialsError(str(InvalidCredentialsError.default_message))

    redis.delete(_failure_key("email", email))
    if membership.is_suspended():
        raise MembershipSuspendedError(_("Your access to this company is suspended for now."))
    return membership


@transaction.atomic
def auth_token_issue(
    *, membership: Membership, family: uuid.UUID | None = None
) -> tokens.TokenPair:
    """A new access/refresh pair; a sign-in starts a new refresh family."""
    family = family or uuid.uuid4()
    pair, issued = tokens.token_pair_build(membership=membership, family=family)
    RefreshToken.objects.create(
        jti=issued.jti, family=family, membership=membership, expires_at=issued.expires_at
    )
    return pair


def _family_revoke(family: str) -> None:
    RefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def auth_token_refresh(*, raw_refresh: str, tenant: Tenant) -> tokens.TokenPair:
    """Rotate: retire the presented refresh token and issue a new pair in its family.

    Presenting a retired token again means it was copied: the whole family is revoked,
    so neither the thief nor the owner can go on with it.
    """
    try:
        token = tokens.read_refresh(raw_refresh)
    except TokenError as exc:
        raise TokenRevokedError(_("The refresh token is not valid or has expired.")) from exc
    if token.get("tenant") != tenant.schema_name:
        raise NotAllowedError(_("This token belongs to another company."))

    with transaction.atomic():
        retired = RefreshToken.objects.filter(
            jti=token["jti"], retired_at__isnull=True, revoked_at__isnull=True
        ).update(retired_at=timezone.now())
        if retired != 1:
            _family_revoke(token["fam"])
    if retired != 1:
        # Outside the atomic block: the revocation must stick even though we refuse.
        raise TokenRevokedError(_("This refresh token was already used; please sign in again."))

    membership = Membership.objects.select_related("user", "tenant").filter(pk=token["mid"]).first()
    if (
        membership is None
        or membership.token_version != token["ver"]
        or not membership.user.is_active
        or membership.is_suspended()
    ):
        _family_revoke(token["fam"])
        raise TokenRevokedError(_("Your access has changed; please sign in again."))
    return auth_token_issue(membership=membership, family=uuid.UUID(token["fam"]))


def auth_logout(*, access: Mapping[str, Any]) -> None:
    """Refuse this access token from now on, and every refresh token of its sign-in."""
    tokens.access_deny(access)
    _family_revoke(access["fam"])


# --- memberships ------------------------------------------------------------------------


def _require_manager(actor: Membership, target_role: str | None = None) -> None:
    if not actor.can_manage_members:
        raise NotAllowedError(_("Only owners and admins can manage members."))
    if target_role == Role.OWNER and actor.role != Role.OWNER:
        raise NotAllowedError(_("Only owners can appoint or change owners."))


def _other_owners(membership: Membership) -> bool:
    return (
        Membership.objects.filter(tenant_id=membership.tenant_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


def _access_changed(membership: Membership) -> None:
    """Every token issued for this membership is refused from the next request on."""
    Membership.objects.filter(pk=membership.pk).update(token_version=F("token_version") + 1)
    RefreshToken.objects.filter(membership=membership, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, actor: Membership) -> Membership:
    _require_manager(actor, role)
    _require_manager(actor, membership.role)
    if membership.role == Role.OWNER and role != Role.OWNER and not _other_owners(membership):
        raise ValidationError({"role": _("A company needs at least one owner.")})
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Membership) -> None:
    _require_manager(actor, membership.role)
    if membership.role == Role.OWNER and not _other_owners(membership):
        raise ValidationError(_("A company needs at least one owner."))
    membership.delete()  # its refresh tokens go with it


@transaction.atomic
def membership_suspend(*, membership: Membership, until: datetime, actor: Membership) -> Membership:
    """Suspend a member until `until`: their tokens stop working at once."""
    _require_manager(actor, membership.role)
    if membership.pk == actor.pk:
        raise ValidationError(_("You cannot suspend yourself."))
    if until <= timezone.now():
        raise ValidationError({"until": _("Choose a time in the future.")})
    membership.suspended_until = until
    membership.save(update_fields=["suspended_until"])
    _access_changed(membership)
    membership.refresh_from_db(fields=["token_version"])
    job_schedule(
        tenant=membership.tenant,
        kind=SUSPENSION_LIFT,
        payload={"membership_id": membership.pk, "until": until.isoformat()},
        run_at=until,
        idempotency_key=f"suspension:{membership.pk}:{until.isoformat()}",
    )
    return membership


def membership_suspension_lift(*, membership_id: int, until: datetime) -> None:
    """The job at the end of a suspension: clear it (unless it was extended since) and
    tell the person. Access already returned at `until`; this tidies and notifies."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "tenant")
        .filter(pk=membership_id, suspended_until=until)
        .first()
    )
    if membership is None:
        return
    membership.suspended_until = None
    membership.save(update_fields=["suspended_until"])
    notification_create(
        user=membership.user,
        kind="access",
        title=_("Your access to %(company)s is back.") % {"company": membership.tenant.name},
        link="/",
    )


def account_unlock(*, user_id: int) -> None:
    """The job at the end of a sign-in lock: clear it and tell the person by email."""
    user = User.objects.select_for_update().filter(pk=user_id, locked_until__isnull=False).first()
    if user is None or user.is_locked():
        return
    user.locked_until = None
    user.save(update_fields=["locked_until"])
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Your Kura account is unlocked"),
            message=_(
                "You can sign in again. If the failed sign-ins were not yours, "
                "change your password."
            ),
            from_email=None,
            recipient_list=[user.email],
        )
    )


# --- invitations ------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *, tenant: Tenant, email: str, role: str, actor: Membership, accept_url: str
) -> Invitation:
    """Invite `email` to the tenant; the link (`accept_url` + token) is emailed, never stored."""
    _require_manager(actor, role)
    email = email.strip().lower()
    if Membership.objects.filter(tenant=tenant, user__email=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(
        tenant=tenant,
        email=email,
        role=role,
        token_hash=_hash(raw),
        invited_by=actor.user,
        expires_at=timezone.now() + settings.INVITATION_LIFETIME,
    )
    invitation.full_clean()
    invitation.save()
    link = f"{accept_url}{raw}"
    transaction.on_commit(
        lambda: send_mail(
            subject=_("You are invited to %(company)s on Kura") % {"company": tenant.name},
            message=_("%(who)s invited you to %(company)s. Accept within 7 days: %(link)s")
            % {"who": actor.user.email, "company": tenant.name, "link": link},
            from_email=None,
            recipient_list=[email],
        )
    )
    return invitation


def invitation_find(*, raw_token: str, tenant: Tenant) -> Invitation:
    invitation = (
        Invitation.objects.filter(token_hash=_hash(raw_token), tenant=tenant)
        .select_related("tenant")
        .first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalidError(_("This invitation does not exist or was already used."))
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalidError(_("This invitation has expired; ask for a new one."))
    return invitation


@transaction.atomic
def invitation_accept(
    *, raw_token: str, tenant: Tenant, password: str, full_name: str = ""
) -> Membership:
    """Accept an invitation: an existing account proves itself with its password; a new
    one is created with it."""
    invitation = invitation_find(raw_token=raw_token, tenant=tenant)
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = user_create(email=invitation.email, password=password, full_name=full_name)
    elif not user.check_password(password):
        raise InvalidCredentialsError(str(InvalidCredentialsError.default_message))
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
    if updated != 1:
        raise InvitationInvalidError(_("This invitation was already used."))
    membership, _created = Membership.objects.get_or_create(
        user=user, tenant=tenant, defaults={"role": invitation.role}
    )
    return membership


# --- API keys ---------------------------------------------------------------------------


@transaction.atomic
def api_key_create(
    *, tenant: Tenant, name: str, scope: str, actor: Membership
) -> tuple[ApiKey, str]:
    """A new key; the returned secret is shown once and only its hash is kept."""
    _require_manager(actor)
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    key = ApiKey(
        tenant=tenant,
        name=name.strip(),
        prefix=prefix,
        key_hash=_hash(secret),
        scope=scope,
        created_by=actor.user,
    )
    key.full_clean()
    key.save()
    return key, f"{prefix}.{secret}"


def api_key_revoke(*, api_key: ApiKey, actor: Membership) -> ApiKey:
    _require_manager(actor)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record use, at most once a minute per key (not a write per request)."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)


# --- moving between a person's companies --------------------------------------------------

HANDOFF_SALT = "kura.accounts.handoff"
HANDOFF_SECONDS = 60


def handoff_issue(*, user: User, tenant: Tenant) -> str:
    """A one-time, one-minute token that signs `user` in on `tenant`'s host.

    Sessions are per host; this carries a sign-in from one company's host to another's
    (the tenant switcher, and signup on the public site).
    """
    if not Membership.objects.filter(user=user, tenant=tenant).exists():
        raise NotAllowedError(_("You are not a member of this company."))
    return signing.dumps(
        {"u": user.pk, "t": tenant.pk, "n": secrets.token_urlsafe(12)}, salt=HANDOFF_SALT
    )


def handoff_redeem(*, token: str, tenant: Tenant) -> Membership:
    try:
        data = signing.loads(token, salt=HANDOFF_SALT, max_age=HANDOFF_SECONDS)
    except signing.BadSignature as exc:
        raise InvitationInvalidError(_("This sign-in link is not valid or has expired.")) from exc
    first_use = get_redis_connection("default").set(
        f"kura:handoff:{data['n']}", 1, nx=True, ex=HANDOFF_SECONDS * 2
    )
    membership = (
        Membership.objects.select_related("user", "tenant")
        .filter(user_id=data["u"], tenant=tenant)
        .first()
    )
    if not first_use or data["t"] != tenant.pk or membership is None or membership.is_suspended():
        raise InvitationInvalidError(_("This sign-in link is not valid or has expired."))
    return membership


def refresh_tokens_prune() -> int:
    """Delete refresh-token records past their expiry: they can no longer be presented."""
    deleted, _ = RefreshToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
