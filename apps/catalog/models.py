from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.files.models import File

MAX_PRICE = 100_000_000  # yen
MAX_STOCK = 1_000_000_000
MAX_DESCRIPTION = 5_000


class TaxClass(models.TextChoices):
    """Japan's consumption tax on what a product is: the standard 10 %, or the reduced 8 %
    for food and drink (not alcohol or eating in) and newspapers."""

    STANDARD = "standard", _("Standard rate (10%)")
    REDUCED = "reduced", _("Reduced rate (8%, food and drink)")


TAX_RATES: dict[str, Decimal] = {
    TaxClass.STANDARD: Decimal("0.10"),
    TaxClass.REDUCED: Decimal("0.08"),
}


def tax_included_in(amount: int, rate: Decimal) -> Decimal:
    """The consumption tax inside a tax-inclusive amount, unrounded: amount x rate / (1 + rate)."""
    return amount * rate / (1 + rate)


class Category(models.Model):
    """A shelf of the catalog, in a tree of two levels (家電 > スマートフォン)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="category_unique_name", nulls_distinct=False
            ),
        ]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        """`Parent > Child`, or the name of a top-level category."""
        return f"{self.parent.name} > {self.name}" if self.parent_id and self.parent else self.name

    def clean(self) -> None:
        if self.parent is not None and self.parent.parent_id is not None:
            raise ValidationError(
                {"parent": _("Categories have two levels: choose a top-level parent.")}
            )
        if self.parent_id is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A category cannot be its own parent.")})


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """Something the company sells, priced in yen with the consumption tax in (総額表示: the
    price people pay is the one shown). Search finds it through the index, which learns of
    every change through the outbox (apps.search)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=MAX_DESCRIPTION)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
    )
    brand = models.ForeignKey(
        Brand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("brand"),
    )
    price = models.PositiveIntegerField(_("price (yen)"), validators=[MaxValueValidator(MAX_PRICE)])
    tax_class = models.CharField(
        _("tax class"), max_length=16, choices=TaxClass.choices, default=TaxClass.STANDARD
    )
    stock = models.PositiveIntegerField(
        _("stock"), default=0, validators=[MaxValueValidator(MAX_STOCK)]
    )
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    # In the order they are shown; the first is the product's main image (ProductImage).
    images = models.ManyToManyField(
        File, blank=True, related_name="+", through="ProductImage", verbose_name=_("images")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at", "id"], name="product_created_id")]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name

    @property
    def tax_rate(self) -> Decimal:
        return TAX_RATES[self.tax_class]

    @property
    def price_excluding_tax(self) -> int:
        """The price without its tax, the tax rounded down (a shop's display; an order's tax
        is worked out once per rate over the order, apps.orders.tax)."""
        return self.price - int(tax_included_in(self.price, self.tax_rate))

    @property
    def image_files(self) -> list[File]:
        """The images in their order, the main one first (prefetched by the selectors)."""
        return [link.file for link in self.image_links.all()]


class ProductImage(models.Model):
    """One of a product's images, at its place among them: 0 is the main image (the
    thumbnail of search results and carts), the rest the product page's gallery."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="image_links")
    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        # The table the plain many-to-many had, so its rows (their order unknown) stay.
        db_table = "catalog_product_images"
        ordering = ["position", "id"]
        unique_together = [("product", "file")]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")

    def __str__(self) -> str:
        return f"{self.product_id} #{self.position}"
