from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.audit.actions import GROUPS


class AuditFilterForm(forms.Form):
    """The /audit page's filters; dates are whole days in the reader's time zone."""

    group = forms.ChoiceField(
        label=_("What"),
        choices=[("", _("Everything")), *((key, label) for key, (label, _p) in GROUPS.items())],
        required=False,
    )
    actor = forms.CharField(label=_("Who (email)"), max_length=254, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            raise ValidationError({"until": _("Choose a day on or after the first day.")})
        return cleaned

    @staticmethod
    def day_start(day: date | None, *, after: bool = False) -> datetime | None:
        """The start of `day` (of the next day when `after`) in the current time zone."""
        if day is None:
            return None
        if after:
            day += timedelta(days=1)
        return timezone.make_aware(datetime.combine(day, time.min))
