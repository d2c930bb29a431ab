"""Per-tenant API rate limits, from the tenant's plan, counted in Redis.

Fixed windows of THROTTLE_WINDOW_SECONDS: one counter per caller and one per tenant,
both bumped in a single round trip. (DRF's own throttles keep a list of timestamps per
caller, read and rewritten on every request: its cost grows with the limit.) A caller can
get up to twice the limit across a window boundary; that is the usual trade for O(1).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_redis import get_redis_connection
from django_tenants.utils import get_public_schema_name
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.accounts.principal import Principal
from apps.tenants.selectors import plan_limits

if TYPE_CHECKING:  # DRF's views import these classes through its settings
    from rest_framework.views import APIView


class PlanRateThrottle(BaseThrottle):
    """One person or API key (anonymous callers: one address), and the whole tenant, each
    within the limits of the tenant's plan. One tenant cannot starve the others."""

    message = _("Too many requests; slow down.")

    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == get_public_schema_name():
            return True
        per_caller, per_tenant = plan_limits(tenant)
        window = settings.THROTTLE_WINDOW_SECONDS
        now = time.time()
        bucket = int(now // window)
        principal = request.auth
        who = (
            principal.throttle_key
            if isinstance(principal, Principal)
            else f"ip:{self.get_ident(request)}"
        )
        keys = [
            f"kura:{tenant.schema_name}:rate:{who}:{bucket}",
            f"kura:{tenant.schema_name}:rate:all:{bucket}",
        ]
        pipe = get_redis_connection("default").pipeline(transaction=False)
        for key in keys:
            pipe.incr(key)
            pipe.expire(key, window + 1, nx=True)
        caller_count, _ok, tenant_count, _ok2 = pipe.execute()
        if caller_count > per_caller or tenant_count > per_tenant:
            self.retry_after = window - (now % window)
            return False
        return True

    def wait(self) -> float | None:
        return self.retry_after
