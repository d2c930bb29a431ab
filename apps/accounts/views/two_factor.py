"""Two-factor pages: the second step of a sign-in, enrolment and recovery codes on the
profile, the owner's "require it for everyone", and operators' enrolment on the public site.

A sign-in whose password (or identity provider) was accepted waits in the session for its
second step: bound to the person and this host, for TWO_FACTOR_PENDING_SECONDS, ended by
TWO_FACTOR_PENDING_ATTEMPTS wrong codes. Only then is the person signed in (Django's login
and django-otp's, which records the device in the session).
"""

import time
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from apps.accounts import selectors, services
from apps.accounts.decorators import member_required
from apps.accounts.errors import OtpThrottledError
from apps.accounts.forms import (
    PASSWORD_BACKEND,
    OperatorPasswordForm,
    TwoFactorCodeForm,
    TwoFactorDisableForm,
)
from apps.accounts.models import User
from apps.accounts.policies import can_require_two_factor, is_operator
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.core.clients import client_ip
from apps.core.errors import ServiceError
from apps.core.hosts import here_url
from apps.tenants.models import Tenant
from apps.tenants.policies import is_public_tenant
from apps.tenants.request import TenantRequest

TOO_MANY_REQUESTS = HTTPStatus.TOO_MANY_REQUESTS.value
PENDING = "kura_two_factor_pending"
ENROLMENT_KEY = "kura_two_factor_key"
NEW_CODES = "kura_recovery_codes"


# --- the second step of a sign-in ------------------------------------------------------


def second_step_start(
    request: HttpRequest, user: User, *, backend: str, next_url: str
) -> HttpResponse:
    """Keep a sign-in whose first step passed until its code is given; the second step's
    page asks for it."""
    request.session[PENDING] = {
        "u": user.pk,
        "h": request.get_host(),
        "b": backend,
        "n": next_url,
        "at": int(time.time()),
        "f": 0,
    }
    return redirect("login-two-factor")


def session_device(request: HttpRequest) -> str:
    """The persistent id of the device that verified this session's sign-in ("" if none),
    to carry it to another host of the person's."""
    return str(request.session.get(DEVICE_ID_SESSION_KEY, ""))


def _waiting(response: HttpResponse, refusal: ServiceError | None) -> HttpResponse:
    """A page refused for a while (too many wrong codes just before, django-otp's throttling,
    or a paused password check) answers 429 and when to try again, as the API does; its
    form says so in words."""
    if refusal is not None and refusal.status_code == TOO_MANY_REQUESTS and refusal.retry_after:
        response.status_code = TOO_MANY_REQUESTS
        response["Retry-After"] = str(refusal.retry_after)
    return response


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if (
        not isinstance(pending, dict)
        or pending.get("h") != request.get_host()
        or time.time() - pending.get("at", 0) > settings.TWO_FACTOR_PENDING_SECONDS
    ):
        request.session.pop(PENDING, None)
        return None
    return pending


