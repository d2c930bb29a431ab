"""Signing in and out, the profile, language, and moving between a person's companies."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login

from apps.accounts import selectors, services
from apps.accounts.decorators import member_required
from apps.accounts.forms import (
    PASSWORD_BACKEND,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
)
from apps.accounts.models import User
from apps.accounts.oidc import oidc_enabled
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.accounts.views.common import safe_next
from apps.accounts.views.two_factor import second_step_start, session_device
from apps.core.clients import client_ip
from apps.core.errors import ServiceError, form_errors_from
from apps.core.hosts import here_url, host_url
from apps.tenants.policies import is_public_tenant
from apps.tenants.request import TenantRequest


def login_view(request: MemberRequest) -> HttpResponse:
    if request.membership is not None:
        return redirect(safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.auth_check_credentials(
                **form.cleaned_data,
                tenant=request.tenant,
                ip=client_ip(request),
                unlock_url=here_url(request, "/unlock"),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            if selectors.two_factor_enabled(user=membership.user):
                return second_step_start(
                    request, membership.user, backend=PASSWORD_BACKEND, next_url=safe_next(request)
                )
            login(request, membership.user, backend=PASSWORD_BACKEND)
            services.session_auth_stamp(session=request.session)  # a sign-in is recent
            return redirect(safe_next(request))
    if request.GET.get("oidc") == "failed":
        messages.error(
            request, _("Sign-in with your identity provider did not work for this company.")
        )
    return render(
        request,
        "accounts/login.html",
        {"form": form, "oidc_enabled": oidc_enabled(), "oidc_name": settings.OIDC_PROVIDER_NAME},
    )


def unlock_view(request: TenantRequest) -> HttpResponse:
    """The emailed link that lifts the sign-in locks of an account (any host)."""
    try:
        services.auth_unlock_redeem(token=request.GET.get("token", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sign-ins to your account are open again."))
    return redirect("/" if is_public_tenant(request.tenant) else settings.LOGIN_URL)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGIN_URL)


@require_POST
def language_view(request: MemberRequest) -> HttpResponse:
    """Django's language switch (the cookie, on the base domain where browsers allow it);
    a signed-in person's choice is also kept as theirs, for every host."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if isinstance(request.user, User) and language in User.Language.values:
        services.user_language_set(user=request.user, language=language)
    return response


@member_required()
def profile_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    membership = principal.member
    user = membership.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "full_name": user.full_name,
            "time_zone": user.time_zone,
            "language": user.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(user=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("profile")
    others = selectors.memberships_of_user(user=user)
    sign_ins = selectors.sign_ins_of_user(
        user=user, current_session_key=request.session.session_key
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "membership": membership,
            "others": others,
            "form": form,
            "sign_ins": sign_ins,
            "password_form": PasswordChangeForm(),
            "two_factor_device": selectors.two_factor_device(user=user),
        },
    )


@member_required()
def switch_view(request: MemberRequest, principal: Principal, slug: str) -> HttpResponse:
    user = principal.member.user
    target = next(
        (m.tenant for m in selectors.memberships_of_user(user=user) if m.tenant.slug == slug),
        None,
    )
    if target is None:
        raise PermissionDenied
    token = services.handoff_issue(user=user, tenant=target, otp_device=session_device(request))
    return HttpResponseRedirect(host_url(f"/handoff?token={token}", slug=target.slug))


def handoff_view(request: TenantRequest) -> HttpResponse:
    try:
        membership, device_id = services.handoff_redeem(
            token=request.GET.get("token", ""), tenant=request.tenant
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(settings.LOGIN_URL)
    # A sign-in carried from a host where it passed a second factor keeps it; one that
    # did not (it began before the person turned two-factor on) passes it here.
    device = services.two_factor_device_of_session(user=membership.user, persistent_id=device_id)
    if device is None and selectors.two_factor_enabled(user=membership.user):
        return second_step_start(request, membership.user, backend=PASSWORD_BACKEND, next_url="/")
    login(request, membership.user, backend=PASSWORD_BACKEND)
    if device is not None:
        otp_login(request, device)
    return redirect("/")
