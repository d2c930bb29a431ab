from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderForm(forms.Form):
    WHEN_CHOICES = [
        ("30m", _("In 30 minutes")),
        ("1h", _("In 1 hour")),
        ("tomorrow", _("Tomorrow at 9:00")),
        ("custom", _("At a date and time")),
    ]

    message = forms.CharField(label=_("Remind me of"), max_length=500)
    when = forms.ChoiceField(label=_("When"), choices=WHEN_CHOICES, initial="30m")
    at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("In your time zone."),
    )

    def remind_at(self) -> datetime:
        """The chosen moment; `at` is read in the person's time zone (the active one)."""
        now = timezone.localtime()
        when = self.cleaned_data["when"]
        if when == "30m":
            return now + timedelta(minutes=30)
        if when == "1h":
            return now + timedelta(hours=1)
        if when == "tomorrow":
            day = now.date() + timedelta(days=1)
            return timezone.make_aware(datetime.combine(day, time(9, 0)))
        if self.cleaned_data.get("at") is None:
            raise forms.ValidationError({"at": _("Choose a date and time.")})
        return self.cleaned_data["at"]
