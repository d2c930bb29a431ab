"""The request an audit entry is recorded in, so services need not pass the caller's
address down to every call that records one: set for each request by the middleware,
empty in tasks and commands."""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from apps.core.clients import client_ip

_address: ContextVar[str] = ContextVar("kura_audit_address", default="")


def current_address() -> str:
    return _address.get()


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _address.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _address.reset(token)
