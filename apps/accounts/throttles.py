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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_redis import get_redis_connection
from django_tenants.utils import get_public_schema_name
from redis.client import Pipeline
from redis.commands.core import Script
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.accounts.principal import Principal
from apps.tenants.models import Tenant
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
_script: Script | None = None


def _counter() -> Script:
    global _script  # noqa: PLW0603 - registered once per process
    if _script is None:
        _script = get_redis_connection("default").register_script(COUNT)
    return _script


@dataclass(frozen=True)
class Window:
    """The counters a request bumps, and the limits they are held to."""

    keys: list[str]
    per_caller: int
    per_tenant: int
    seconds: int
    retry_after: float

    @classmethod
    def of(cls, tenant: Tenant, caller: str | None, ident: str) -> Window:
        """`caller`: a principal's throttle key; None for anonymous callers, counted by
        their address (`ident`) and never against the tenant."""
        per_caller, per_tenant = plan_limits(tenant)
        seconds = settings.THROTTLE_WINDOW_SECONDS
        now = time.time()
        bucket = int(now // seconds)
        prefix = f"kura:{tenant.schema_name}:rate"
        keys = (
            [f"{prefix}:{caller}:{bucket}", f"{prefix}:all:{bucket}"]
            if caller
            else [f"{prefix}:anon:{ident}:{bucket}"]
        )
        return cls(keys, per_caller, per_tenant, seconds, seconds - now % seconds)

    def count(self, pipe: Pipeline | None = None) -> Any:
        """Bump the counters (or queue that on a pipeline); 0 when the request is allowed."""
        args = [self.per_caller, self.per_tenant, self.seconds + 1]
        if pipe is not None:
            # EVAL, not the cached EVALSHA: redis-py checks a pipeline's scripts exist
            # first, which would cost the round trip the pipeline saves.
            return pipe.eval(COUNT, len(self.keys), *self.keys, *args)
        return _counter()(keys=self.keys, args=args)


def counted_early(request: Request, *, caller: str, window: Window, verdict: int) -> None:
    """Authentication counted this request for `caller` in its own Redis round trip (one
    trip for the token's deny-lists, the membership and the rate): the throttle uses it."""
    request._request.kura_rate = (caller, window, int(verdict))  # type: ignore[attr-defined]  # noqa: SLF001


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
        principal = request.auth
        caller = principal.throttle_key if isinstance(principal, Principal) else None
        early = getattr(request._request, "kura_rate", None)  # noqa: SLF001
        if early is not None and caller is not None and early[0] == caller:
            _caller, window, verdict = early
        else:
            window = Window.of(tenant, caller, self.get_ident(request))
            verdict = int(window.count())
        if verdict:
            self.retry_after = window.retry_after
            return False
        return True

    def wait(self) -> float | None:
        return self.retry_after
