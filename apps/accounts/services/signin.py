"""Signing in: checking credentials (with lockout), issuing, rotating and revoking tokens,
and carrying a sign-in from one company's host to another's."""

import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import transaction
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
from apps.accounts.models import Membership, RefreshToken, User
from apps.accounts.services.people import ACCOUNT_UNLOCK
from apps.jobs.services import job_schedule
from apps.tenants.models import Tenant
from apps.tenants.rowsecurity import person_rows


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
        raise InvalidCredentialsError

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


def refresh_tokens_prune() -> int:
    """Delete refresh-token records past their expiry: they can no longer be presented."""
    deleted, _ = RefreshToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


# --- moving between a person's companies --------------------------------------------------

HANDOFF_SALT = "kura.accounts.handoff"
HANDOFF_SECONDS = 60


def handoff_issue(*, user: User, tenant: Tenant) -> str:
    """A one-time, one-minute token that signs `user` in on `tenant`'s host.

    Sessions are per host; this carries a sign-in from one company's host to another's
    (the tenant switcher, and signup on the public site).
    """
    with person_rows(user.pk):  # `tenant` is another company than the host's
        member = Membership.objects.filter(user=user, tenant=tenant).exists()
    if not member:
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
