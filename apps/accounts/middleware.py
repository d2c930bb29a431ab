import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django_htmx.http import HttpResponseClientRedirect
from django_tenants.utils import get_public_schema_name

from apps.accounts import access_cache, selectors
from apps.accounts.policies import membership_active, two_factor_setup_needed


def _activate_time_zone(name: str) -> None:
    try:
        timezone.activate(zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


def _activate_language(request: HttpRequest, code: str) -> None:
    """The person's saved language, over the cookie's and the browser's (LocaleMiddleware
    chose those before)."""
    if code:
        translation.activate(code)
        request.LANGUAGE_CODE = code


class MembershipMiddleware:
    """On a tenant host, `request.membership` is the signed-in person's membership there.

    A session whose membership no longer opens the company (removed, suspended, account
    deactivated) ends at once. Pages show times in the person's time zone and speak their
    language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        timezone.deactivate()
        on_tenant = connection.schema_name != get_public_schema_name()  # type: ignore[attr-defined]
        if on_tenant and request.user.is_authenticated:
            _flags, membership, _more = access_cache.fetch(
                tenant=request.tenant,  # type: ignore[attr-defined]
                user_id=request.user.pk,
            )
            if not membership_active(membership):
                logout(request)
            else:
                assert membership is not None  # noqa: S101 - membership_active(None) is False
                request.membership = membership  # type: ignore[attr-defined]
                _activate_time_zone(membership.user.time_zone)
                _activate_language(request, membership.user.language)
        elif not on_tenant and request.user.is_authenticated:  # operators on the public site
            _activate_language(request, request.user.language)  # type: ignore[union-attr]
        return self.get_response(request)


# What a member who must enrol still reaches: enrolment itself, signing out, the language
# switch, static files, and the API (which refuses their sign-in on its own terms).
ENROL_PATH = "/profile/two-factor"
_REACHABLE_WHILE_ENROLLING = (ENROL_PATH, "/logout", "/i18n/", "/api/", "/auth/")


class TwoFactorRequiredMiddleware:
    """In a company that requires two-factor, a signed-in member without a device is sent
    to enrolment on every page until they have one (apps.accounts.policies)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = getattr(request, "membership", None)
        if (
            membership is not None
            and membership.tenant.two_factor_required
            and not request.path.startswith((*_REACHABLE_WHILE_ENROLLING, settings.STATIC_URL))
            and request.user.otp_device is None  # type: ignore[union-attr]
            and two_factor_setup_needed(
                membership, has_device=selectors.two_factor_enabled(user=membership.user)
            )
        ):
            if request.headers.get("HX-Request") == "true":  # a page's live part
                return HttpResponseClientRedirect(ENROL_PATH)
            return redirect(ENROL_PATH)
        return self.get_response(request)
