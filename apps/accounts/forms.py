import re
import zoneinfo
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
)
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from apps.accounts import selectors
from apps.accounts.errors import InvalidCredentialsError, OtpRequiredError
from apps.accounts.models import ApiKey, Membership, User
from apps.accounts.services import auth_check_password, two_factor_verify
from apps.audit.services import audit_record
from apps.core.clients import client_ip
from apps.core.errors import ServiceError
from apps.core.hosts import here_url
from apps.tenants.models import RESERVED_SLUGS, SLUG_PATTERN
from apps.tenants.selectors import tenant_address_taken

PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"  # noqa: S105 - a dotted path
SLUG_MAX_LENGTH = 32


def _password_rules() -> str:
    return " ".join(str(text) for text in password_validators_help_texts())


# What the configured validators ask, in the active language (Django's own words).
password_rules = lazy(_password_rules, str)


class KeepsPasswordForm(forms.Form):
    """Shows a typed password again after an error elsewhere, but not after an error about
    the password itself (it is then cleared, and the person types a new one)."""

    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=True), strip=False
    )

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if self.has_error("password"):
            self.fields["password"].widget.render_value = False


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("The browser's language")), *User.Language.choices],
        required=False,
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial="member")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class SuspendForm(forms.Form):
    """How long a suspension lasts, with its unit: at most MAX_DAYS."""

    MAX_DAYS = 90
    UNITS = {"hours": 1, "days": 24}

    duration = forms.IntegerField(label=_("Suspend for"), min_value=1, initial=24)
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("hours", _("hours")), ("days", _("days"))], initial="hours"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("duration") and data.get("unit"):
            hours = data["duration"] * self.UNITS[data["unit"]]
            if hours > self.MAX_DAYS * 24:
                self.add_error("duration", _("At most %(days)d days.") % {"days": self.MAX_DAYS})
            data["hours"] = hours
        return data


class AcceptInvitationForm(KeepsPasswordForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    field_order = ["full_name", "password"]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses the key, e.g. “Accounting export”."),
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiKey.Scope.choices)


def slug_refusal(slug: str) -> str | None:
    """Why `slug` cannot be a new company's address, in plain words; None if it can."""
    if len(slug) > SLUG_MAX_LENGTH:
        return str(_("Use at most %(max)d characters.") % {"max": SLUG_MAX_LENGTH})
    if not re.fullmatch(SLUG_PATTERN, slug):
        return str(
            _(
                "Use only lowercase letters (a to z), digits and hyphens, beginning and ending "
                "with a letter or a digit."
            )
        )
    if slug in RESERVED_SLUGS:
        return str(_("This address is reserved. Please choose another."))
    if tenant_address_taken(slug=slug):
        return str(_("This address is already taken. Please choose another."))
    return None


class SignupForm(KeepsPasswordForm):
    """The password is checked by the service (company_signup), which answers the
    same whether or not the email has an account."""

    company_name = forms.CharField(label=_("Company name"), max_length=100)
    # Its length is checked with the rest (slug_refusal), in the same plain words.
    slug = forms.CharField(
        label=_("Address"), widget=forms.TextInput(attrs={"maxlength": SLUG_MAX_LENGTH})
    )
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    field_order = ["company_name", "slug", "full_name", "email", "password"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = password_rules()

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        refusal = slug_refusal(slug)
        if refusal:
            raise ValidationError(refusal)
        return slug


class FindCompanyForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code your authenticator app shows, or a recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


class TwoFactorDisableForm(TwoFactorCodeForm):
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class OperatorLoginForm(AdminAuthenticationForm):
    """The operators' admin sign-in, through the one password check and its limits, then
    a second factor: operators without one set it up first at /account/two-factor."""

    otp_token = forms.CharField(
        label=_("Two-factor code"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
    # Seconds to wait, when the sign-in was refused for a while (a paused password check,
    # throttled codes): the page then answers 429 (apps/accounts/admin_site.py).
    retry_after: int | None = None

    def clean(self) -> dict[str, Any]:
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if email and password and self.request is not None:
            try:
                user = auth_check_password(
                    email=email,
                    password=password,
                    ip=client_ip(self.request),
                    unlock_url=here_url(self.request, "/unlock"),
                )
            except ServiceError as exc:
                audit_record(
                    action="auth.sign_in_failed",
                    tenant=None,
                    data={"email": email.strip().lower(), "reason": exc.code, "via": "admin"},
                )
                if isinstance(exc, InvalidCredentialsError):
                    raise self.get_invalid_login_error() from exc
                self.retry_after = exc.retry_after
                raise forms.ValidationError(exc.message, code=exc.code) from exc
            user.backend = PASSWORD_BACKEND
            self.user_cache = user
            self.confirm_login_allowed(user)
            self._second_factor(user)
        return self.cleaned_data

    def _second_factor(self, user: User) -> None:
        refusal = None
        if not selectors.two_factor_enabled(user=user):
            refusal = forms.ValidationError(
                _(
                    "Operators sign in with two-factor. Set it up first on the two-factor "
                    "page of this site (/account/two-factor), then sign in here with a code."
                ),
                code="two_factor_setup_required",
            )
        elif not (self.cleaned_data.get("otp_token") or "").strip():
            refusal = forms.ValidationError(OtpRequiredError.default_message, code="otp_required")
        if refusal is not None:
            audit_record(
                action="auth.sign_in_failed",
                tenant=None,
                actor=user,
                data={"email": user.email, "reason": refusal.code, "via": "admin"},
            )
            raise refusal
        try:
            # django-otp's sign-in signal keeps the device in the session (is_verified()).
            user.otp_device = two_factor_verify(  # type: ignore[attr-defined]
                user=user,
                code=self.cleaned_data["otp_token"],
                tenant=None,
                ip=client_ip(self.request),  # type: ignore[arg-type]
            )
        except ServiceError as exc:
            self.retry_after = exc.retry_after
            raise forms.ValidationError(exc.message, code=exc.code) from exc


class OperatorPasswordForm(forms.Form):
    """The first step of an operator's two-factor enrolment on the public site."""

    email = forms.EmailField(label=_("Email address"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class NewPasswordForm(forms.Form):
    """A new password typed twice; the rules (AUTH_PASSWORD_VALIDATORS) are the service's."""

    new_password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=password_rules(),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, again = data.get("new_password"), data.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", _("The two new passwords are not the same."))
        return data


class PasswordChangeForm(NewPasswordForm):
    current_password = forms.CharField(
        label=_("Current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )
    field_order = ["current_password", "new_password", "new_password_again"]


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))


class ReauthForm(forms.Form):
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class CompanyDeleteForm(forms.Form):
    slug = forms.CharField(label=_("The company's address name"), max_length=32, strip=True)
