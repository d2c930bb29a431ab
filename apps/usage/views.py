"""The usage page: what the company used today and in the last days, next to its plan's
limits, for the people who run it (apps.usage.policies)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.decorators import legacy_member_required
from apps.accounts.principal import Principal
from apps.files.selectors import storage_used
from apps.tenants.selectors import tenant_current
from apps.usage.policies import can_see_usage
from apps.usage.selectors import DAYS, usage_report


@legacy_member_required()
def usage_view(request: HttpRequest, membership: Any) -> HttpResponse:
    if not can_see_usage(Principal.of_membership(membership)):
        raise PermissionDenied
    report = usage_report(tenant=tenant_current(), storage_now=storage_used())
    context = {"report": report, "days": DAYS, "zone": settings.TIME_ZONE}
    return render(request, "usage/usage.html", context)
