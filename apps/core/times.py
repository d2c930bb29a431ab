"""Times as people read them, in text: in their own time zone (the active one), always with
the zone's name, and how far off they are (`{{ value|when }}` in templates, apps/core/
templatetags/kura_time.py, is the HTML form; these serve messages and emails)."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

NOW_SPAN = timedelta(minutes=1)


def absolute_text(value: datetime) -> str:
    """`2026-11-27 17:27 JST`: the moment in the active time zone, named."""
    local = timezone.localtime(value)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def relative_text(value: datetime, *, now: datetime | None = None) -> str:
    """`in 2 hours`, `3 days ago`: the largest unit only, from the distance rounded to the
    minute (a reminder set for two hours from now says "in 2 hours" a moment later, not
    "in 1 hour")."""
    now = now or timezone.now()
    if abs(value - now) < NOW_SPAN:
        return _("in under a minute") if value > now else _("just now")
    now = value - NOW_SPAN * round((value - now) / NOW_SPAN)
    if value > now:
        return _("in %(span)s") % {"span": timeuntil(value, now, depth=1)}
    return _("%(span)s ago") % {"span": timesince(value, now, depth=1)}


def when_text(value: datetime, *, now: datetime | None = None) -> str:
    """The plain-text form of `|when`, for messages: `2026-11-27 17:27 JST (in 2 hours)`."""
    return f"{absolute_text(value)} ({relative_text(value, now=now)})"
