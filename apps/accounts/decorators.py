from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

View = Callable[..., HttpResponse]


def member_required(*, manage: bool = False) -> Callable[[View], View]:
    """Signed in as a member of this tenant; `manage`: an owner or admin."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = request.membership  # type: ignore[attr-defined]
            if membership is None:
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
            if manage and not membership.can_manage_members:
                raise PermissionDenied
            return view(request, membership, *args, **kwargs)

        return wrapped

    return decorator
