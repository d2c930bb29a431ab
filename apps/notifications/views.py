from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_htmx.http import HttpResponseStopPolling

from apps.accounts.decorators import member_required
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.notifications import selectors, services

# The newest this many are listed; older ones stay in the API.
PAGE_SIZE = 100


@member_required()
def notifications_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Your newest notifications. Opening the page marks what it shows read; they keep
    their "new" mark for this showing."""
    notifications = list(selectors.notification_list(actor=principal)[:PAGE_SIZE])
    services.notifications_mark_read(
        actor=principal, notification_ids=[n.pk for n in notifications if n.read_at is None]
    )
    return render(request, "notifications/notifications.html", {"notifications": notifications})


@member_required()
def notification_open_view(
    request: MemberRequest, principal: Principal, notification_id: int
) -> HttpResponse:
    """Open one notification: it is marked read and the browser goes to what it is about
    (a path on this host; anything else, or nothing, leads back to the list)."""
    notification = selectors.notification_get(actor=principal, notification_id=notification_id)
    if notification is None:
        raise Http404
    services.notification_mark_read(notification=notification, actor=principal)
    if url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.link)
    return redirect("notifications")


@never_cache
def notifications_bell_view(request: MemberRequest) -> HttpResponse:
    """The bell alone, which the page asks for again and again (htmx polling): a session
    that has ended stops the polling rather than getting the sign-in page in its place."""
    if request.principal is None:
        return HttpResponseStopPolling()
    return render(request, "notifications/bell.html")
