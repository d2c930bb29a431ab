from collections.abc import Callable

from django.contrib.auth import logout
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django_tenants.utils import get_public_schema_name

from apps.accounts.selectors import membership_of


class MembershipMiddleware:
    """On a tenant host, `request.membership` is the signed-in person's membership there.

    A session whose person is no longer a member, or is suspended, ends at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        on_tenant = connection.schema_name != get_public_schema_name()  # type: ignore[attr-defined]
        if on_tenant and request.user.is_authenticated:
            membership = membership_of(user=request.user, tenant=request.tenant)  # type: ignore[arg-type, attr-defined]
            if membership is None or membership.is_suspended():
                logout(request)
            else:
                request.membership = membership  # type: ignore[attr-defined]
        return self.get_response(request)
