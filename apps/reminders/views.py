from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.decorators import member_required
from apps.accounts.principal import Principal
from apps.core.errors import ServiceError, error_text
from apps.core.params import int_param
from apps.reminders import selectors, services
from apps.reminders.forms import ReminderForm
from apps.reminders.policies import can_set_reminders


@member_required()
def reminders_view(request: HttpRequest, membership: Any) -> HttpResponse:
    """Create a reminder, see yours, cancel one."""
    form = ReminderForm(request.POST if request.POST.get("action") == "create" else None)
    principal = Principal.of_membership(membership)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                reminder = selectors.reminder_get(
                    user=membership.user, reminder_id=int_param(request.POST.get("reminder"))
                )
                if reminder is not None:
                    services.reminder_cancel(reminder=reminder, actor=principal)
                    messages.success(request, _("Reminder cancelled."))
                return redirect("reminders")
            if not can_set_reminders(principal):
                messages.error(request, _("Your role in this company may only read."))
            elif form.is_valid():
                services.reminder_create(
                    tenant=membership.tenant,
                    user=membership.user,
                    message=form.cleaned_data["message"],
                    remind_at=form.remind_at(),
                )
                messages.success(request, _("Reminder set."))
                return redirect("reminders")
        except (ServiceError, ValidationError) as exc:
            messages.error(request, error_text(exc))
    reminders = selectors.reminder_list(user=membership.user)
    return render(request, "reminders/reminders.html", {"form": form, "reminders": reminders})
