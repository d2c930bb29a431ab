from django import forms
from django.utils.translation import gettext_lazy as _

from apps.orders.models import MAX_QUANTITY, Order

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
