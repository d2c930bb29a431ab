"""Ending one's sign-ins from /profile: one web session or API sign-in, or all of them but
this browser's."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.accounts import services
from apps.accounts.decorators import member_required
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.core.errors import ServiceError


@require_POST
@member_required()
def session_end_view(request: MemberRequest, principal: Principal, session_id: str) -> HttpResponse:
    try:
        services.session_end(user=principal.member.user, session_id=session_id)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("That sign-in has ended: it has to sign in again."))
    return redirect("profile")


@require_POST
@member_required()
def sessions_end_all_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    ended = services.sessions_end_all(
        user=principal.member.user, keep_session_key=request.session.session_key
    )
    messages.success(
        request,
        ngettext(
            "Signed out everywhere else: %(count)d sign-in ended.",
            "Signed out everywhere else: %(count)d sign-ins ended.",
            ended,
        )
        % {"count": ended},
    )
    return redirect("profile")
