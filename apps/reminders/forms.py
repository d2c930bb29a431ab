from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CUSTOM = "custom"


class ReminderForm(forms.Form):
    WHEN_CHOICES = [
        ("30m", _("In 30 minutes")),
        ("1h", _("In 1 hour")),
        ("tomorrow", _("Tomorrow at 9:00")),
        (CUSTOM, _("At a date and time")),
    ]

    message = forms.CharField(label=_("Remind me of"), max_length=500)
    when = forms.ChoiceField(label=_("When"), choices=WHEN_CHOICES, initial="30m")
    at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `at` is read in the person's time zone, the active one.
        self.fields["at"].help_text = _("In your time zone, %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        when, at = data.get("when"), data.get("at")
        if when is None or (self.has_error("at") and when == CUSTOM):
            return data
        if when == CUSTOM and at is None:
            self.add_error("at", _("Choose a date and time."))
        elif when != CUSTOM and (at is not None or self.has_error("at")):
            # Pages with JavaScript hide and clear this field; without, say so rather than
            # silently ignoring what was typed.
            self.errors.pop("at", None)
            self.add_error("at", _("To use this date, choose “At a date and time”; or clear it."))
        else:
            data["remind_at"] = self.remind_at(when, at)
        return data

    @staticmethod
    def remind_at(when: str, at: datetime | None) -> datetime:
        """The chosen moment; `at` was read in the person's time zone (the active one)."""
        now = timezone.localtime()
        if when == "30m":
            return now + timedelta(minutes=30)
        if when == "1h":
            return now + timedelta(hours=1)
        if when == "tomorrow":
            day = now.date() + timedelta(days=1)
            return timezone.make_aware(datetime.combine(day, time(9, 0)))
        assert at is not None  # noqa: S101 - clean() asked for it
        return at
