"""Refusals of the identity services, each with the status the API answers."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ServiceError


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


class NotAllowedError(ServiceError):
    status_code = 403
    code = "permission_denied"


class InvitationInvalidError(ServiceError):
    status_code = 400
    code = "invitation_invalid"


class OtpRequiredError(ServiceError):
    """The password was right and the account uses two-factor: a code is needed too."""

    status_code = 401
    code = "otp_required"
    default_message = _("Enter a code from your authenticator app or a recovery code.")


class OtpInvalidError(ServiceError):
    """A wrong, reused or throttled two-factor code: one answer for all three."""

    status_code = 401
    code = "otp_invalid"
    default_message = _("That code is not correct, or it was already used.")


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
