"""Addresses of Kura's hosts, as the browser making this request reaches them (same scheme
and port): the public site at BASE_DOMAIN and each company at <slug>.BASE_DOMAIN."""

from django.conf import settings
from django.http import HttpRequest


def host_url(request: HttpRequest, path: str, *, slug: str | None = None) -> str:
    """`path` on the public site, or on the company `slug`'s host."""
    port = request.get_port()
    default = "443" if request.is_secure() else "80"
    host = f"{slug}.{settings.BASE_DOMAIN}" if slug else settings.BASE_DOMAIN
    return f"{request.scheme}://{host}{f':{port}' if port != default else ''}{path}"
