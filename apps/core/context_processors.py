from django.conf import settings
from django.http import HttpRequest

from apps.core.connection import on_public_schema


def site(request: HttpRequest) -> dict[str, object]:
    """The tenant being served (None on the public site) for the base template."""
    tenant = getattr(request, "tenant", None)
    on_tenant = tenant is not None and not on_public_schema()
    return {
        "current_tenant": tenant if on_tenant else None,
        "base_domain": settings.BASE_DOMAIN,
    }
