"""Per-tenant API rate limits, from the tenant's plan, counted in Redis (apps/core/ratelimit.py).

Clock windows of THROTTLE_WINDOW_SECONDS. A signed-in caller (person or API key) has its
own counter; only requests it is allowed count against the tenant's shared counter, so a
caller over its own limit cannot spend the company's budget. Anonymous callers (sign-in,
the schema, the tenant's name) are counted per address in a bucket of their own and never
against the tenant. One Redis round trip decides: the one authentication makes anyway when
it can (`counted_early`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name
from redis.client import Pipeline
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.accounts.principal import Principal
from apps.core.ratelimit import Counter, Hits, hit, hit_on
from apps.tenants.models import Tenant
from apps.tenants.selectors import plan_limits

if TYPE_CHECKING:  # DRF's views import these classes through its settings
    from rest_framework.views import APIView


@dataclass(frozen=True)
class Window:
    """The counters a request bumps: the caller's, then the tenant's (none for anonymous
    callers)."""

    counters: tuple[Counter, ...]

    @classmethod
    def of(cls, tenant: Tenant, caller: str | None, ident: str) -> Window:
        """`caller`: a principal's throttle key; None for anonymous callers, counted by
        their address (`ident`) and never against the tenant."""
        per_caller, per_tenant = plan_limits(tenant)
        seconds, now = settings.THROTTLE_WINDOW_SECONDS, time.time()
        prefix = f"kura:{tenant.schema_name}:rate"
        if caller is None:
            key = f"{prefix}:anon:{ident}"
            return cls((Counter.clock(key, limit=per_caller, seconds=seconds, now=now),))
        mine = Counter.clock(f"{prefix}:{caller}", limit=per_caller, seconds=seconds, now=now)
        company = Counter.clock(f"{prefix}:all", limit=per_tenant, seconds=seconds, now=now)
        return cls((mine, company))

    def count(self) -> Hits:
        return hit(*self.counters)

    def count_on(self, pipe: Pipeline) -> None:
        """Queue the count on `pipe`; its answer is read with `Hits.of`."""
        hit_on(pipe, *self.counters)


def counted_early(request: Request, *, caller: str, answer: Any) -> None:
    """Authentication counted this request for `caller` in its own Redis round trip (one
    trip for the token's deny-lists, the membership and the rate; `answer` is what it
    answered for the count): the throttle uses it."""
    request._request.kura_rate = (caller, Hits.of(answer))  # type: ignore[attr-defined]  # noqa: SLF001


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
            hits: Hits = early[1]
        else:
            hits = Window.of(tenant, caller, self.get_ident(request)).count()
        if not hits.allowed:
            self.retry_after = hits.retry_after
            return False
        return True

    def wait(self) -> float | None:
        return self.retry_after
