from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name


def site(request: HttpRequest) -> dict[str, object]:
    """The tenant being served (None on the public site) for the base template."""
    tenant = getattr(request, "tenant", None)
    on_tenant = tenant is not None and connection.schema_name != get_public_schema_name()  # type: ignore[attr-defined]
    return {
        "current_tenant": tenant if on_tenant else None,
        "base_domain": settings.BASE_DOMAIN,
    }
