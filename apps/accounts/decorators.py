from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from apps.accounts.policies import auth_is_recent, can_manage_members
from apps.accounts.request import MemberRequest
from apps.accounts.services.reauth import session_auth_time

View = Callable[..., HttpResponse]
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def member_required(*, manage: bool = False) -> Callable[[View], View]:
    """Signed in as a member of this tenant; `manage`: an owner or admin. The view is called
    with the request (a MemberRequest) and the member's Principal, its actor for the
    services and selectors it calls: `view(request, principal, *args, **kwargs)`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: MemberRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            principal = request.principal
            if principal is None:
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
            if manage and not can_manage_members(principal):
                raise PermissionDenied
            return view(request, principal, *args, **kwargs)

        return wrapped

    return decorator


def reauth_redirect(request: HttpRequest) -> HttpResponse | None:
    """None when the person's sign-in or password check is recent (policies.auth_is_recent);
    else the way to /reauth and back to this page. A form sent on a stale stamp is not acted
    on: the person comes back to the page and presses again."""
    if auth_is_recent(session_auth_time(request.session)):
        return None
    back = request.path if request.method in UNSAFE_METHODS else request.get_full_path()
    return redirect(f"/reauth?{urlencode({'next': back})}")


def recent_auth_required(*, unsafe_only: bool = False) -> Callable[[View], View]:
    """The view needs a recent sign-in or password check (after member_required, so the
    person is known); `unsafe_only`: only for sending its forms, not for reading the page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if unsafe_only and request.method not in UNSAFE_METHODS:
                return view(request, *args, **kwargs)
            return reauth_redirect(request) or view(request, *args, **kwargs)

        return wrapped

    return decorator
