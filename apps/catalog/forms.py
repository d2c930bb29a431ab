from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import MAX_DESCRIPTION, MAX_PRICE, MAX_STOCK, Brand, Category, TaxClass
from apps.core.forms import choices_set
from apps.search import query


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    sku = forms.CharField(label=_("SKU"), max_length=64)
    price = forms.IntegerField(
        label=_("Price (yen, tax included)"), min_value=0, max_value=MAX_PRICE
    )
    tax_class = forms.ChoiceField(
        label=_("Consumption tax"), choices=TaxClass.choices, initial=TaxClass.STANDARD
    )
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=MAX_STOCK, initial=0)
    category_id = forms.TypedChoiceField(
        label=_("Category"), coerce=int, empty_value=None, required=False
    )
    brand_id = forms.TypedChoiceField(
        label=_("Brand"), coerce=int, empty_value=None, required=False
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    active = forms.BooleanField(label=_("On sale (shown in search)"), required=False, initial=True)

    def __init__(
        self, *args: Any, categories: list[Category], brands: list[Brand], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        none = [("", _("None"))]
        choices_set(self, "category_id", none + [(c.pk, c.path) for c in categories])
        choices_set(self, "brand_id", none + [(b.pk, b.name) for b in brands])


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("New category"), max_length=100)
    parent_id = forms.TypedChoiceField(
        label=_("Under"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, tops: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_set(self, "parent_id", [("", _("Top level")), *((c.pk, c.name) for c in tops)])


class BrandForm(forms.Form):
    name = forms.CharField(label=_("New brand"), max_length=100)


class SynonymForm(forms.Form):
    terms = forms.CharField(
        label=_("Words that mean the same"),
        max_length=600,
        help_text=_("Separated by commas, e.g. アイフォン, iPhone, あいふぉん."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns sku, name, price, and optionally description, stock, category "
            "(“Parent > Child”), brand, active. UTF-8 or Shift_JIS, up to 10,000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


SEARCH_PAGE_SIZE = 20


class SearchForm(forms.Form):
    """The catalog page's search: what people typed and the facets they chose (a GET form,
    so a search is a link)."""

    SORT_CHOICES = [
        ("relevance", _("Best match")),
        ("newest", _("Newest")),
        ("price", _("Price: low to high")),
        ("-price", _("Price: high to low")),
    ]

    q = forms.CharField(
        label=_("Search products"), max_length=query.MAX_QUERY_LENGTH, required=False
    )
    category = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    brand = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    price_min = forms.IntegerField(
        label=_("From (yen)"), min_value=0, max_value=MAX_PRICE, required=False
    )
    price_max = forms.IntegerField(
        label=_("To (yen)"), min_value=0, max_value=MAX_PRICE, required=False
    )
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("Enter a price no lower than the “from” price."))
        page = data.get("page") or 1
        if query.page_too_deep(page=page, size=SEARCH_PAGE_SIZE):
            self.add_error(None, _("Results go 10,000 deep; narrow the search to see more."))
        return data
