"""An order's payment deadline as a `<time>` that static/js/orders.js counts down every
second ("14:32 left"); without JavaScript it says when the window closes. A tax rate as a
percentage.

    {% load orders %}{{ order.expires_at|countdown }} {{ tax.rate|percent }}
"""

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from apps.core.times import absolute_text
from apps.orders import tax

register = template.Library()


@register.filter
def countdown(value: datetime | None) -> SafeString | str:
    if not isinstance(value, datetime):
        return ""
    return format_html(
        '<time datetime="{}" data-countdown data-left="{}" data-over="{}">{}</time>',
        timezone.localtime(value).isoformat(timespec="seconds"),
        _("{time} left"),
        _("Time is up"),
        absolute_text(value),
    )


@register.filter
def percent(rate: Decimal) -> str:
    return tax.percent(rate)
