from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import MAX_DESCRIPTION, MAX_PRICE, MAX_STOCK, Brand, Category, TaxClass
from apps.core.forms import choices_set
from apps.files.models import File
from apps.files.selectors import image_url
from apps.search import query

# An image no longer offered (deleted, or not a ready image of the company): as the API says.
IMAGES_REFUSED = _("Choose ready images of this company.")


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
    # Ticked images in the order the page sends them (it lists them in their order).
    image_ids = forms.MultipleChoiceField(
        label=_("Images"),
        required=False,
        error_messages={"invalid_choice": IMAGES_REFUSED},
    )
    main_image = forms.ChoiceField(
        label=_("Main image"), required=False, error_messages={"invalid_choice": IMAGES_REFUSED}
    )

    def __init__(
        self,
        *args: Any,
        categories: list[Category],
        brands: list[Brand],
        images: Sequence[File] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        none = [("", _("None"))]
        choices_set(self, "category_id", none + [(c.pk, c.path) for c in categories])
        choices_set(self, "brand_id", none + [(b.pk, b.name) for b in brands])
        self.images = {str(f.pk): f for f in images}
        named = [(pk, f.name) for pk, f in self.images.items()]
        choices_set(self, "image_ids", named)
        choices_set(self, "main_image", [("", _("None")), *named])

    def clean(self) -> dict[str, Any]:
        """`image_ids` in the order to show them, the main image first."""
        data = super().clean() or {}
        chosen = list(data.get("image_ids") or [])
        main = data.pop("main_image", "") or ""
        if main and main not in chosen:
            self.add_error("main_image", _("Tick the main image too, to show it."))
        elif main:
            chosen.remove(main)
            chosen.insert(0, main)
        data["image_ids"] = [UUID(pk) for pk in chosen]
        return data

    def image_options(self) -> list["ImageOption"]:
        """The images to choose from, as the page lists them: the ticked ones in their
        order, the main one first, then the rest (newest first)."""
        chosen = [str(pk) for pk in self["image_ids"].value() or []]
        main = self["main_image"].value() or (chosen[0] if chosen else "")
        ordered = [pk for pk in [main, *chosen] if pk in chosen and pk in self.images]
        ordered = list(dict.fromkeys(ordered))
        ordered += [pk for pk in self.images if pk not in ordered]
        return [
            ImageOption(
                file=self.images[pk],
                thumbnail=image_url(file=self.images[pk], key=self.images[pk].thumbnail_key),
                chosen=pk in chosen,
                main=pk == main,
            )
            for pk in ordered
        ]


@dataclass(frozen=True)
class ImageOption:
    """An image the product form offers, with its thumbnail's URL."""

    file: File
    thumbnail: str | None
    chosen: bool
    main: bool


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

    def usable_data(self) -> dict[str, Any]:
        """What was given and is right, once validated: a refused field is left out (a
        price range the wrong way round loses its upper end), and past the deepest page
        the search starts again on the first."""
        data = dict(self.cleaned_data)
        if self.non_field_errors():
            data.pop("page", None)
        return data
