from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware

from apps.core.exceptions import error_response, is_api_path
from apps.tenants.models import Tenant
from apps.tenants.policies import tenant_open
from apps.tenants.views import tenant_not_found


class TenantHostMiddleware(TenantMainMiddleware):
    """django-tenants' routing by host, except that a host Django does not allow (none,
    one outside ALLOWED_HOSTS, a malformed port) is answered under /api/ like a host no
    company uses, in the error shape, rather than with django-tenants' empty HTML 404."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if is_api_path(request.path):
            try:
                request.get_host()
            except DisallowedHost:
                return tenant_not_found(request)
        response: HttpResponse | None = super().process_request(request)
        return response


class TenantOpenMiddleware:
    """A company the operators deactivated answers nothing but a clear refusal: no page,
    no API call, no sign-in, link or invitation works until it is reactivated. It runs
    before sessions, tokens or keys are looked at (and after the language is chosen)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if isinstance(tenant, Tenant) and not tenant_open(tenant):
            deleted = tenant.deleted_at is not None
            if is_api_path(request.path):
                return error_response(
                    status_code=403,
                    code="tenant_inactive",
                    message=_("This company has been deleted.")
                    if deleted
                    else _("This company has been deactivated."),
                )
            html = loader.render_to_string(
                "tenants/tenant_inactive.html",
                {"name": tenant.name, "deleted": deleted},
                request=request,
            )
            return HttpResponse(html, status=403)
        return self.get_response(request)
