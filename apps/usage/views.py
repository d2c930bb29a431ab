"""The usage page: what the company used today and in the last days, next to its plan's
limits, for the people who run it (apps.usage.policies)."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from apps.accounts.decorators import member_required
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.files.selectors import storage_used
from apps.usage.selectors import DAYS, usage_report


@member_required()
def usage_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """403 for those who do not run the company (usage_report refuses them)."""
    report = usage_report(actor=principal, storage_now=storage_used())
    context = {"report": report, "days": DAYS, "zone": settings.TIME_ZONE}
    return render(request, "usage/usage.html", context)
