"""A tenant host's URLs plus two bench views: /bench/bare, a plain Django view with nothing
to check, and /bench/noop, a DRF view with the API's default authentication, permission and
throttles that does no work of its own (what authentication costs without a view's queries).
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config import urls_tenant


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


class NoopApi(APIView):
    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [
    path("bench/bare", bare),
    path("bench/noop", NoopApi.as_view()),
    *urls_tenant.urlpatterns,
]
handler404 = urls_tenant.handler404
handler500 = urls_tenant.handler500
