import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError
from rest_framework.views import APIView

from apps.core.connection import on_public_schema
from apps.usage.counting import request_count
from apps.usage.models import usage_day

logger = logging.getLogger(__name__)


class ApiRequestCountMiddleware:
    """Counts each request a company's API view receives (refused ones too: they were
    made), one Redis round trip, before the view runs. Pages are not API requests."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> None:
        view_class = getattr(view_func, "cls", None)
        if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
            return
        tenant = getattr(request, "tenant", None)
        if tenant is None or on_public_schema():
            return
        try:
            request_count(tenant_id=tenant.pk, day=usage_day())
        except RedisError:
            # The throttle refuses the request anyway when Redis is down; a count lost
            # here must not turn into an error of its own.
            logger.warning("usage: request of tenant %s not counted", tenant.pk, exc_info=True)
