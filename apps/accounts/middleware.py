import zoneinfo
from collections.abc import Callable

from django.contrib.auth import logout
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django_tenants.utils import get_public_schema_name

from apps.accounts import access_cache
from apps.accounts.policies import membership_active


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
