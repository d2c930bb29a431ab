"""Pages of the web shell, and the error pages (JSON for API paths, HTML elsewhere)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from apps.core.errors import RequestTooLargeError, ServiceError
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


def request_too_large(request: HttpRequest, error: ServiceError) -> HttpResponse:
    """A body over the limit (apps.core.bodies): 413, with the limit in the message."""
    if is_api_path(request.path):
        return error_response(status_code=error.status_code, code=error.code, message=error.message)
    page = loader.render_to_string("413.html", {"message": error.message}, request=request)
    return HttpResponse(page, status=error.status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django would not read (its SuspiciousOperation): form fields over
    DATA_UPLOAD_MAX_MEMORY_SIZE are 413 like any body over a limit; the rest 400, in the
    error shape on API paths."""
    if isinstance(exception, RequestDataTooBig):
        too_large = RequestTooLargeError.over(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return request_too_large(request, too_large)
    if is_api_path(request.path):
        return error_response(
            status_code=400, code="bad_request", message=_("The request could not be read.")
        )
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path):
        return error_response(
            status_code=500, code="server_error", message=_("Something went wrong on our side.")
        )
    # No request context: the failure may be in what a context processor needs.
    return HttpResponseServerError(loader.render_to_string("500.html"))
