"""The audit log page: a company's owners read what happened, a page at a time (the log
is apps.audit's; who reads it is a membership's question)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from apps.accounts.decorators import member_required
from apps.accounts.policies import can_read_audit
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.audit.forms import AuditFilterForm
from apps.audit.selectors import audit_list
from apps.core.pagination import numbered_page
from apps.core.params import int_param

PAGE_SIZE = 50


@member_required()
def audit_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    if not can_read_audit(principal):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = numbered_page(
        audit_list(
            tenant=request.tenant,
            group=filters.get("group", ""),
            actor=filters.get("actor", ""),
            since=AuditFilterForm.day_start(filters.get("since")),
            until=AuditFilterForm.day_start(filters.get("until"), after=True),
        ),
        number=int_param(request.GET.get("page")),
        size=PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit.html",
        {
            "form": form,
            "entries": page,
            "query": query.urlencode(),
            "filtered": bool(filters and any(filters.values())),
        },
    )
