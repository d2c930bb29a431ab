"""Per-tenant API rate limits, from the tenant's plan, counted in Redis.

Fixed windows of THROTTLE_WINDOW_SECONDS. A signed-in caller (person or API key) has its
own counter; only requests it is allowed count against the tenant's shared counter, so a
caller over its own limit cannot spend the company's budget. Anonymous callers (sign-in,
the schema, the tenant's name) are counted per address in a bucket of their own and never
against the tenant. One Redis round trip (a small Lua script) decides. A caller can get up
to twice the limit across a window boundary; that is the usual trade for O(1).
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

# KEYS: the caller's counter, the tenant's (or none). ARGV: the caller's limit, the
# tenant's, the window. Answers 0 when allowed, 1 when the caller is over, 2 the tenant.
COUNT = """
local caller = redis.call('INCR', KEYS[1])
if caller == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if caller > tonumber(ARGV[1]) then return 1 end
if #KEYS < 2 then return 0 end
local tenant = redis.call('INCR', KEYS[2])
if tenant == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
if tenant > tonumber(ARGV[2]) then return 2 end
return 0
"""
_script = None


def _count(keys: list[str], per_caller: int, per_tenant: int, window: int) -> int:
    global _script  # noqa: PLW0603 - registered once per process
    if _script is None:
        _script = get_redis_connection("default").register_script(COUNT)
    return int(_script(keys=keys, args=[per_caller, per_tenant, window + 1]))


class PlanRateThrottle(BaseThrottle):
    """One person or API key, and the whole tenant, each within the limits of the tenant's
    plan; anonymous callers per address. One tenant cannot starve the others, and nobody
    without credentials can starve a tenant."""

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
        prefix = f"kura:{tenant.schema_name}:rate"
        principal = request.auth
        if isinstance(principal, Principal):
            keys = [f"{prefix}:{principal.throttle_key}:{bucket}", f"{prefix}:all:{bucket}"]
        else:
            keys = [f"{prefix}:anon:{self.get_ident(request)}:{bucket}"]
        if _count(keys, per_caller, per_tenant, window):
            self.retry_after = window - (now % window)
            return False
        return True

    def wait(self) -> float | None:
        return self.retry_after
