from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.accounts.decorators import member_required
from apps.notifications import selectors, services


@member_required()
def notifications_view(request: HttpRequest, membership: Any) -> HttpResponse:
    if request.method == "POST":
        services.notifications_mark_all_read(user=membership.user)
        return redirect("notifications")
    notifications = selectors.notification_list(user=membership.user)[:100]
    return render(request, "notifications/notifications.html", {"notifications": notifications})
