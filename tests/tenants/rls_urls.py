"""The tenant URLs plus a page that reads the shared public tables with raw SQL, with no
tenant filter (tests only: `@pytest.mark.urls`)."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls_tenant import urlpatterns as tenant_patterns
from tests.core.worker_tasks import shared_rows


def shared_rows_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(shared_rows())


urlpatterns = [path("shared-rows", shared_rows_view), *tenant_patterns]