def login_two_factor_view(request: TenantRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        messages.error(request, _("Your sign-in took too long or was ended. Please sign in again."))
        return redirect(settings.LOGIN_URL)
    form = TwoFactorCodeForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            membership, device = services.two_factor_sign_in_finish(
                user_id=pending["u"],
                tenant=request.tenant,
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            )
        except OtpThrottledError as exc:
            form.add_error("code", exc.message)  # no code was tried: not a wrong one
            refusal = exc
        except ServiceError as exc:
            pending["f"] += 1
            if pending["f"] >= settings.TWO_FACTOR_PENDING_ATTEMPTS:
                request.session.pop(PENDING)
                messages.error(request, _("Too many wrong codes. Please sign in again."))
                return redirect(settings.LOGIN_URL)
            request.session[PENDING] = pending
            form.add_error("code", exc.message)
        else:
            request.session.pop(PENDING)
            login(request, membership.user, backend=pending["b"])
            otp_login(request, device)
            services.session_auth_stamp(session=request.session)  # a sign-in is recent
            if device.persistent_id.startswith("otp_static."):
                left = selectors.recovery_codes_left(user=membership.user)
                messages.warning(
                    request,
                    _("You signed in with a recovery code; %(count)d are left.") % {"count": left},
                )
            return redirect(pending["n"])
    return _waiting(render(request, "accounts/login_two_factor.html", {"form": form}), refusal)


# --- a person's own two-factor, on /profile ----------------------------------------------


def _enrolment(request: HttpRequest, user: User) -> services.Enrolment:
    """The secret offered on this page until it is confirmed: the same one across reloads
    of the page, so the QR code scanned a moment ago stays the right one."""
    key = request.session.get(ENROLMENT_KEY)
    if not isinstance(key, str):
        enrolment = services.two_factor_enrolment_new(user=user)
        request.session[ENROLMENT_KEY] = enrolment.key
        return enrolment
    return services.Enrolment(user=user, key=key)


def _two_factor_page(
    request: HttpRequest, user: User, template: str, extra: dict[str, Any]
) -> HttpResponse:
    """The state of the person's two-factor and the forms that change it, shared by the
    company page and the operators' page."""
    device = selectors.two_factor_device(user=user)
    context: dict[str, Any] = {
        "device": device,
        "new_codes": request.session.pop(NEW_CODES, None),
        **extra,
    }
    if device is None:
        enrolment = _enrolment(request, user)
        context |= {"enrolment": enrolment, "qr_svg": enrolment.qr_svg()}
        context.setdefault("enable_form", TwoFactorCodeForm())
    else:
        context |= {"codes_left": selectors.recovery_codes_left(user=user)}
        context.setdefault("regenerate_form", TwoFactorCodeForm(prefix="regenerate"))
        context.setdefault("disable_form", TwoFactorDisableForm(prefix="disable"))
    return render(request, template, context)


def _company_of(request: TenantRequest) -> Tenant | None:
    """The company whose host this is; None on the public site (operators)."""
    return None if is_public_tenant(request.tenant) else request.tenant


def _enable(request: TenantRequest, user: User) -> TwoFactorCodeForm | None:
    """Confirm enrolment with a code; None when it is done (the codes wait in the session
    for the next page, shown once)."""
    form = TwoFactorCodeForm(request.POST)
    key = request.session.get(ENROLMENT_KEY)
    if form.is_valid() and isinstance(key, str):
        try:
            device, codes = services.two_factor_enable(
                user=user,
                key=key,
                code=form.cleaned_data["code"],
                tenant=_company_of(request),
                ip=client_ip(request),
            )
        except ServiceError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop(ENROLMENT_KEY, None)
            otp_login(request, device)  # this session has now passed a second factor
            request.session[NEW_CODES] = codes
            messages.success(request, _("Two-factor sign-in is on."))
            return None
    return form


@member_required()
def two_factor_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    membership = principal.member
    user = membership.user
    extra: dict[str, Any] = {
        "membership": membership,
        "required": request.tenant.two_factor_required,
    }
    if request.method == "POST":
        form = _enable(request, user)
        if form is None:
            return redirect("two-factor")
        extra["enable_form"] = form
    return _two_factor_page(request, user, "accounts/two_factor.html", extra)


@require_POST
@member_required()
def two_factor_recovery_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """New recovery codes, for a current code; the earlier ones die."""
    membership = principal.member
    form = TwoFactorCodeForm(request.POST, prefix="regenerate")
    refusal = None
    if form.is_valid():
        try:
            codes = services.two_factor_recovery_codes_regenerate(
                user=membership.user,
                code=form.cleaned_data["code"],
                tenant=membership.tenant,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            form.add_error("code", exc.message)
            refusal = exc
        else:
            request.session[NEW_CODES] = codes
            messages.success(
                request, _("New recovery codes made; the earlier ones no longer work.")
            )
            return redirect("two-factor")
    page = _two_factor_page(
        request,
        membership.user,
        "accounts/two_factor.html",
        {"membership": membership, "regenerate_form": form},
    )
    return _waiting(page, refusal)


@require_POST
@member_required()
def two_factor_disable_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    membership = principal.member
    form = TwoFactorDisableForm(request.POST, prefix="disable")
    refusal = None
    if form.is_valid():
        try:
            services.two_factor_disable(
                user=membership.user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
                tenant=membership.tenant,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            refusal = exc
        else:
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("two-factor")
    page = _two_factor_page(
        request,
        membership.user,
        "accounts/two_factor.html",
        {"membership": membership, "disable_form": form},
    )
    return _waiting(page, refusal)


# --- the owner's requirement ---------------------------------------------------------------


@require_POST
@member_required(manage=True)
def members_two_factor_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    if not can_require_two_factor(principal):
        raise PermissionDenied
    required = request.POST.get("required") == "on"
    services.company_two_factor_required_set(
        tenant=request.tenant,
        required=required,
        actor=principal,
        ip=client_ip(request),
    )
    messages.success(
        request,
        _("Every member now signs in with two-factor.")
        if required
        else _("Two-factor is now each member's own choice."),
    )
    return redirect("members")


# --- operators, on the public site ---------------------------------------------------------


def operator_two_factor_view(request: MemberRequest) -> HttpResponse:
    """Operators set up their second factor here before the admin lets them in: a password
    sign-in (which does not open the admin), then the same enrolment as everyone's."""
    user = request.user
    if not isinstance(user, User) or not is_operator(user):
        return _operator_password(request)
    return _operator_enrolment(request, user)


def _operator_password(request: TenantRequest) -> HttpResponse:
    form = OperatorPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.auth_check_password(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
                unlock_url=here_url(request, "/unlock"),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            if not is_operator(user):
                form.add_error(None, _("This page is for the operators of Kura."))
            elif selectors.two_factor_enabled(user=user):
                messages.info(request, _("You already use two-factor: sign in with a code."))
                return redirect("admin:login")
            else:
                login(request, user, backend=PASSWORD_BACKEND)
                return redirect("operator-two-factor")
    return render(request, "accounts/operator_two_factor.html", {"password_form": form})


def _operator_enrolment(request: TenantRequest, user: User) -> HttpResponse:
    extra: dict[str, Any] = {}
    if request.method == "POST":
        form = _enable(request, user)
        if form is None:
            return redirect("operator-two-factor")
        extra["enable_form"] = form
    return _two_factor_page(request, user, "accounts/operator_two_factor.html", extra)
