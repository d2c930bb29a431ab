"""Addresses of Kura's hosts as people reach them: the public site at BASE_DOMAIN and each
company at <slug>.BASE_DOMAIN, with the scheme and port of configuration (PUBLIC_SCHEME,
PUBLIC_PORT).

Emailed links and redirects to another host are built here, never from the request: its
Host header (port included, as ALLOWED_HOSTS ignores the port) and any X-Forwarded-Host
are the caller's to choose, and a link carrying them would send the reader elsewhere.
"""

from django.conf import settings
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

DEFAULT_PORTS = {"http": 80, "https": 443}


def host_url(path: str, *, slug: str | None = None) -> str:
    """`path` on the public site, or on the company `slug`'s host."""
    scheme, port = settings.PUBLIC_SCHEME, settings.PUBLIC_PORT
    host = f"{slug}.{settings.BASE_DOMAIN}" if slug else settings.BASE_DOMAIN
    if port and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{path}"


def here_url(request: HttpRequest, path: str) -> str:
    """`path` on the host that answers `request`: the company django-tenants found for it,
    or the public site; its address from configuration, like every other."""
    tenant = getattr(request, "tenant", None)  # django-tenants' (a layer above core's types)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return host_url(path)
    return host_url(path, slug=tenant.slug)
