from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template import loader
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from apps.core.exceptions import error_response, is_api_path


class LandingView(TemplateView):
    template_name = "tenants/landing.html"


def tenant_not_found(request: HttpRequest) -> HttpResponse:
    """A host that belongs to no tenant: a plain 404, before any tenant data is read."""
    if is_api_path(request.path):
        return error_response(
            status_code=404, code="tenant_not_found", message=_("No company uses this address.")
        )
    html = loader.render_to_string("tenants/tenant_not_found.html", {"host": request.get_host()})
    return HttpResponseNotFound(html)
