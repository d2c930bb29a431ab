"""Per-tenant API rate limits, from the tenant's plan, counted in Redis (the cache)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.principal import Principal
from apps.tenants.models import Plan

if TYPE_CHECKING:  # DRF's views import these classes through its settings
    from rest_framework.views import APIView


class _PlanThrottle(SimpleRateThrottle):
    """The limit depends on the tenant being served, so it is read per request."""

    def __init__(self) -> None:  # the base class would look for a fixed rate in settings
        pass

    def limit(self, plan: Plan) -> int:
        raise NotImplementedError

    def allow_request(self, request: Request, view: APIView) -> bool:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == "public":
            return True
        self.rate = "plan"  # anything but None: the base class skips throttling on None
        self.num_requests = self.limit(tenant.effective_plan)
        self.duration = settings.THROTTLE_WINDOW_SECONDS
        return super().allow_request(request, view)


class PrincipalRateThrottle(_PlanThrottle):
    """One person or API key (anonymous callers: one address) within one tenant."""

    scope = "principal"

    def limit(self, plan: Plan) -> int:
        return plan.requests_per_minute

    def get_cache_key(self, request: Request, view: APIView) -> str:
        principal = request.auth
        who = (
            principal.throttle_key
            if isinstance(principal, Principal)
            else f"ip:{self.get_ident(request)}"
        )
        return f"throttle:{request.tenant.schema_name}:{who}"  # type: ignore[attr-defined]


class TenantRateThrottle(_PlanThrottle):
    """Everyone in one tenant together: one tenant cannot starve the others."""

    scope = "tenant"

    def limit(self, plan: Plan) -> int:
        return plan.tenant_requests_per_minute

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return f"throttle:{request.tenant.schema_name}:all"  # type: ignore[attr-defined]
