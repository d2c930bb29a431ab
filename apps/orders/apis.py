"""The orders API: placing, listing and cancelling orders (people), the payment webhook (the
provider, signed with the company's secret), and the secret itself (owners and admins)."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import HasRecentSignIn, principal_of, principal_required
from apps.accounts.serializers import PersonSerializer
from apps.core.fields import ItemsField, StrictSerializer
from apps.core.openapi import error_response
from apps.core.pagination import any_style_envelope, any_style_parameters, page_data, paginate
from apps.core.params import MAX_ID
from apps.orders import invoices, policies, selectors, services
from apps.orders.invoice_pdf import invoice_pdf
from apps.orders.models import MAX_KEY, MAX_LINES, MAX_QUANTITY, Order, PaymentEvent
from apps.orders.tax import Rounding
from apps.tenants.request import tenant_of

CONFLICT = "The order is not waiting for payment any more (paid, cancelled or expired)."
OUT_OF_STOCK = "Not enough stock of a product (`out_of_stock`, naming it); nothing reserved."
BAD_SIGNATURE = (
    "No valid signature with this company's secret, or a timestamp more than five minutes "
    "old or more than a minute ahead (`invalid_signature`)."
)
REPLAYED = "This event id was received before (`replayed_event`); nothing changed."
UNKNOWN_ORDER = "This company has no order with this number."
NOT_ON_SALE = (
    "A product is not on sale (none of this company has the id, or it is inactive), or the "
    "lines of one product add up to more than 1,000 units (under `errors.lines`)."
)
INVOICE_UNAVAILABLE = (
    "The order is not paid, or the company has not set its invoice registration number "
    "(`invoice_unavailable`)."
)
AMOUNT_MISMATCH = "The amount is not the order's total (`amount_mismatch`); nothing changed."


class OrderingPermission(BasePermission):
    """Reading one's orders: people; placing and cancelling: people who may write (the
    service asks the rule for the order itself)."""

    message = _("Only people who may write in this company order; API keys have no orders.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        principal = principal_of(request)
        if request.method == "GET":
            return policies.can_see_orders(principal)
        return policies.can_order(principal)


class PaymentsPermission(BasePermission):
    message = _("Only owners and admins manage the payment secret.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return policies.can_manage_payments(principal_of(request))


class OrderLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(
        allow_null=True, help_text=_("Null once the product was deleted.")
    )
    product_name = serializers.CharField()
    unit_price = serializers.IntegerField(help_text=_("Yen, as when ordered."))
    quantity = serializers.IntegerField()
    subtotal = serializers.IntegerField(help_text=_("Yen, the consumption tax included."))
    tax_rate = serializers.DecimalField(
        max_digits=3, decimal_places=2, help_text=_('"0.10", or "0.08" (reduced rate).')
    )


class TaxLineSerializer(serializers.Serializer):
    rate = serializers.DecimalField(
        max_digits=3, decimal_places=2, help_text=_('"0.10" (standard) or "0.08" (reduced).')
    )
    taxable_amount = serializers.IntegerField(
        help_text=_("Yen: the lines at this rate added up, the tax included.")
    )
    tax = serializers.IntegerField(
        help_text=_(
            "Yen: the tax inside `taxable_amount`, rounded once for the rate with the "
            "company's rule (never per line)."
        )
    )


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    buyer = PersonSerializer()
    state = serializers.ChoiceField(choices=Order.State.choices)
    total = serializers.IntegerField(help_text=_("Yen, the consumption tax included."))
    subtotal_excluding_tax = serializers.IntegerField(
        help_text=_("Yen: `total` less the tax of every rate.")
    )
    tax_lines = TaxLineSerializer(
        many=True, source="tax_lines.all", help_text=_("One per tax rate, lowest rate first.")
    )
    currency = serializers.CharField()
    lines = OrderLineSerializer(many=True, source="lines.all")
    expires_at = serializers.DateTimeField(
        help_text=_("Unpaid by then, the order expires and its stock returns.")
    )
    paid_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    payment_reference = serializers.CharField()
    refund_flagged = serializers.BooleanField()
    refund_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class OrderLineInputSerializer(StrictSerializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class OrderListApi(APIView):
    """Your orders, newest first (GET; owners and admins see everyone's), paged by `?page=`
    (the default), `?cursor=` or `?after=`; or a new order (POST).

    A new order reserves the stock of every line, all or none (409 `out_of_stock` naming
    the product short), and waits for its payment until `expires_at`; unpaid by then it
    expires and its stock returns. Send a key of your own with it: the same key again
    answers 200 with the first order and reserves nothing."""

    permission_classes = [OrderingPermission]

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=Order.State.choices, required=False)

    class InputSerializer(StrictSerializer):
        lines = ItemsField(
            child=OrderLineInputSerializer(),
            min_length=1,
            max_length=MAX_LINES,
            error_messages={"min_length": _("Order at least one product.")},
        )
        idempotency_key = serializers.CharField(max_length=MAX_KEY)

    @extend_schema(
        operation_id="orders_list",
        parameters=[FilterSerializer, *any_style_parameters()],
        responses=any_style_envelope(OrderSerializer),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        orders = selectors.order_list(
            actor=principal_required(request),
            state=filters.validated_data.get("state"),
            everyone=True,
        )
        page = paginate(
            orders,
            request.query_params,
            endpoint="orders_list",
            ordering=selectors.ORDERING,
            filters=filters.validated_data,
            default="offset",
        )
        return Response(page_data(page, OrderSerializer))

    @extend_schema(
        operation_id="orders_create",
        request=InputSerializer,
        responses={
            200: OrderSerializer,
            201: OrderSerializer,
            409: error_response(OUT_OF_STOCK),
            422: error_response(NOT_ON_SALE),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        placed = services.order_place(
            tenant=tenant_of(request),
            actor=principal_required(request),
            lines=[
                services.LineInput(product_id=line["product_id"], quantity=line["quantity"])
                for line in data.validated_data["lines"]
            ],
            idempotency_key=data.validated_data["idempotency_key"],
        )
        order = selectors.order_get(actor=principal_required(request), order_id=placed.order.pk)
        return Response(
            OrderSerializer(order).data,
            status=status.HTTP_201_CREATED if placed.created else status.HTTP_200_OK,
        )


def _order(request: Request, order_id: int) -> Order:
    return selectors.order_get(actor=principal_required(request), order_id=order_id)


class OrderDetailApi(APIView):
    """One order: its buyer's, or any for owners and admins."""

    permission_classes = [OrderingPermission]

    @extend_schema(operation_id="orders_detail", responses=OrderSerializer)
    def get(self, request: Request, order_id: int) -> Response:
        return Response(OrderSerializer(_order(request, order_id)).data)


class OrderCancelApi(APIView):
    """Cancel an order waiting for payment: its buyer, or an owner or admin; its stock
    returns. 409 once it was paid, cancelled or expired."""

    permission_classes = [OrderingPermission]

    @extend_schema(
        operation_id="orders_cancel",
        request=None,
        responses={200: OrderSerializer, 409: error_response(CONFLICT)},
    )
    def post(self, request: Request, order_id: int) -> Response:
        services.order_cancel(
            tenant=tenant_of(request),
            order=_order(request, order_id),
            actor=principal_required(request),
        )
        return Response(OrderSerializer(_order(request, order_id)).data)


class InvoiceSettingsApi(APIView):
    """The company as the seller on its qualified invoices (適格請求書): its name, its
    qualified invoice issuer registration number (`T` and 13 digits, the first of which
    checks the rest) and how a fraction of a yen of tax is rounded, once per rate per order
    (`down` 切り捨て, the default; `half_up` 四捨五入; `up` 切り上げ). Owners and admins."""

    permission_classes = [PaymentsPermission]

    class InputSerializer(StrictSerializer):
        seller_name = serializers.CharField(max_length=200, allow_blank=True)
        registration_number = serializers.RegexField(
            r"^(T[0-9]{13})?$",
            allow_blank=True,
            error_messages={
                "invalid": _("A registration number is T and 13 digits, e.g. T1234567890123.")
            },
        )
        rounding = serializers.ChoiceField(choices=Rounding.choices)

    class OutputSerializer(serializers.Serializer):
        seller_name = serializers.CharField()
        registration_number = serializers.CharField()
        rounding = serializers.ChoiceField(choices=Rounding.choices)

    @extend_schema(operation_id="invoice_settings_detail", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.invoice_settings()).data)

    @extend_schema(
        operation_id="invoice_settings_update",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            422: error_response(
                "The registration number's check digit does not match, or a number is given "
                "without the seller's name."
            ),
        },
    )
    def put(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.invoice_settings_update(
            actor=principal_required(request), **data.validated_data
        )
        return Response(self.OutputSerializer(row).data)


class PDFRenderer(renderers.BaseRenderer):
    """Lets a request that accepts only `application/pdf` through content negotiation; the
    PDF itself is a plain response. A refusal negotiated to it is still the JSON error."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(
        self,
        data: object,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return renderers.JSONRenderer().render(data)


class OrderInvoiceApi(APIView):
    """The qualified invoice (適格請求書) of a paid order as a PDF, in the caller's language:
    the seller and its registration number, the date of sale, the buyer, the lines (※ on
    those at the reduced rate), the total and, per rate, the amount and its tax. 409
    `invoice_unavailable` while the order is unpaid or the company has not set its
    registration number (`PUT /api/invoice-settings`)."""

    permission_classes = [OrderingPermission]
    renderer_classes = [renderers.JSONRenderer, PDFRenderer]

    @extend_schema(
        operation_id="orders_invoice",
        # Like every operation, not the `?format=` DRF reads with two renderers.
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The invoice, one A4 page or more."
            ),
            (409, "application/json"): error_response(INVOICE_UNAVAILABLE),
        },
    )
    def get(self, request: Request, order_id: int) -> HttpResponse:
        invoice = invoices.invoice_get(actor=principal_required(request), order_id=order_id)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="invoice-{invoice.order.number}.pdf"'
        return response


class PaymentWebhookApi(APIView):
    """The payment provider confirms a payment. No user: the request is signed.

    Headers: `Kura-Timestamp: <Unix seconds>` and `Kura-Signature: v1=<hex>`, the
    HMAC-SHA256 of `<timestamp>.<raw body>` (the timestamp, a dot, the body's bytes as
    sent) keyed with the company's secret (`POST /api/payments/secret`). Refused with 401:
    no signature or a wrong one (another company's secret too), a timestamp more than five
    minutes old or more than one minute ahead. A replayed `event_id` answers 409, an
    `amount` other than the order's total 422, with nothing changed. A payment for an
    order that expired or was cancelled (or was paid already) is recorded with the outcome
    `refund` and the order flagged for a refund."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    class InputSerializer(StrictSerializer):
        event_id = serializers.CharField(max_length=MAX_KEY)
        order_number = serializers.CharField(max_length=16)
        amount = serializers.IntegerField(min_value=0, max_value=MAX_ID, help_text=_("Yen."))
        reference = serializers.CharField(max_length=200, allow_blank=True, default="")

    class OutputSerializer(serializers.Serializer):
        event_id = serializers.CharField()
        order_number = serializers.CharField(source="order.number")
        outcome = serializers.ChoiceField(choices=PaymentEvent.Outcome.choices)
        state = serializers.ChoiceField(choices=Order.State.choices, source="order.state")

    @extend_schema(
        operation_id="payments_webhook",
        auth=[],
        parameters=[
            OpenApiParameter(
                "Kura-Timestamp",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="Unix time in seconds when the request was signed.",
            ),
            OpenApiParameter(
                "Kura-Signature",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description='`v1=` and the hex HMAC-SHA256 of "<timestamp>.<raw body>".',
            ),
        ],
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            401: error_response(BAD_SIGNATURE),
            404: error_response(UNKNOWN_ORDER),
            409: error_response(REPLAYED),
            422: error_response(AMOUNT_MISMATCH),
        },
    )
    def post(self, request: Request) -> Response:
        body = request.body  # the bytes signed, read before the parser consumes them
        services.payment_signature_verify(
            timestamp=request.headers.get("Kura-Timestamp", ""),
            signature=request.headers.get("Kura-Signature", ""),
            body=body,
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.payment_record(
            tenant=tenant_of(request),
            **data.validated_data,
        )
        return Response(self.OutputSerializer(event).data)


class PaymentSecretApi(APIView):
    """Make the company's webhook secret, or rotate it (the old one stops working at once).
    The answer is the only time the secret is shown: give it to the payment provider."""

    permission_classes = [PaymentsPermission, HasRecentSignIn]

    class OutputSerializer(serializers.Serializer):
        secret = serializers.CharField()
        created_at = serializers.DateTimeField()
        rotated_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        operation_id="payments_secret",
        request=None,
        responses={
            201: OutputSerializer,
            403: error_response(
                "Not an owner or admin (API keys never are), or the sign-in is older than "
                "KURA_REAUTH_SECONDS (code `reauthentication_required`): sign in again."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        secret = services.payment_secret_rotate(actor=principal_required(request))
        return Response(self.OutputSerializer(secret).data, status=status.HTTP_201_CREATED)
