"""A tenant host's URLs plus /bench/bare, a plain Django view with nothing to check."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config import urls_tenant


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare", bare), *urls_tenant.urlpatterns]
handler404 = urls_tenant.handler404
handler500 = urls_tenant.handler500
