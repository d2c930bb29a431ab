"""Changing a password (knowing the current one) and resetting it by an emailed link; either
way every other sign-in of the person ends."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts import lockout
from apps.accounts.errors import (
    InvalidCredentialsError,
    LoginThrottledError,
    PasswordIncorrectError,
    ResetLinkInvalidError,
)
from apps.accounts.models import User
from apps.accounts.services.sessions import api_sign_ins_end
from apps.accounts.services.signin import auth_check_password
from apps.accounts.services.verification import email_verified_mark
from apps.audit.services import audit_record, company_here
from apps.core.errors import RefusedInputError
from apps.core.ratelimit import Counter, digest, hit

# Reset requests a window (an hour): per email address (an inbox is not flooded; counted
# whether or not an account has it) and per network.
RESET_WINDOW_SECONDS = 3600
RESET_PER_EMAIL = 3
RESET_PER_ADDRESS = 20
MAX_ID = 2**63


class ResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's generator, salted for Kura: a token is an HMAC of the account's id, password
    hash, last sign-in and email, and a timestamp checked against PASSWORD_RESET_TIMEOUT. A
    new password (the reset itself) makes every earlier link of the account useless."""

    key_salt = "kura.accounts.password_reset"


reset_tokens = ResetTokenGenerator()


def _new_password_check(user: User, password: str, field: str) -> None:
    """The password rules (AUTH_PASSWORD_VALIDATORS), which an API's schema does not say:
    a RefusedInputError (422) naming `field`."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise RefusedInputError({field: exc.messages}) from exc


def _password_set(user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])


def _email_changed_notice(user: User, *, reset: bool) -> None:
    when = timezone.now().strftime("%Y-%m-%d %H:%M")
    if reset:
        first = _(
            "The password of your Kura account (%(email)s) was reset with an emailed link at "
            "%(when)s (UTC)."
        )
    else:
        first = _("The password of your Kura account (%(email)s) was changed at %(when)s (UTC).")
    body = (
        first % {"email": user.email, "when": when}
        + " "
        + _("Every other sign-in to your account has ended.")
        + "\n"
        + _(
            "If it was not you, reset your password at once with “Forgot your password?” on "
            "the sign-in page, and tell your company's owner."
        )
    )
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Your Kura password was changed"),
            message=body,
            from_email=None,
            recipient_list=[user.email],
        )
    )


@transaction.atomic
def password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    ip: str,
    keep_family: str | None = None,
    unlock_url: str | None = None,
) -> User:
    """A signed-in person's new password, proven by the current one (through the one password
    check, so guessing it here is limited like signing in). Every other sign-in ends: the
    API's families but `keep_family` (the calling token's), and the web sessions whose auth
    hash no longer matches (the caller keeps its own with update_session_auth_hash)."""
    try:
        auth_check_password(
            email=user.email, password=current_password, ip=ip, unlock_url=unlock_url
        )
    except InvalidCredentialsError as exc:
        message = _("Your current password is not correct.")
        raise PasswordIncorrectError(message, errors={"current_password": [message]}) from exc
    _new_password_check(user, new_password, "new_password")
    _password_set(user, new_password)
    # Web sessions end by themselves: the password hash changed (Django's session auth hash).
    api_sign_ins_end(user=user, keep_family=keep_family)
    audit_record(
        action="password.changed",
        tenant=company_here(),
        actor=user,
        ip=ip,
        data={"via": "web" if keep_family is None else "api"},
    )
    _email_changed_notice(user, reset=False)
    return user


def _uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def password_reset_request(*, email: str, ip: str, reset_url: Callable[[str, str], str]) -> None:
    """Email a one-time link (`reset_url(uidb64, token)`) that sets a new password.

    The caller answers the same whether or not an account has the email: an unknown email
    costs the same look-up and token work and sends nothing. Past RESET_PER_EMAIL requests
    for one email, or RESET_PER_ADDRESS from one network, in an hour: 429 (counted whether
    or not the account exists, so the refusal says nothing either).
    """
    email = email.strip().lower()
    hits = hit(
        Counter.window(
            f"kura:password-reset:address:{digest(ip)}",
            limit=RESET_PER_ADDRESS,
            seconds=RESET_WINDOW_SECONDS,
        ),
        Counter.window(
            f"kura:password-reset:email:{digest(email)}",
            limit=RESET_PER_EMAIL,
            seconds=RESET_WINDOW_SECONDS,
        ),
    )
    if not hits.allowed:
        minutes = hits.retry_after_minutes
        raise LoginThrottledError(
            ngettext(
                "Too many password reset requests. Try again in %(minutes)d minute.",
                "Too many password reset requests. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=hits.retry_after,
        )
    user = User.objects.filter(email=email, is_active=True).first()
    # An unknown email makes a token too (of an unsaved account): the same work.
    token = reset_tokens.make_token(user or User(email=email, password=""))
    if user is None:
        return
    link = reset_url(_uid(user), token)
    minutes = max(1, settings.PASSWORD_RESET_TIMEOUT // 60)
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Reset your Kura password"),
            message=ngettext(
                "Someone (we hope you) asked to reset the password of your Kura account "
                "(%(email)s). This link sets a new one; it works once, within %(minutes)d "
                "minute: %(link)s\n"
                "If you did not ask for this, ignore this email: your password stays as it is.",
                "Someone (we hope you) asked to reset the password of your Kura account "
                "(%(email)s). This link sets a new one; it works once, within %(minutes)d "
                "minutes: %(link)s\n"
                "If you did not ask for this, ignore this email: your password stays as it is.",
                minutes,
            )
            % {"email": user.email, "minutes": minutes, "link": link},
            from_email=None,
            recipient_list=[user.email],
        )
    )


def password_reset_check(*, uidb64: str, token: str) -> User:
    """The account a reset link is for, while the link still works: not used (the password
    it was made for is still the account's), not expired, and its token made for this
    account."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        raise ResetLinkInvalidError from None
    if not 0 < pk < MAX_ID:  # PostgreSQL would refuse the number itself
        raise ResetLinkInvalidError
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not reset_tokens.check_token(user, token):
        raise ResetLinkInvalidError
    return user


@transaction.atomic
def password_reset_complete(*, uidb64: str, token: str, new_password: str) -> User:
    """Set the new password of a working reset link (which then stops working). Every
    sign-in of the person ends, their sign-in locks are lifted, and the email address is
    verified (the link reached it)."""
    user = password_reset_check(uidb64=uidb64, token=token)
    _new_password_check(user, new_password, "new_password")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not reset_tokens.check_token(user, token):  # another tab's reset won the race
        raise ResetLinkInvalidError
    _password_set(user, new_password)
    email_verified_mark(user=user)
    api_sign_ins_end(user=user)
    audit_record(action="password.reset", tenant=company_here(), actor=user)
    email = user.email
    transaction.on_commit(lambda: lockout.locks_clear(email))
    _email_changed_notice(user, reset=True)
    return user
