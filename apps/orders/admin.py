"""Operators' view of the orders: each company's orders by state and its flagged refunds,
its newest orders, and cancelling one waiting for payment (through the service, so its job
is cancelled and its stock returned)."""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import get_public_schema_name, tenant_context

from apps.orders import selectors, services
from apps.orders.errors import OrderStateError
from apps.orders.models import Order, TenantOrders


@admin.register(TenantOrders)
class TenantOrdersAdmin(admin.ModelAdmin):
    """Read-only: one row per company, its orders by state and its flagged refunds."""

    list_display = ["name", "slug", "pending", "paid", "closed", "refunds", "orders_link"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request: HttpRequest) -> Any:
        skip = [get_public_schema_name(), settings.TENANT_BASE_SCHEMA]
        return super().get_queryset(request).exclude(schema_name__in=skip)

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)
        counts = selectors.order_counts_by_tenant(page)
        for tenant in page:
            tenant.counts = counts.get(tenant.pk, selectors.NO_ORDERS)  # type: ignore[attr-defined]
        return changelist

    @admin.display(description=gettext_lazy("pending payment"))
    def pending(self, tenant: TenantOrders) -> int:
        return tenant.counts.pending  # type: ignore[attr-defined, no-any-return]

    @admin.display(description=gettext_lazy("paid"))
    def paid(self, tenant: TenantOrders) -> int:
        return tenant.counts.paid  # type: ignore[attr-defined, no-any-return]

    @admin.display(description=gettext_lazy("cancelled or expired"))
    def closed(self, tenant: TenantOrders) -> int:
        return tenant.counts.closed  # type: ignore[attr-defined, no-any-return]

    @admin.display(description=gettext_lazy("refunds flagged"))
    def refunds(self, tenant: TenantOrders) -> int:
        return tenant.counts.refunds  # type: ignore[attr-defined, no-any-return]

    @admin.display(description="")
    def orders_link(self, tenant: TenantOrders) -> str:
        url = reverse("admin:orders_tenantorders_orders", args=[tenant.pk])
        return format_html('<a href="{}">{}</a>', url, _("Orders"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        orders = path(
            "<int:tenant_id>/orders/",
            self.admin_site.admin_view(self.orders_view),
            name="orders_tenantorders_orders",
        )
        return [orders, *super().get_urls()]

    def orders_view(self, request: HttpRequest, tenant_id: int) -> HttpResponse:
        """A company's newest orders, by state or only those flagged for a refund; POST
        cancels one waiting for payment (the `change` permission of orders)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        tenant = get_object_or_404(self.get_queryset(request), pk=tenant_id)
        if request.method == "POST":
            if not request.user.has_perm("orders.change_order"):
                raise PermissionDenied
            try:
                order_id = int(request.POST.get("order", ""))
            except ValueError:
                raise Http404 from None
            with tenant_context(tenant):
                order = Order.objects.select_related("buyer").filter(pk=order_id).first()
                if order is None:
                    raise Http404
                try:
                    services.order_cancel(tenant=tenant, order=order, actor=None)
                except OrderStateError as error:
                    self.message_user(request, error.message, level=messages.ERROR)
                else:
                    self.message_user(request, _("The order was cancelled."))
            return HttpResponseRedirect(request.get_full_path())
        state = request.GET.get("state") or None
        if state not in {None, *Order.State.values}:
            state = None
        refunds = request.GET.get("refunds") == "1"
        context = {
            **self.admin_site.each_context(request),
            "title": _("Orders of %(company)s") % {"company": tenant.name},
            "opts": self.model._meta,  # noqa: SLF001
            "tenant": tenant,
            "orders": selectors.tenant_orders(tenant=tenant, state=state, refunds=refunds),
            "states": Order.State.choices,
            "state": state,
            "refunds": refunds,
            "pending": Order.State.PENDING_PAYMENT,
            "can_cancel": request.user.has_perm("orders.change_order"),
        }
        return TemplateResponse(request, "admin/orders/tenant_orders.html", context)
