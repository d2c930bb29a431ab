from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.decorators import member_required
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.core.errors import ServiceError, error_text, form_errors_from
from apps.core.params import int_param
from apps.core.times import when_text
from apps.reminders import selectors, services
from apps.reminders.forms import CUSTOM, ReminderForm
from apps.reminders.policies import can_set_reminders


@member_required()
def reminders_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Set a reminder, see yours (upcoming soonest first, past latest first, each paged),
    cancel one."""
    may_set = can_set_reminders(principal)
    form = ReminderForm(request.POST if request.POST.get("action") == "create" else None)
    if request.method == "POST":
        if request.POST.get("action") == "cancel":  # the service says who may
            return _cancel(request, principal)
        if not may_set:
            raise PermissionDenied
        if form.is_valid():
            try:
                reminder = services.reminder_create(
                    tenant=request.tenant,
                    actor=principal,
                    message=form.cleaned_data["message"],
                    remind_at=form.cleaned_data["remind_at"],
                )
            except ValidationError as exc:
                # The service speaks of remind_at: beside the field the person used.
                when_field = "at" if form.cleaned_data["when"] == CUSTOM else "when"
                form_errors_from(form, exc, remind_at=when_field)
            else:
                messages.success(
                    request,
                    _("Reminder set. We will remind you at %(when)s.")
                    % {"when": when_text(reminder.remind_at)},
                )
                return redirect("reminders")
    return render(
        request,
        "reminders/reminders.html",
        {
            "form": form if may_set else None,
            "upcoming": selectors.reminder_upcoming(
                actor=principal, page=int_param(request.GET.get("upcoming"))
            ),
            "past": selectors.reminder_past(
                actor=principal, page=int_param(request.GET.get("past"))
            ),
        },
    )


def _cancel(request: MemberRequest, principal: Principal) -> HttpResponse:
    reminder = selectors.reminder_get(
        actor=principal, reminder_id=int_param(request.POST.get("reminder"))
    )
    if reminder is not None:
        try:
            services.reminder_cancel(reminder=reminder, actor=principal)
        except ServiceError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("Reminder for %(when)s cancelled: “%(message)s”.")
                % {"when": when_text(reminder.remind_at), "message": reminder.message},
            )
    return redirect("reminders")
