"""Changing a password on the profile, resetting a forgotten one by an emailed link (on every
company's host and the public site), and verifying an email address."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import services
from apps.accounts.decorators import member_required
from apps.accounts.forms import NewPasswordForm, PasswordChangeForm, PasswordResetRequestForm
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.accounts.views.common import safe_next
from apps.core.clients import client_ip
from apps.core.errors import ServiceError, form_errors_from
from apps.core.hosts import here_url
from apps.tenants.policies import is_public_tenant
from apps.tenants.request import TenantRequest


@member_required()
def password_change_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """The profile's password section posts here; with errors, it is shown on a page of its
    own. The other web sessions end (their session auth hash no longer matches); this one is
    kept."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_change(
                user=principal.member.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                ip=client_ip(request),
                unlock_url=here_url(request, "/unlock"),
            )
        except (ServiceError, ValidationError) as exc:
            form_errors_from(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(
                request, _("Your password is changed. Your other sign-ins have ended.")
            )
            return redirect("profile")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/password_change.html", {"password_form": form}, status=status)


def password_reset_view(request: HttpRequest) -> HttpResponse:
    """ "Forgot your password?": the same answer whether or not the email has an account."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"],
                ip=client_ip(request),
                reset_url=lambda uid, token: here_url(request, f"/password/reset/{uid}/{token}"),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return render(request, "accounts/password_reset.html", {"form": form}, status=429)
        messages.success(
            request,
            _(
                "If %(email)s belongs to a Kura account, we have emailed it a link to choose a "
                "new password. The link works once, for an hour."
            )
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("password-reset")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_confirm_view(request: TenantRequest, uidb64: str, token: str) -> HttpResponse:
    """The emailed link: a new password, then every sign-in of the person has ended and they
    sign in with it. A used, expired or altered link gets a page saying so (400)."""
    try:
        services.password_reset_check(uidb64=uidb64, token=token)
    except ServiceError:
        return render(request, "accounts/password_reset_invalid.html", status=400)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(
                uidb64=uidb64, token=token, new_password=form.cleaned_data["new_password"]
            )
        except ServiceError:
            return render(request, "accounts/password_reset_invalid.html", status=400)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request, _("Your new password is set. Sign in with it; other sign-ins ended.")
            )
            return redirect("/find" if is_public_tenant(request.tenant) else settings.LOGIN_URL)
    return render(
        request,
        "accounts/password_reset_confirm.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def email_verify_view(request: HttpRequest) -> HttpResponse:
    """The emailed verification link."""
    try:
        services.email_verify(token=request.GET.get("token", ""))
    except ServiceError as exc:
        return render(request, "accounts/email_verify_invalid.html", {"reason": exc}, status=400)
    messages.success(request, _("Thank you: your email address is verified."))
    return redirect("/")


@require_POST
@member_required()
def email_verify_send_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """The banner's "send the link again" (a few times an hour)."""
    user = principal.member.user
    try:
        sent = services.email_verification_resend(
            user=user, verify_url=here_url(request, "/verify-email")
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if sent:
            messages.success(
                request,
                _("We have emailed a new link to %(email)s.") % {"email": user.email},
            )
        else:
            messages.info(request, _("Your email address is already verified."))
    return redirect(safe_next(request))
