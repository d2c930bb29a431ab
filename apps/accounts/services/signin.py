"""Signing in: checking credentials (with lockout), issuing, rotating and revoking tokens,
and carrying a sign-in from one company's host to another's."""

import time
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework_simplejwt.exceptions import TokenError

from apps.accounts import lockout, revocations, tokens
from apps.accounts.exceptions import (
    InvalidCredentialsError,
    InvitationInvalidError,
    LoginThrottledError,
    MembershipSuspendedError,
    NotAllowedError,
    SignInLockedError,
    TokenRevokedError,
)
from apps.accounts.links import link_redeem, link_token
from apps.accounts.models import Membership, RefreshToken, User
from apps.accounts.policies import membership_active
from apps.audit.services import audit_record, company_here
from apps.core.errors import ServiceError
from apps.tenants.models import Tenant
from apps.tenants.rowsecurity import person_rows

UNLOCK_SALT = "kura.accounts.unlock"
USER_AGENT_LENGTH = 300
UNLOCK_SECONDS = 3600


def _locked_error(seconds: int) -> SignInLockedError:
    minutes = max(1, -(-seconds // 60))
    return SignInLockedError(
        ngettext(
            "Too many failed sign-ins for this email address from your network. Try again in "
            "%(minutes)d minute, or use the link we emailed to the account's owner.",
            "Too many failed sign-ins for this email address from your network. Try again in "
            "%(minutes)d minutes, or use the link we emailed to the account's owner.",
            minutes,
        )
        % {"minutes": minutes},
        retry_after=seconds,
    )


def _email_unlock_link(user: User, unlock_url: str, seconds: int) -> None:
    link = f"{unlock_url}?token={link_token({'e': user.email}, salt=UNLOCK_SALT)}"
    # The reset page of the same host as the unlock page (…/unlock -> …/password/reset).
    reset = unlock_url.rsplit("/", 1)[0] + "/password/reset"
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Sign-ins to your Kura account were paused"),
            message=_(
                "Someone failed to sign in to your account several times. Sign-ins from that "
                "network are paused for %(minutes)d minutes; your own devices still work. "
                "If it was you, this link lifts the pause at once (valid for an hour): %(link)s\n"
                "If it was not you, your account is safe. To choose a new password, use "
                "“Forgot your password?” on the sign-in page: %(reset)s"
            )
            % {"minutes": max(1, seconds // 60), "link": link, "reset": reset},
            from_email=None,
            recipient_list=[user.email],
        )
    )


def auth_check_password(
    *, email: str, password: str, ip: str, unlock_url: str | None = None
) -> User:
    """The one place a password is checked, with the limits of apps/accounts/lockout.py.

    The attempt is counted before the slow hash. Unknown emails, wrong passwords and
    deactivated accounts get one answer; locks are per (email, address), the same whether
    or not the email has an account, and the account's owner is emailed a link that lifts
    them (`unlock_url`, the page that redeems it).
    """
    email = email.strip().lower()
    keys = lockout.Keys(email=email, ip=ip)
    attempt = lockout.attempt_count(keys)
    if attempt.locked_for:
        raise _locked_error(attempt.locked_for)
    if attempt.address_failures > settings.LOGIN_IP_FAILURE_LIMIT and not attempt.known_pair:
        raise LoginThrottledError(
            _("Too many failed sign-ins from your network. Try again later."),
            retry_after=lockout.address_retry_after(keys),
        )
    if attempt.attempts > settings.LOGIN_FAILURE_LIMIT:
        # Over the limit (an attempt racing the one that sets the lock): no check at all.
        raise _locked_error(lockout.wait_seconds(keys))
    user = User.objects.filter(email=email).first()
    if user is None:
        make_password(password)  # the same work as a real check: no timing oracle
    elif user.check_password(password) and user.is_active:
        lockout.success(keys)
        return user
    if attempt.attempts == settings.LOGIN_FAILURE_LIMIT:
        seconds, first = lockout.pair_lock(keys)
        if first and user is not None and user.is_active and unlock_url:
            _email_unlock_link(user, unlock_url, seconds)
        raise _locked_error(seconds)
    raise InvalidCredentialsError


def auth_unlock_redeem(*, token: str) -> str:
    """The emailed link: lift every sign-in lock of the account, once; its email."""
    data = link_redeem(token, salt=UNLOCK_SALT, max_age=UNLOCK_SECONDS)
    if data is None:
        raise InvitationInvalidError(_("This link is not valid, has expired or was already used."))
    lockout.locks_clear(data["e"])
    audit_record(action="auth.unlocked", tenant=company_here(), target=str(data["e"]))
    return str(data["e"])


def auth_locks_clear(*, email: str) -> None:
    """Operators: lift every sign-in lock of `email`, as its emailed link would."""
    lockout.locks_clear(email.strip().lower())


def auth_check_credentials(
    *, email: str, password: str, tenant: Tenant, ip: str, unlock_url: str | None = None
) -> Membership:
    """Check a sign-in to `tenant`: the password (auth_check_password), then a membership
    that opens the company. People who are not members get the wrong-password answer.
    A refusal is recorded in the company's audit log (a lock as its own entry)."""
    try:
        user = auth_check_password(email=email, password=password, ip=ip, unlock_url=unlock_url)
        membership = (
            Membership.objects.select_related("user").filter(user=user, tenant=tenant).first()
        )
        if membership is None:
            raise InvalidCredentialsError
        membership.tenant = tenant
        if not membership_active(membership):
            raise MembershipSuspendedError(_("Your access to this company is suspended for now."))
    except ServiceError as exc:
        audit_record(
            action="auth.locked" if isinstance(exc, SignInLockedError) else "auth.sign_in_failed",
            tenant=tenant,
            ip=ip,
            data={"email": email.strip().lower(), "reason": exc.code},
        )
        raise
    return membership


@transaction.atomic
def auth_token_issue(
    *,
    membership: Membership,
    family: uuid.UUID | None = None,
    auth_time: int | None = None,
    ip: str = "",
    user_agent: str = "",
) -> tokens.TokenPair:
    """A new access/refresh pair; a sign-in starts a new refresh family (and its
    `auth_time` is now). Where from and with what it was asked for is kept for the
    person's list of sign-ins."""
    now = timezone.now()
    if family is None:
        family = uuid.uuid4()
        audit_record(
            action="auth.signed_in",
            tenant=membership.tenant,
            actor=membership.user,
            data={"via": "api", "sign_in": str(family)},
        )
    pair, issued = tokens.token_pair_build(
        membership=membership,
        family=family,
        auth_time=int(now.timestamp()) if auth_time is None else auth_time,
    )
    RefreshToken.objects.create(
        jti=issued.jti,
        family=family,
        membership=membership,
        expires_at=issued.expires_at,
        ip=ip or None,
        user_agent=user_agent[:USER_AGENT_LENGTH],
        last_used_at=now,
    )
    return pair


def family_revoke(*, family: str, schema_name: str) -> None:
    """End a sign-in: its refresh tokens are refused, and so, at once, are its access tokens.
    Recorded on its refresh-token rows in PostgreSQL, which outlive a loss of Redis
    (apps/accounts/revocations.py)."""
    RefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    revocations.family_deny(schema_name=schema_name, family=family)


REFRESH_WAIT_SECONDS = 3.0


def _answer_of_retry(jti: str) -> tokens.TokenPair | None:
    """A refresh token presented again right after it was traded: the same answer, if the
    first trade is recent (waiting a moment for a trade still in flight)."""
    deadline = time.monotonic() + REFRESH_WAIT_SECONDS
    recent = timezone.now() - timedelta(seconds=settings.REFRESH_RETRY_SECONDS)
    while True:
        row = RefreshToken.objects.filter(jti=jti).values_list("retired_at", "revoked_at").first()
        if row is None or row[1] is not None or row[0] is None or row[0] < recent:
            return None
        pair = tokens.refresh_answer_recall(jti=jti)
        if pair is not None or time.monotonic() > deadline:
            return pair
        time.sleep(0.05)


def auth_token_refresh(
    *, raw_refresh: str, tenant: Tenant, ip: str = "", user_agent: str = ""
) -> tokens.TokenPair:
    """Rotate: retire the presented refresh token and issue a new pair in its family.

    The same token presented again within REFRESH_RETRY_SECONDS (a lost answer, two tabs
    refreshing at once) gets the same new pair. Later, it means the token was copied: the
    whole sign-in is revoked, so neither the thief nor the owner can go on with it.
    """
    try:
        token = tokens.read_refresh(raw_refresh)
    except TokenError as exc:
        raise TokenRevokedError(_("The refresh token is not valid or has expired.")) from exc
    if token.get("tenant") != tenant.schema_name:
        raise NotAllowedError(_("This token belongs to another company."))

    # A token of a revoked sign-in is refused even if its own row escaped the revocation
    # (stored by a refresh that was in flight meanwhile): PostgreSQL decides, never Redis.
    retired = (
        RefreshToken.objects.filter(
            jti=token["jti"], retired_at__isnull=True, revoked_at__isnull=True
        )
        .exclude(
            Exists(RefreshToken.objects.filter(family=OuterRef("family"), revoked_at__isnull=False))
        )
        .update(retired_at=timezone.now())
    )
    if retired != 1:
        again = _answer_of_retry(token["jti"])
        if again is not None:
            return again
        family_revoke(family=token["fam"], schema_name=tenant.schema_name)
        audit_record(
            action="auth.refresh_reused",
            tenant=tenant,
            actor=User.objects.filter(pk=token["sub"]).first(),
            data={"sign_in": token["fam"]},
        )
        raise TokenRevokedError(_("This refresh token was already used; please sign in again."))

    membership = Membership.objects.select_related("user").filter(pk=token["mid"]).first()
    if membership is not None:
        membership.tenant = tenant
    if (
        membership is None
        or membership.tenant_id != tenant.pk
        or membership.token_version != token["ver"]
        or not membership_active(membership)
    ):
        family_revoke(family=token["fam"], schema_name=tenant.schema_name)
        raise TokenRevokedError(_("Your access has changed; please sign in again."))
    pair = auth_token_issue(
        membership=membership,
        family=uuid.UUID(token["fam"]),
        # Tokens from before `auth_time` existed: long ago, as far as re-authentication goes.
        auth_time=int(token.get("auth_time", 0)),
        ip=ip,
        user_agent=user_agent,
    )
    tokens.refresh_answer_remember(jti=token["jti"], pair=pair)
    return pair


def auth_logout(*, access: Mapping[str, Any]) -> None:
    """End this sign-in: this access token, every other access token and every refresh
    token of the same family stop working at once."""
    family_revoke(family=access["fam"], schema_name=access["tenant"])
    audit_record(
        action="auth.signed_out",
        tenant=company_here(),
        actor=User.objects.filter(pk=access["sub"]).first(),
        data={"via": "api", "sign_in": access["fam"]},
    )


def refresh_tokens_prune() -> int:
    """Delete refresh-token records past their expiry: they can no longer be presented."""
    deleted, _ = RefreshToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


# --- moving between a person's companies --------------------------------------------------

HANDOFF_SALT = "kura.accounts.handoff"
HANDOFF_SECONDS = 60


def handoff_issue(*, user: User, tenant: Tenant, otp_device: str = "") -> str:
    """A one-time, one-minute token that signs `user` in on `tenant`'s host.

    Sessions are per host; this carries a sign-in from one company's host to another's
    (the tenant switcher, and signup on the public site). `otp_device` names the device
    that verified the sign-in being carried (django-otp's persistent id), if any: without
    it, a person who uses two-factor passes the second step on the new host.
    """
    with person_rows(user.pk):  # `tenant` is another company than the host's
        membership = (
            Membership.objects.select_related("user", "tenant")
            .filter(user=user, tenant=tenant)
            .first()
        )
    if not membership_active(membership):
        raise NotAllowedError(_("You are not a member of this company."))
    return link_token({"u": user.pk, "t": tenant.pk, "d": otp_device}, salt=HANDOFF_SALT)


def handoff_redeem(*, token: str, tenant: Tenant) -> tuple[Membership, str]:
    """The membership a handoff token signs in, and the device that verified it ("")."""
    data = link_redeem(token, salt=HANDOFF_SALT, max_age=HANDOFF_SECONDS)
    if data is None or data["t"] != tenant.pk:
        raise InvitationInvalidError(_("This sign-in link is not valid or has expired."))
    membership = (
        Membership.objects.select_related("user").filter(user_id=data["u"], tenant=tenant).first()
    )
    if membership is not None:
        membership.tenant = tenant
    if not membership_active(membership):
        raise InvitationInvalidError(_("This sign-in link is not valid or has expired."))
    assert membership is not None  # noqa: S101 - membership_active(None) is False
    return membership, str(data.get("d", ""))
