from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import choices_set
from apps.files.models import File
from apps.posts.models import MAX_BODY

PUBLISH, SCHEDULE, DRAFT = "publish", "schedule", "draft"


def _time_field(label: Any) -> forms.DateTimeField:
    """A date and time read in the person's time zone (the active one)."""
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _zone_help(field: forms.Field) -> None:
    field.help_text = _("In your time zone, %(zone)s.") % {
        "zone": timezone.get_current_timezone_name()
    }


class PostForm(forms.Form):
    """A post's text and attachments (the edit page). The body's rules (not empty, at most
    MAX_BODY) are the service's, whose errors sit beside the field; the attachments are
    chosen among the files the page offers, and the service checks them again (ready, of
    this company)."""

    body = forms.CharField(
        label=_("Post"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = forms.TypedMultipleChoiceField(
        label=_("Attach files"), required=False, coerce=UUID, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, files: Iterable[File] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_set(self, "attachments", [(str(f.pk), f.name) for f in files])

    def chosen(self) -> set[str]:
        """The attachments ticked (as the page shows them again after an error)."""
        return {str(v) for v in (self["attachments"].value() or [])}


class ComposerForm(PostForm):
    """The feed's composer: "Post now", "Schedule" (at `publish_at`) or "Save as draft",
    the button pressed being `action`."""

    publish_at = _time_field(_("Publish at"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _zone_help(self.fields["publish_at"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = self.data.get("action", PUBLISH)
        data["action"] = action if action in (PUBLISH, SCHEDULE, DRAFT) else PUBLISH
        at = data.get("publish_at")
        if data["action"] == SCHEDULE and at is None and not self.has_error("publish_at"):
            self.add_error("publish_at", _("Choose a date and time."))
        elif data["action"] != SCHEDULE and (at is not None or self.has_error("publish_at")):
            # Without JavaScript a typed time stays when "Post now" is pressed: say so rather
            # than silently posting now.
            self.errors.pop("publish_at", None)
            self.add_error(
                "publish_at", _("To post at this time, choose “Schedule”; or clear the time.")
            )
        return data


class RescheduleForm(forms.Form):
    """A scheduled post's new time, one form per post (its prefix is the post's id)."""

    publish_at = _time_field(_("New time"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["publish_at"].required = True
        self.fields["publish_at"].error_messages["required"] = _("Choose a date and time.")
        _zone_help(self.fields["publish_at"])
