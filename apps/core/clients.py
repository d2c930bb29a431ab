import logging

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)
_proxy_warned = False


def client_ip(request: HttpRequest) -> str:
    """The caller's address, as the rate limits see it: X-Forwarded-For is trusted only for
    the number of proxies in REST_FRAMEWORK["NUM_PROXIES"] (KURA_NUM_PROXIES), so a client
    cannot pick its own bucket by sending the header."""
    global _proxy_warned  # noqa: PLW0603 - said once per process
    if (
        not _proxy_warned
        and "HTTP_X_FORWARDED_FOR" in request.META
        and not settings.REST_FRAMEWORK.get("NUM_PROXIES")
    ):
        _proxy_warned = True
        logger.warning(
            "Requests carry X-Forwarded-For but KURA_NUM_PROXIES is 0: every client behind "
            "the proxy shares the proxy's address in the sign-in limits. Set KURA_NUM_PROXIES."
        )
    return str(BaseThrottle().get_ident(request))  # type: ignore[arg-type] # reads META only
