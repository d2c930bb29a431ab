from django import forms
from django.utils.translation import gettext_lazy as _

from apps.orders.models import MAX_QUANTITY, Order
from apps.orders.tax import Rounding

PAGE_SIZE = 25


class CartAddForm(forms.Form):
    product = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )


class CartChangeForm(forms.Form):
    product = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)


class StateFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Every state")), *Order.State.choices],
        required=False,
    )


class InvoiceSettingsForm(forms.Form):
    seller_name = forms.CharField(label=_("Seller name"), max_length=200, required=False)
    registration_number = forms.RegexField(
        label=_("Invoice registration number"),
        regex=r"^(T[0-9]{13})?$",
        required=False,
        max_length=14,
        help_text=_("T and 13 digits (適格請求書発行事業者登録番号)."),
        error_messages={
            "invalid": _("A registration number is T and 13 digits, e.g. T1234567890123.")
        },
    )
    rounding = forms.ChoiceField(label=_("Rounding of the tax"), choices=Rounding.choices)
