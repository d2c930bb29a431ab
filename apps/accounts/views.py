"""Pages for people: sign in and out, profile, members, API keys, invitations, switching
company, and signup on the public site."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tenants.utils import get_public_schema_name

from apps.accounts import selectors, services
from apps.accounts.decorators import member_required
from apps.accounts.forms import (
    PASSWORD_BACKEND,
    AcceptInvitationForm,
    ApiKeyForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    RoleForm,
    SignupForm,
)
from apps.accounts.models import Membership
from apps.accounts.oidc import oidc_enabled
from apps.core.clients import client_ip
from apps.core.errors import ServiceError, error_text
from apps.core.params import int_param
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_signup


def tenant_url(tenant: Tenant, request: HttpRequest, path: str) -> str:
    port = request.get_port()
    default = "443" if request.is_secure() else "80"
    host = f"{tenant.slug}.{settings.BASE_DOMAIN}" + (f":{port}" if port != default else "")
    return f"{request.scheme}://{host}{path}"


def unlock_url(request: HttpRequest) -> str:
    """Where the emailed link that lifts sign-in locks points: this host's /unlock."""
    return request.build_absolute_uri("/unlock")


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """`?next=` only when it is a path on this host: never a redirect to another site."""
    target = request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def login_view(request: HttpRequest) -> HttpResponse:
    if request.membership is not None:  # type: ignore[attr-defined]
        return redirect(safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.auth_check_credentials(
                **form.cleaned_data,
                tenant=request.tenant,  # type: ignore[attr-defined]
                ip=client_ip(request),
                unlock_url=unlock_url(request),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, membership.user, backend=PASSWORD_BACKEND)
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


def unlock_view(request: HttpRequest) -> HttpResponse:
    """The emailed link that lifts the sign-in locks of an account (any host)."""
    try:
        services.auth_unlock_redeem(token=request.GET.get("token", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sign-ins to your account are open again."))
    on_public = request.tenant.schema_name == get_public_schema_name()  # type: ignore[attr-defined]
    return redirect("/" if on_public else settings.LOGIN_URL)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGIN_URL)


@member_required()
def profile_view(request: HttpRequest, membership: Any) -> HttpResponse:
    user = membership.user
    form = ProfileForm(
        request.POST or None, initial={"full_name": user.full_name, "time_zone": user.time_zone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(user=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Profile saved."))
            return redirect("profile")
    others = selectors.memberships_of_user(user=user)
    return render(
        request, "accounts/profile.html", {"membership": membership, "others": others, "form": form}
    )


@member_required()
def switch_view(request: HttpRequest, membership: Any, slug: str) -> HttpResponse:
    target = next(
        (
            m.tenant
            for m in selectors.memberships_of_user(user=membership.user)
            if m.tenant.slug == slug
        ),
        None,
    )
    if target is None:
        raise PermissionDenied
    token = services.handoff_issue(user=membership.user, tenant=target)
    return HttpResponseRedirect(tenant_url(target, request, f"/handoff?token={token}"))


def handoff_view(request: HttpRequest) -> HttpResponse:
    try:
        membership = services.handoff_redeem(
            token=request.GET.get("token", ""),
            tenant=request.tenant,  # type: ignore[attr-defined]
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(settings.LOGIN_URL)
    login(request, membership.user, backend=PASSWORD_BACKEND)
    return redirect("/")


@member_required(manage=True)
def members_view(request: HttpRequest, membership: Any) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    action = request.POST.get("action")
    invite_form = InviteForm(request.POST if action == "invite" else None)
    if request.method == "POST":
        try:
            if action == "invite":
                if invite_form.is_valid():
                    services.invitation_create(
                        tenant=tenant,
                        actor=membership,
                        accept_url=tenant_url(tenant, request, "/invitations/"),
                        **invite_form.cleaned_data,
                    )
                    messages.success(
                        request, _("Invitation sent to %(email)s.") % invite_form.cleaned_data
                    )
                    return redirect("members")
            else:
                _member_change(request, membership, tenant, action)
                return redirect("members")
        except (ServiceError, ValidationError) as exc:
            messages.error(request, error_text(exc))
    return render(
        request,
        "accounts/members.html",
        {
            "membership": membership,
            "members": selectors.membership_list(tenant=tenant),
            "invite_form": invite_form,
            "roles": Membership.Role.choices,
        },
    )


def _member_change(request: HttpRequest, actor: Any, tenant: Tenant, action: str | None) -> None:
    target = selectors.membership_get(
        tenant=tenant, membership_id=int_param(request.POST.get("member"))
    )
    if target is None:
        raise ValidationError(_("That member no longer exists."))
    if action == "role":
        form = RoleForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a valid role."))
        services.membership_role_change(
            membership=target, role=form.cleaned_data["role"], actor=actor
        )
        messages.success(request, _("Role changed."))
    elif action == "remove":
        services.membership_remove(membership=target, actor=actor)
        messages.success(request, _("Member removed."))
    elif action == "suspend":
        hours = min(max(int_param(request.POST.get("hours")) or 24, 1), 24 * 90)
        services.membership_suspend(
            membership=target, until=timezone.now() + timedelta(hours=hours), actor=actor
        )
        messages.success(request, _("Member suspended for %(hours)d hours.") % {"hours": hours})
    else:
        raise ValidationError(_("Unknown action."))


@member_required(manage=True)
def api_keys_view(request: HttpRequest, membership: Any) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    form = ApiKeyForm(request.POST if request.POST.get("action") == "create" else None)
    new_secret = None
    if request.method == "POST":
        if request.POST.get("action") == "create" and form.is_valid():
            _key, new_secret = services.api_key_create(
                tenant=tenant, actor=membership, **form.cleaned_data
            )
            form = ApiKeyForm()
        elif request.POST.get("action") == "revoke":
            key = selectors.api_key_get(tenant=tenant, key_id=int_param(request.POST.get("key")))
            if key is not None:
                services.api_key_revoke(api_key=key, actor=membership)
                messages.success(request, _("API key revoked."))
            return redirect("api-keys")
    return render(
        request,
        "accounts/api_keys.html",
        {"keys": selectors.api_key_list(tenant=tenant), "form": form, "new_secret": new_secret},
    )


def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    try:
        invitation = services.invitation_find(raw_token=token, tenant=tenant)
    except ServiceError as exc:
        return render(request, "accounts/invitation.html", {"error": exc.message}, status=400)
    has_account = selectors.user_exists(email=invitation.email)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                raw_token=token,
                tenant=tenant,
                ip=client_ip(request),
                unlock_url=unlock_url(request),
                **form.cleaned_data,
            )
        except (ServiceError, ValidationError) as exc:
            form.add_error(None, error_text(exc))
        else:
            login(request, membership.user, backend=PASSWORD_BACKEND)
            messages.success(request, _("Welcome to %(company)s.") % {"company": tenant.name})
            return redirect("/")
    return render(
        request,
        "accounts/invitation.html",
        {"invitation": invitation, "form": form, "has_account": has_account},
    )


def signup_view(request: HttpRequest) -> HttpResponse:
    """Public site: a new company and its owner."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = tenant_signup(
                **form.cleaned_data, ip=client_ip(request), unlock_url=unlock_url(request)
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, errors in by_field.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            owner = selectors.owner_of(tenant=tenant)
            token = services.handoff_issue(user=owner, tenant=tenant)
            return HttpResponseRedirect(tenant_url(tenant, request, f"/handoff?token={token}"))
    return render(request, "accounts/signup.html", {"form": form})
