"""Operators' view of usage: every company with today's and the last days' figures, sortable
by each, and a page per company with its days next to its plan's limits. Read-only."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.principal import SystemActor
from apps.tenants.company_admin import CompanyPageAdmin
from apps.tenants.models import Tenant
from apps.usage.models import TenantUsage, UsageDay, usage_day
from apps.usage.selectors import DAYS, usage_report


@admin.register(TenantUsage)
class TenantUsageAdmin(CompanyPageAdmin):
    """The figures are annotations of the list's query (one query for the page), so the
    list sorts by any of them: who uses the most, today or over the last days."""

    list_display = [
        "name",
        "slug",
        "plan",
        "requests_today",
        "requests_recent",
        "jobs_recent",
        "storage",
        "documents",
        "page_link",
    ]
    list_select_related = ["plan"]
    page = "usage"
    page_label = gettext_lazy("Usage")

    def get_queryset(self, request: HttpRequest) -> Any:
        today = usage_day()
        rows = UsageDay.objects.filter(tenant_id=OuterRef("pk"))
        latest = rows.order_by("-day")
        recent = rows.filter(day__gt=today - timedelta(days=DAYS)).order_by().values("tenant_id")

        def total(column: str) -> Any:
            return Coalesce(Subquery(recent.annotate(total=Sum(column)).values("total")), 0)

        return (
            super()
            .get_queryset(request)
            .annotate(
                requests_today_=Coalesce(
                    Subquery(rows.filter(day=today).values("api_requests")[:1]), 0
                ),
                requests_recent_=total("api_requests"),
                jobs_recent_=total("jobs_run"),
                storage_=Coalesce(Subquery(latest.values("storage_bytes")[:1]), 0),
                documents_=Coalesce(Subquery(latest.values("search_documents")[:1]), 0),
            )
        )

    def figures(self, tenants: list[Tenant]) -> Mapping[int, Any]:
        return {}  # annotated on the list's query (get_queryset)

    def no_figures(self) -> Any:
        return None

    @admin.display(description=gettext_lazy("API requests today"), ordering="requests_today_")
    def requests_today(self, tenant: Any) -> int:
        return int(tenant.requests_today_)

    @admin.display(description=gettext_lazy("API requests, 30 days"), ordering="requests_recent_")
    def requests_recent(self, tenant: Any) -> int:
        return int(tenant.requests_recent_)

    @admin.display(description=gettext_lazy("jobs run, 30 days"), ordering="jobs_recent_")
    def jobs_recent(self, tenant: Any) -> int:
        return int(tenant.jobs_recent_)

    @admin.display(description=gettext_lazy("storage"), ordering="storage_")
    def storage(self, tenant: Any) -> str:
        return filesizeformat(tenant.storage_)

    @admin.display(description=gettext_lazy("search documents"), ordering="documents_")
    def documents(self, tenant: Any) -> int:
        return int(tenant.documents_)

    def company_page(self, request: HttpRequest, tenant: Tenant) -> HttpResponse:
        context = {
            **self.page_context(request, tenant, _("Usage of %(company)s")),
            "report": usage_report(
                actor=SystemActor.of_operator(request, tenant, "read the usage")
            ),
            "days": DAYS,
        }
        return TemplateResponse(request, "admin/usage/tenant_usage.html", context)
