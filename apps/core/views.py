"""Pages of the web shell, and the error pages (JSON for API paths, HTML elsewhere)."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from apps.core.exceptions import error_response, is_api_path


class TenantHomeView(TemplateView):
    template_name = "core/tenant_home.html"


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_path(request.path):
        return error_response(status_code=404, code="not_found", message=_("Not found."))
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path):
        return error_response(
            status_code=500, code="server_error", message=_("Something went wrong on our side.")
        )
    # No request context: the failure may be in what a context processor needs.
    return HttpResponseServerError(loader.render_to_string("500.html"))
