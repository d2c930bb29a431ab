"""Refusals of the identity services, each with the status the API answers."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import NotFoundError, ServiceError


class InvalidCredentialsError(ServiceError):
    status_code = 401
    code = "invalid_credentials"
    # One message whether or not the email has an account.
    default_message = _("The email address or password is not correct.")


class SignInLockedError(ServiceError):
    """Sign-ins for one email from one address are paused; the same answer whether or not
    the email has an account."""

    status_code = 429
    code = "sign_in_locked"


class LoginThrottledError(ServiceError):
    status_code = 429
    code = "login_throttled"


class MembershipSuspendedError(ServiceError):
    status_code = 403
    code = "membership_suspended"


class TokenRevokedError(ServiceError):
    status_code = 401
    code = "token_revoked"


class InvitationInvalidError(ServiceError):
    status_code = 400
    code = "invitation_invalid"


class PasswordIncorrectError(ServiceError):
    """The current password, asked again before changing it, is wrong: input of the right form
    refused for what it is (422)."""

    status_code = 422
    code = "password_incorrect"


class ResetLinkInvalidError(ServiceError):
    """A password reset link that was used, has expired, or was made for an older password."""

    status_code = 400
    code = "reset_link_invalid"
    default_message = _("This password reset link is no longer valid.")


class EmailUnverifiedError(ServiceError):
    """The person's email address is still unverified past the grace period."""

    status_code = 403
    code = "email_unverified"


class ReauthenticationRequiredError(ServiceError):
    """A sensitive action, and the person's last sign-in or password check is older than
    REAUTH_SECONDS."""

    status_code = 403
    code = "reauthentication_required"
    default_message = _(
        "This action needs a recent sign-in: sign in again (or confirm your password) and "
        "repeat it."
    )


class SessionNotFoundError(NotFoundError):
    default_message = _("There is no such session of yours.")


class OtpRequiredError(ServiceError):
    """The password was right and the account uses two-factor: a code is needed too."""

    status_code = 401
    code = "otp_required"
    default_message = _("Enter a code from your authenticator app or a recovery code.")


class OtpInvalidError(ServiceError):
    """A wrong or reused two-factor code: one answer for both."""

    status_code = 401
    code = "otp_invalid"
    default_message = _("That code is not correct, or it was already used.")


class OtpThrottledError(ServiceError):
    """django-otp's throttling after wrong codes: every code, even the right one, waits
    until `retry_after` seconds have passed (the wait doubles with each wrong code)."""

    status_code = 429
    code = "otp_throttled"


class TwoFactorSetupRequiredError(ServiceError):
    """The company requires two-factor and this person has not set it up yet."""

    status_code = 403
    code = "two_factor_setup_required"
    default_message = _(
        "This company requires two-factor sign-in. Set it up on your profile page first."
    )


class TwoFactorStateError(ServiceError):
    """Turning on two-factor that is on, or changing codes of two-factor that is off."""

    status_code = 409
    code = "two_factor_state"
