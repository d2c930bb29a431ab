"""DRF permissions: each asks one rule of apps/accounts/policies.py, so the API, the pages
and the services apply the same rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from apps.accounts import policies
from apps.accounts.errors import ReauthenticationRequiredError
from apps.accounts.models import User
from apps.accounts.principal import Principal

if TYPE_CHECKING:  # DRF's views import these classes through its settings
    from rest_framework.views import APIView


def principal_of(request: Request) -> Principal | None:
    principal = request.auth
    tenant = getattr(request, "tenant", None)
    if isinstance(principal, Principal) and tenant is not None and principal.tenant_id == tenant.pk:
        return principal
    return None


def principal_required(request: Request) -> Principal:
    """The principal of a view whose permission classes already let only this tenant's
    principals in: its actor for the services and selectors it calls."""
    principal = principal_of(request)
    assert principal is not None  # noqa: S101 - the view's permissions let the request in
    return principal


def person_required(request: Request) -> User:
    """The person calling a view whose permission classes let only people in
    (IsTenantPerson): their own account, for the services of a person's account."""
    return principal_required(request).member.user


class IsTenantMember(BasePermission):
    """Signed in for this tenant, whatever the role (reading one's profile, signing out)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return policies.can_read(principal_of(request))


class IsTenantPerson(BasePermission):
    """A person (not an API key) signed in for this tenant: for their own things, such as
    reminders and notifications."""

    message = _("Only people have this; API keys do not.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return policies.is_person(principal_of(request))


class IsTenantPrincipal(BasePermission):
    """The default: signed in for this tenant; writing needs a role or key that may write
    (viewers and read-only keys may only read)."""

    message = _("Your role in this company may only read.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        principal = principal_of(request)
        if request.method in SAFE_METHODS:
            return policies.can_read(principal)
        return policies.can_write(principal)


class IsTenantAdmin(BasePermission):
    """Owners and admins only."""

    message = _("Only owners and admins can do this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return policies.can_manage_members(principal_of(request))


class IsAuthorOrAdmin(BasePermission):
    """Object rule: anyone who may read reads; authors change their own objects, owners and
    admins change any. The view names the author field with `author_field` (default
    `author_id`)."""

    message = _("Only the author or an admin can change this.")

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        author_id = getattr(obj, getattr(view, "author_field", "author_id"), None)
        return policies.can_change_authored(principal_of(request), author_id)


def auth_time_of(principal: Principal | None) -> float | None:
    """When the calling person last proved who they are: the access token's `auth_time`, or
    the web session's stamp (apps/accounts/authentication.py puts both in the claims). API
    keys have none: they are not a person and cannot re-authenticate."""
    if principal is None or principal.membership is None or not principal.claims:
        return None
    value = principal.claims.get("auth_time")
    return float(value) if isinstance(value, int | float) else None


class HasRecentSignIn(BasePermission):
    """The sensitive operations (policies.auth_is_recent): a sign-in within REAUTH_SECONDS.
    Put after the permission that says who may do it at all."""

    message = ReauthenticationRequiredError.default_message
    code = ReauthenticationRequiredError.code

    def has_permission(self, request: Request, view: APIView) -> bool:
        return policies.auth_is_recent(auth_time_of(principal_of(request)))
