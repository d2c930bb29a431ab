from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect, requires_csrf_token
from django.views.generic import TemplateView
from django.views.i18n import set_language

from apps.core.exceptions import error_response, is_api_path
from apps.core.hosts import host_url


class LandingView(TemplateView):
    template_name = "tenants/landing.html"


def tenant_not_found(request: HttpRequest) -> HttpResponse:
    """A host that belongs to no tenant: a plain 404, before any tenant data is read.

    It runs first thing (django-tenants' middleware), before the language and CSRF
    middleware: it chooses the language itself (cookie, then the browser's), and answers
    the page's own language switch, POST /i18n/setlang/, with its CSRF check.
    """
    with translation.override(translation.get_language_from_request(request)):
        if is_api_path(request.path):
            return error_response(
                status_code=404, code="tenant_not_found", message=_("No company uses this address.")
            )
        response: HttpResponse = _not_found_page(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


def _not_found_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.path == reverse("set_language"):
        return csrf_protect(set_language)(request)
    return _page(request)


@requires_csrf_token  # the page's language form carries a token (any method gets the 404)
def _page(request: HttpRequest) -> HttpResponse:
    html = loader.render_to_string(
        "tenants/tenant_not_found.html",
        {"host": request.get_host(), "find_url": host_url("/find")},
        request=request,
    )
    return HttpResponseNotFound(html)
