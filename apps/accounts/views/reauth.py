"""Confirming one's password before a sensitive action (apps/accounts/decorators.py::
recent_auth_required sends people here)."""

from django.http import HttpResponse
from django.shortcuts import redirect, render

from apps.accounts import services
from apps.accounts.decorators import member_required
from apps.accounts.forms import ReauthForm
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.accounts.views.common import safe_next
from apps.core.clients import client_ip
from apps.core.errors import ServiceError
from apps.core.hosts import here_url


@member_required()
def reauth_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """The password again (the one check, with its lockout); the session is stamped and the
    person goes back to the page they came from, to press again."""
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reauth_check(
                user=principal.member.user,
                password=form.cleaned_data["password"],
                ip=client_ip(request),
                unlock_url=here_url(request, "/unlock"),
            )
        except ServiceError as exc:
            form.add_error("password", exc.message)
        else:
            services.session_auth_stamp(session=request.session)
            return redirect(safe_next(request, default="/profile"))
    return render(request, "accounts/reauth.html", {"form": form, "membership": principal.member})
