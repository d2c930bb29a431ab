"""Pages of the web shell, and the error pages (JSON for API paths, HTML elsewhere)."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from apps.core.exceptions import error_response, is_api_path


class TenantHomeView(TemplateView):
    template_name = "core/tenant_home.html"


@csrf_exempt  # any method: a POST to an unknown path is a 404 too, not a CSRF refusal
def api_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """The last of the API's URL patterns: an unknown path under /api/ or /auth/ answers
    404 in the error shape whatever DEBUG is (with DEBUG, Django's 404 is an HTML page)."""
    return error_response(status_code=404, code="not_found", message=_("Not found."))


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
