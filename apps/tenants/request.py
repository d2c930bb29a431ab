"""The request as django-tenants leaves it: typed, so views and middlewares read the host's
company as an attribute of a known type instead of ignoring its type."""

from django.http import HttpRequest
from rest_framework.request import Request

from apps.tenants.models import Tenant


class TenantRequest(HttpRequest):
    """A request after django-tenants' routing (apps.tenants.middleware.TenantHostMiddleware):
    `tenant` is the host's company, or the public site's own row on the bare domain. Only an
    annotation: Django makes the request, the middleware sets the attribute."""

    tenant: Tenant


def tenant_of(request: HttpRequest | Request) -> Tenant:
    """The host's company of a page's request or an API's (DRF's Request hands attribute
    reads on to Django's): the typed accessor for code that is handed an untyped request."""
    tenant = getattr(request, "tenant", None)
    if not isinstance(tenant, Tenant):
        raise TypeError("the request was not routed by django-tenants' middleware")
    return tenant
