"""Times as people read them: in their own time zone (the active one), always with the
zone's name, and how far off they are where that helps.

    {% load kura_time %}{{ reminder.remind_at|when }}
    → <time datetime="2026-11-27T17:27:00+09:00">2026-11-27 17:27 JST</time> (in 2 hours)
    {{ key.created_at|when:"plain" }}   (without the relative part)
"""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.core.times import absolute_text, relative_text

register = template.Library()


@register.filter
def when(value: datetime | None, mode: str = "") -> SafeString | str:
    """A `<time>` element with the zone, then the relative time unless `mode` is "plain"."""
    if not isinstance(value, datetime):
        return ""
    element = format_html(
        '<time datetime="{}">{}</time>',
        timezone.localtime(value).isoformat(timespec="seconds"),
        absolute_text(value),
    )
    if mode == "plain":
        return element
    return format_html("{} ({})", element, relative_text(value))
