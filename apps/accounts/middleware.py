import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django_htmx.http import HttpResponseClientRedirect
from qsessions.middleware import SessionMiddleware as QSessionMiddleware

from apps.accounts import access_cache, selectors
from apps.accounts.models import User
from apps.accounts.policies import membership_active, two_factor_setup_needed, web_session_alive
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.accounts.sessions import SEEN, SIGNED_IN, session_touch, unix_time
from apps.core.clients import client_ip
from apps.tenants.models import Tenant
from apps.tenants.policies import is_public_tenant


class SessionMiddleware(QSessionMiddleware):
    """django-qsessions' (the person, address and user agent kept with each session), with
    the address as the rest of Kura sees it (apps/core/clients.py: trusted proxies only)."""

    def process_request(self, request: HttpRequest) -> None:
        request.session = self.SessionStore(
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            session_key=request.COOKIES.get(settings.SESSION_COOKIE_NAME),
        )


class SessionLimitsMiddleware:
    """A signed-in web session ends after SESSION_IDLE_SECONDS without a request and
    SESSION_ABSOLUTE_SECONDS after its sign-in (policies.web_session_alive), on the server:
    the next request finds it signed out, whatever the cookie says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            started, seen = unix_time(session.get(SIGNED_IN)), unix_time(session.get(SEEN))
            if not web_session_alive(started=started, seen=seen, now=time.time()):
                logout(request)
        response = self.get_response(request)
        # After the view, so the request that signs in starts the clocks; a signed-in web
        # session only (an API call's token or key makes `request.user` too, and no session).
        if SESSION_KEY in request.session:
            tenant = getattr(request, "tenant", None)
            company = (
                tenant if isinstance(tenant, Tenant) and not is_public_tenant(tenant) else None
            )
            session_touch(
                request.session, tenant_id=company.pk if company else None, now=time.time()
            )
        return response


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

    def __call__(self, request: MemberRequest) -> HttpResponse:
        request.membership = None
        request.principal = None
        timezone.deactivate()
        on_tenant = not is_public_tenant(request.tenant)
        user = request.user
        if on_tenant and user.is_authenticated:
            _flags, membership, _more = access_cache.fetch(tenant=request.tenant, user_id=user.pk)
            if not membership_active(membership):
                logout(request)
            else:
                assert membership is not None  # noqa: S101 - membership_active(None) is False
                request.membership = membership
                request.principal = Principal.of_membership(membership)
                _activate_time_zone(membership.user.time_zone)
                _activate_language(request, membership.user.language)
        elif not on_tenant and isinstance(user, User):  # operators on the public site
            _activate_language(request, user.language)
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

    def __call__(self, request: MemberRequest) -> HttpResponse:
        membership = request.membership
        if (
            membership is not None
            and membership.tenant.two_factor_required
            and not request.path.startswith((*_REACHABLE_WHILE_ENROLLING, settings.STATIC_URL))
            and getattr(request.user, "otp_device", None) is None  # django-otp's middleware
            and two_factor_setup_needed(
                membership, has_device=selectors.two_factor_enabled(user=membership.user)
            )
        ):
            if request.headers.get("HX-Request") == "true":  # a page's live part
                return HttpResponseClientRedirect(ENROL_PATH)
            return redirect(ENROL_PATH)
        return self.get_response(request)
