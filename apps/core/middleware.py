import ipaddress
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare

from apps.core.bodies import announced_length, body_too_large, max_body_bytes
from apps.core.exceptions import error_response
from apps.core.metrics import metrics_response
from apps.core.readiness import backlogs, readiness
from apps.core.views import request_too_large


def details_allowed(request: HttpRequest) -> bool:
    """What failed and why names internal hosts and ports: only for callers on this machine
    (the orchestrator's probe) or holding KURA_READYZ_TOKEN."""
    token = settings.READYZ_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if given and constant_time_compare(given, token):
            return True
    if request.headers.get("X-Forwarded-For"):
        return False  # came through a proxy: not a local caller, whatever REMOTE_ADDR says
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


class HealthCheckMiddleware:
    """Answers /healthz, /readyz and /metrics on any host, before tenant routing.

    Orchestrators probe (and Prometheus scrapes) by IP address, which no tenant owns; and
    readiness must not depend on the tenant tables it is checking.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            checks = readiness()
            failing = sorted(name for name, state in checks.items() if state != "ok")
            body: dict[str, object] = {
                "status": "unavailable" if failing else "ok",
                "failing": failing,
            }
            if details_allowed(request):
                body["checks"] = checks
                # Without PostgreSQL there is nothing to count (and no need to wait on it).
                body["backlogs"] = backlogs() if checks["postgres"] == "ok" else {}
            return JsonResponse(body, status=503 if failing else 200)
        if request.path == "/metrics":
            if not details_allowed(request):
                return error_response(
                    status_code=403,
                    code="permission_denied",
                    message="Metrics are for this machine or holders of KURA_READYZ_TOKEN.",
                )
            return metrics_response()
        return self.get_response(request)


class BodyLimitMiddleware:
    """Refuses a body announced over its view's limit (apps.core.bodies) once the URL has
    named the view, before anything reads it: CSRF's check of a form, a page's
    request.POST, DRF's parser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if announced_length(request) <= max_body_bytes(view_func):
            return None
        return request_too_large(request, body_too_large(view_func))
