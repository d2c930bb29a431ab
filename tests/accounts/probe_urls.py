"""The tenant URLs plus probe endpoints that exercise the permission classes the feature
apps will use (tests only: `@pytest.mark.urls`)."""

from types import SimpleNamespace

from django.urls import path
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsAuthorOrAdmin, IsTenantAdmin, IsTenantPrincipal
from config.urls_tenant import urlpatterns as tenant_patterns


class ProbeApi(APIView):
    def get(self, request: Request) -> Response:
        return Response({"ok": True})

    def post(self, request: Request) -> Response:
        return Response({"ok": True}, status=status.HTTP_201_CREATED)


class AdminProbeApi(ProbeApi):
    permission_classes = [IsTenantAdmin]


class AuthoredProbeApi(APIView):
    """An object written by the user whose id is in the URL."""

    permission_classes = [IsTenantPrincipal, IsAuthorOrAdmin]

    def patch(self, request: Request, author_id: int) -> Response:
        self.check_object_permissions(request, SimpleNamespace(author_id=author_id))
        return Response({"ok": True})


urlpatterns = [
    path("api/probe", ProbeApi.as_view()),
    path("api/probe/admin", AdminProbeApi.as_view()),
    path("api/probe/authored/<int:author_id>", AuthoredProbeApi.as_view()),
    *tenant_patterns,
]
