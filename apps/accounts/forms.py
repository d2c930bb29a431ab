import zoneinfo
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _

from apps.accounts.exceptions import InvalidCredentialsError
from apps.accounts.models import ApiKey, Membership
from apps.accounts.services import auth_check_password
from apps.core.clients import client_ip
from apps.core.errors import ServiceError
from apps.tenants.models import SLUG_PATTERN

PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"  # noqa: S105 - a dotted path


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial="member")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiKey.Scope.choices)


class SignupForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=100)
    slug = forms.RegexField(
        label=_("Address"),
        regex=SLUG_PATTERN,
        max_length=32,
        help_text=_("Lowercase letters, digits and hyphens, e.g. acme."),
    )
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class OperatorLoginForm(AdminAuthenticationForm):
    """The operators' admin sign-in, through the one password check and its limits."""

    def clean(self) -> dict[str, Any]:
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if email and password and self.request is not None:
            try:
                user = auth_check_password(
                    email=email,
                    password=password,
                    ip=client_ip(self.request),
                    unlock_url=self.request.build_absolute_uri("/unlock"),
                )
            except InvalidCredentialsError as exc:
                raise self.get_invalid_login_error() from exc
            except ServiceError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
            user.backend = PASSWORD_BACKEND  # type: ignore[attr-defined]
            self.user_cache = user
            self.confirm_login_allowed(user)
        return self.cleaned_data
