"""Verifying the email address of an account made at signup: an emailed, signed link. The
company works at once; past the grace period, an unverified person may no longer invite
people or create API keys (apps/accounts/policies.py: can_spread_access)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.errors import (
    EmailUnverifiedError,
    InvitationInvalidError,
    LoginThrottledError,
)
from apps.accounts.links import link_redeem, link_token
from apps.accounts.models import User
from apps.accounts.policies import can_spread_access
from apps.accounts.principal import Actor
from apps.audit.services import audit_record, company_here
from apps.core.ratelimit import Counter, hit

VERIFY_SALT = "kura.accounts.verify-email"
VERIFY_SECONDS = 7 * 24 * 3600
# Verification emails a person may ask for again, an hour.
RESEND_PER_HOUR = 3


def email_verification_send(*, user: User, verify_url: str) -> None:
    """Email `user` a link (`verify_url?token=…`, valid for a week, once) that verifies their
    address; the link names the address, so it does not verify a later one."""
    token = link_token({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)
    link = f"{verify_url}?token={token}"
    email = user.email
    days = VERIFY_SECONDS // 86400
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Verify your email address for Kura"),
            message=ngettext(
                "Welcome to Kura. Please confirm that %(email)s is your address by opening this "
                "link within %(days)d day: %(link)s",
                "Welcome to Kura. Please confirm that %(email)s is your address by opening this "
                "link within %(days)d days: %(link)s",
                days,
            )
            % {"email": email, "days": days, "link": link}
            + "\n"
            + _("If you did not sign up for Kura, you can ignore this email."),
            from_email=None,
            recipient_list=[email],
        )
    )


def email_verification_resend(*, user: User, verify_url: str) -> bool:
    """The banner's "send again": a new link, RESEND_PER_HOUR times an hour at most (429).
    False when the address is verified already (nothing is sent)."""
    if user.email_verified_at is not None:
        return False
    hits = hit(
        Counter.window(f"kura:verify-email:resend:{user.pk}", limit=RESEND_PER_HOUR, seconds=3600)
    )
    if not hits.allowed:
        minutes = hits.retry_after_minutes
        raise LoginThrottledError(
            ngettext(
                "We sent the link several times already. Try again in %(minutes)d minute.",
                "We sent the link several times already. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=hits.retry_after,
        )
    email_verification_send(user=user, verify_url=verify_url)
    return True


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Redeem an emailed verification link: the account's address is verified (once; a link
    for an address the account no longer has does nothing)."""
    data = link_redeem(token, salt=VERIFY_SALT, max_age=VERIFY_SECONDS)
    user = (
        User.objects.select_for_update().filter(pk=data["u"], email=data["e"]).first()
        if data is not None
        else None
    )
    if user is None:
        raise InvitationInvalidError(
            _("This verification link is not valid, has expired or was already used.")
        )
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(action="email.verified", tenant=company_here(), actor=user)
    return user


def email_verified_mark(*, user: User) -> None:
    """The address proved otherwise (an emailed invitation or reset link reached it)."""
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])


def require_verified_person(actor: Actor) -> None:
    """Refuse (403 `email_unverified`) what a person whose address is still unverified may
    no longer do (invite people, create API keys); the system and API keys have no address
    of their own."""
    if not can_spread_access(actor):
        raise EmailUnverifiedError(
            ngettext(
                "Verify your email address first: it is still unverified %(days)d day after "
                "signing up. Use the link we emailed you, or “Send the link again” at the top "
                "of the page.",
                "Verify your email address first: it is still unverified %(days)d days after "
                "signing up. Use the link we emailed you, or “Send the link again” at the top "
                "of the page.",
                settings.EMAIL_VERIFY_GRACE_DAYS,
            )
            % {"days": settings.EMAIL_VERIFY_GRACE_DAYS}
        )
