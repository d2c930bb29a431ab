from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_ip(request: HttpRequest) -> str:
    """The caller's address, as the rate limits see it: X-Forwarded-For is trusted only for
    the number of proxies in REST_FRAMEWORK["NUM_PROXIES"] (KURA_NUM_PROXIES), so a client
    cannot pick its own bucket by sending the header."""
    return str(BaseThrottle().get_ident(request))  # type: ignore[arg-type] # reads META only
