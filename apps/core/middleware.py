from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from apps.core.readiness import readiness


class HealthCheckMiddleware:
    """Answers /healthz and /readyz on any host, before tenant routing.

    Orchestrators probe by IP address, which no tenant owns; and readiness must not
    depend on the tenant tables it is checking.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            checks = readiness()
            failing = sorted(name for name, state in checks.items() if state != "ok")
            body = {
                "status": "unavailable" if failing else "ok",
                "failing": failing,
                "checks": checks,
            }
            return JsonResponse(body, status=503 if failing else 200)
        return self.get_response(request)
