"""Orders of a company's people, their lines, the payments the provider confirmed, and the
company's webhook secret. All in the company's schema: the webhook arrives on the
company's host, so its secret is found where its orders are."""

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.fields import person_field
from apps.catalog.models import Product
from apps.orders.tax import Rounding, validate_registration_number
from apps.tenants.models import Tenant

MAX_LINES = 50
MAX_QUANTITY = 1_000
MAX_KEY = 100


class Order(models.Model):
    """An order of a person: `pending_payment` while its stock is reserved, then `paid`,
    `cancelled` (by its buyer or a manager) or `expired` (no payment by `expires_at`).

    `number` is what people and the payment provider quote: `K-` and eight characters of
    Crockford's base32 in two groups (`K-7F3Q-9XKD`), random, so placing an order takes no
    counter shared by every order of the company. Its expiry job is on the delayed queue
    under the key `order:<id>` (apps.orders.services). Each state change out of
    `pending_payment` is a state-conditional UPDATE, so one of several racing changes wins.
    """

    class State(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Pending payment")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    buyer = person_field(verbose_name=_("buyer"))
    number = models.CharField(_("number"), max_length=16, unique=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING_PAYMENT
    )
    total = models.PositiveBigIntegerField(_("total (yen)"))
    currency = models.CharField(_("currency"), max_length=3, default="JPY", editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("cancelled or expired at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=200, blank=True)
    refund_flagged = models.BooleanField(_("refund flagged"), default=False)
    refund_reason = models.CharField(_("refund reason"), max_length=200, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=MAX_KEY)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at", "id"], name="order_created_id"),
            models.Index(fields=["buyer", "created_at", "id"], name="order_buyer_created_id"),
            models.Index(fields=["state", "created_at", "id"], name="order_state_created_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "idempotency_key"], name="order_buyer_key"),
            models.CheckConstraint(
                condition=~models.Q(state="paid") | models.Q(paid_at__isnull=False),
                name="order_paid_has_time",
            ),
        ]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return self.number

    @property
    def subtotal_excluding_tax(self) -> int:
        """The total less the tax of every rate (reads `tax_lines`: prefetch it)."""
        return self.total - sum(line.tax for line in self.tax_lines.all())

    @property
    def has_reduced_rate(self) -> bool:
        """Some of it at the reduced rate (reads `tax_lines`)."""
        return any(line.reduced_rate for line in self.tax_lines.all())


class OrderLine(models.Model):
    """A product and quantity of an order, its name and unit price copied when ordered. A
    product deleted later leaves its lines (SET_NULL): the order still says what was sold."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    product_name = models.CharField(_("product name"), max_length=200)
    unit_price = models.PositiveIntegerField(_("unit price (yen, tax included)"))
    quantity = models.PositiveIntegerField(_("quantity"))
    tax_rate = models.DecimalField(_("tax rate"), max_digits=3, decimal_places=2)

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.product_name} x {self.quantity}"

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity

    @property
    def reduced_rate(self) -> bool:
        """Taxed at the reduced rate: marked ※ on the invoice."""
        return self.tax_rate < STANDARD_RATE


STANDARD_RATE = Decimal("0.10")


class OrderTax(models.Model):
    """One tax rate of an order: the tax-inclusive total of its lines at that rate and the
    tax inside it, rounded once for the rate (apps.orders.tax), as the invoice states it."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="tax_lines", verbose_name=_("order")
    )
    rate = models.DecimalField(_("tax rate"), max_digits=3, decimal_places=2)
    taxable_amount = models.PositiveBigIntegerField(_("taxable amount (yen, tax included)"))
    tax = models.PositiveBigIntegerField(_("tax (yen)"))

    class Meta:
        ordering = ["rate"]
        constraints = [
            models.UniqueConstraint(fields=["order", "rate"], name="order_tax_one_per_rate")
        ]
        verbose_name = _("order tax")
        verbose_name_plural = _("order taxes")

    def __str__(self) -> str:
        return f"{self.order_id} {self.rate}: {self.tax}"

    @property
    def reduced_rate(self) -> bool:
        return self.rate < STANDARD_RATE


class PaymentEvent(models.Model):
    """A payment the provider confirmed, once per event id (a replay is refused), with what
    it did: paid the order, or came too late (or twice) and flagged it for a refund."""

    class Outcome(models.TextChoices):
        PAID = "paid", _("Paid the order")
        REFUND = "refund", _("Flagged for a refund")

    event_id = models.CharField(_("event id"), max_length=MAX_KEY, unique=True)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="payments", verbose_name=_("order")
    )
    amount = models.PositiveBigIntegerField(_("amount (yen)"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")

    def __str__(self) -> str:
        return self.event_id


class PaymentSecret(models.Model):
    """The company's one webhook secret (a single row). Kept as it is, not hashed: the
    webhook's signature is checked by computing it again. Shown once, when made."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    secret = models.CharField(_("secret"), max_length=100)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    rotated_at = models.DateTimeField(_("rotated at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="payment_secret_one")
        ]
        verbose_name = _("payment secret")
        verbose_name_plural = _("payment secrets")

    def __str__(self) -> str:
        return str(_("payment secret"))


class InvoiceSettings(models.Model):
    """The company as the seller on its qualified invoices (a single row): its name, its
    registration number and how it rounds a fraction of a yen of tax."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    seller_name = models.CharField(_("seller name"), max_length=200, blank=True)
    registration_number = models.CharField(
        _("invoice registration number"),
        max_length=14,
        blank=True,
        validators=[validate_registration_number],
        help_text=_("T and 13 digits (適格請求書発行事業者登録番号)."),
    )
    rounding = models.CharField(
        _("tax rounding"), max_length=16, choices=Rounding.choices, default=Rounding.DOWN
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="invoice_settings_one")
        ]
        verbose_name = _("invoice settings")
        verbose_name_plural = _("invoice settings")

    def __str__(self) -> str:
        return self.seller_name or str(_("invoice settings"))


class TenantOrders(Tenant):
    """A company as the operators' admin shows its orders: counts by state and flagged
    refunds (the orders themselves are in the company's schema; apps.orders.admin reads
    them there)."""

    class Meta:
        proxy = True
        verbose_name = _("company orders")
        verbose_name_plural = _("company orders")
