"""Operators' view of the orders: each company's orders by state and its flagged refunds,
its newest orders, and cancelling one waiting for payment (through the service, so its job
is cancelled and its stock returned)."""

from collections.abc import Mapping

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.principal import SystemActor
from apps.orders import selectors, services
from apps.orders.errors import OrderStateError
from apps.orders.models import Order, TenantOrders
from apps.tenants.company_admin import CompanyPageAdmin
from apps.tenants.models import Tenant


def _order_cancel(actor: SystemActor, order: Order) -> str:
    services.order_cancel(tenant=actor.tenant, order=order, actor=actor)
    return _("The order was cancelled.")


@admin.register(TenantOrders)
class TenantOrdersAdmin(CompanyPageAdmin):
    """Read-only: one row per company, its orders by state and its flagged refunds."""

    list_display = ["name", "slug", "pending", "paid", "closed", "refunds", "page_link"]
    page = "orders"
    page_label = gettext_lazy("Orders")

    def figures(self, tenants: list[Tenant]) -> Mapping[int, selectors.OrderCounts]:
        return selectors.order_counts_by_tenant(tenants)

    def no_figures(self) -> selectors.OrderCounts:
        return selectors.NO_ORDERS

    @admin.display(description=gettext_lazy("pending payment"))
    def pending(self, tenant: TenantOrders) -> int:
        return tenant.figures.pending

    @admin.display(description=gettext_lazy("paid"))
    def paid(self, tenant: TenantOrders) -> int:
        return tenant.figures.paid

    @admin.display(description=gettext_lazy("cancelled or expired"))
    def closed(self, tenant: TenantOrders) -> int:
        return tenant.figures.closed

    @admin.display(description=gettext_lazy("refunds flagged"))
    def refunds(self, tenant: TenantOrders) -> int:
        return tenant.figures.refunds

    def company_page(self, request: HttpRequest, tenant: Tenant) -> HttpResponse:
        """A company's newest orders, by state or only those flagged for a refund; POST
        cancels one waiting for payment (the `change` permission of orders)."""
        if request.method == "POST":
            return self.company_action(
                request,
                tenant,
                permission="orders.change_order",
                field="order",
                key=int,
                find=lambda pk: Order.objects.select_related("buyer").filter(pk=pk).first(),
                act=lambda order: _order_cancel(
                    SystemActor.of_operator(request, tenant, "cancelled an order"), order
                ),
                refusals=(OrderStateError,),
            )
        state = self.chosen(request, "state", Order.State.values)
        refunds = request.GET.get("refunds") == "1"
        context = {
            **self.page_context(request, tenant, _("Orders of %(company)s")),
            "orders": selectors.tenant_orders(tenant=tenant, state=state, refunds=refunds),
            "states": Order.State.choices,
            "state": state,
            "refunds": refunds,
            "pending": Order.State.PENDING_PAYMENT,
            "can_cancel": request.user.has_perm("orders.change_order"),
        }
        return TemplateResponse(request, "admin/orders/tenant_orders.html", context)
