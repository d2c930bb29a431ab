"""Pages for people: sign in and out, profile, language, members and invitations, API
keys, switching company; on the public site, signup and finding one's companies."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language
from django_tenants.utils import get_public_schema_name

from apps.accounts import selectors, services
from apps.accounts.decorators import member_required
from apps.accounts.exceptions import InvalidCredentialsError
from apps.accounts.forms import (
    PASSWORD_BACKEND,
    AcceptInvitationForm,
    ApiKeyForm,
    FindCompanyForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    RoleForm,
    SignupForm,
    SuspendForm,
    password_rules,
    slug_refusal,
)
from apps.accounts.models import Invitation, Membership, User
from apps.accounts.oidc import oidc_enabled
from apps.accounts.policies import can_manage_member
from apps.core.clients import client_ip
from apps.core.errors import ServiceError, error_text, form_errors_from
from apps.core.hosts import host_url
from apps.core.params import int_param
from apps.core.times import when_text
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_signup

# The secret of a key just created, kept for the one page view after the redirect.
NEW_API_KEY = "kura_new_api_key"


def tenant_url(tenant: Tenant, request: HttpRequest, path: str) -> str:
    return host_url(request, path, slug=tenant.slug)


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


def page_language() -> str:
    """The language this page is in, as a person's saved language ("" if it is none)."""
    language = translation.get_language() or ""
    return language if language in User.Language.values else ""


def person_label(user: User) -> str:
    """How pages name a person in a sentence: their name and email, or the email."""
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


# --- signing in ---------------------------------------------------------------------------


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


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Django's language switch (the cookie, on the base domain where browsers allow it);
    a signed-in person's choice is also kept as theirs, for every host."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in User.Language.values:
        services.user_language_set(user=request.user, language=language)  # type: ignore[arg-type]
    return response


@member_required()
def profile_view(request: HttpRequest, membership: Any) -> HttpResponse:
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


# --- members and invitations ----------------------------------------------------------------


def _members_page(
    request: HttpRequest,
    membership: Membership,
    *,
    invite_form: InviteForm | None = None,
    row_errors: dict[int, str] | None = None,
) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    members = list(selectors.membership_list(tenant=tenant))
    for member in members:
        member.row_error = (row_errors or {}).get(member.pk)  # type: ignore[attr-defined]
        member.manageable = can_manage_member(membership, member)  # type: ignore[attr-defined]
    return render(
        request,
        "accounts/members.html",
        {
            "membership": membership,
            "members": members,
            "invitations": selectors.invitation_pending_list(tenant=tenant),
            "invite_form": invite_form or InviteForm(),
            "roles": Membership.Role.choices,
        },
    )


def _target_member(request: HttpRequest, actor: Membership, member_id: int) -> Membership:
    """A member of this company the actor may manage (404 for others' ids, 403 for an owner
    when the actor is an admin, and for the actor themselves)."""
    target = selectors.membership_get(
        tenant=request.tenant,  # type: ignore[attr-defined]
        membership_id=member_id,
    )
    if target is None:
        raise Http404
    if not can_manage_member(actor, target):
        raise PermissionDenied
    return target


def _target_invitation(request: HttpRequest, invitation_id: int) -> Invitation:
    invitation = selectors.invitation_get(
        tenant=request.tenant,  # type: ignore[attr-defined]
        invitation_id=invitation_id,
    )
    if invitation is None:
        raise Http404
    return invitation


@member_required(manage=True)
def members_view(request: HttpRequest, membership: Any) -> HttpResponse:
    """Members and pending invitations; invite, change a role, lift a suspension, send an
    invitation again. Removing, suspending and withdrawing have pages of their own."""
    if request.method != "POST":
        return _members_page(request, membership)
    action = request.POST.get("action")
    if action == "invite":
        return _invite(request, membership)
    if action == "resend":
        return _resend(request, membership)
    target = selectors.membership_get(
        tenant=request.tenant,  # type: ignore[attr-defined]
        membership_id=int_param(request.POST.get("member")),
    )
    if target is None:
        messages.error(request, _("That member no longer exists."))
        return redirect("members")
    try:
        done = _member_change(request, membership, target, action)
    except (ServiceError, ValidationError) as exc:
        return _members_page(request, membership, row_errors={target.pk: error_text(exc)})
    messages.success(request, done)
    return redirect("members")


def _invite(request: HttpRequest, membership: Membership) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                tenant=tenant,
                actor=membership,
                accept_url=tenant_url(tenant, request, "/invitations/"),
                **form.cleaned_data,
            )
        except ServiceError as exc:  # may not invite with this role
            form.add_error("role", exc.message)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works until %(until)s.")
                % {"email": invitation.email, "until": when_text(invitation.expires_at)},
            )
            return redirect("members")
    return _members_page(request, membership, invite_form=form)


def _resend(request: HttpRequest, membership: Membership) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    invitation = _target_invitation(request, int_param(request.POST.get("invitation")))
    try:
        services.invitation_resend(
            invitation=invitation,
            actor=membership,
            accept_url=tenant_url(tenant, request, "/invitations/"),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "A new invitation link was sent to %(email)s; the earlier link no longer "
                "works. The new one works until %(until)s."
            )
            % {"email": invitation.email, "until": when_text(invitation.expires_at)},
        )
    return redirect("members")


def _member_change(
    request: HttpRequest, membership: Membership, target: Membership, action: str | None
) -> str:
    """Change a role or lift a suspension; what was done, in a sentence."""
    if action == "lift":
        services.membership_suspension_end(membership=target, actor=membership)
        return _("%(person)s has access again: the suspension was lifted.") % {
            "person": person_label(target.user)
        }
    if action != "role":
        raise ValidationError(_("Unknown action."))
    form = RoleForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Choose a valid role."))
    services.membership_role_change(
        membership=target, role=form.cleaned_data["role"], actor=membership
    )
    return _("%(person)s is now %(role)s.") % {
        "person": person_label(target.user),
        "role": target.get_role_display(),
    }


@member_required(manage=True)
def member_remove_view(request: HttpRequest, membership: Any, member_id: int) -> HttpResponse:
    """Removing someone, after saying what it does."""
    target = _target_member(request, membership, member_id)
    error = None
    if request.method == "POST":
        try:
            services.membership_remove(membership=target, actor=membership)
        except (ServiceError, ValidationError) as exc:
            error = error_text(exc)
        else:
            messages.success(
                request,
                _("%(person)s was removed from %(company)s.")
                % {"person": person_label(target.user), "company": request.tenant.name},  # type: ignore[attr-defined]
            )
            return redirect("members")
    return render(
        request,
        "accounts/member_remove.html",
        {"target": target, "error": error},
    )


@member_required(manage=True)
def member_suspend_view(request: HttpRequest, membership: Any, member_id: int) -> HttpResponse:
    """Suspending someone for a while, with the unit said, after saying what it does."""
    target = _target_member(request, membership, member_id)
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        until = timezone.now() + timedelta(hours=form.cleaned_data["hours"])
        try:
            services.membership_suspend(membership=target, until=until, actor=membership)
        except (ServiceError, ValidationError) as exc:
            form_errors_from(form, exc, until="duration")
        else:
            messages.success(
                request,
                _("%(person)s is suspended until %(until)s.")
                % {"person": person_label(target.user), "until": when_text(until)},
            )
            return redirect("members")
    return render(
        request,
        "accounts/member_suspend.html",
        {"target": target, "form": form},
    )


@member_required(manage=True)
def invitation_revoke_view(
    request: HttpRequest, membership: Any, invitation_id: int
) -> HttpResponse:
    """Withdrawing an invitation, after saying what it does."""
    invitation = _target_invitation(request, invitation_id)
    error = None
    if request.method == "POST":
        try:
            services.invitation_revoke(invitation=invitation, actor=membership)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("The invitation of %(email)s was withdrawn; its link no longer works.")
                % {"email": invitation.email},
            )
            return redirect("members")
    return render(
        request,
        "accounts/invitation_revoke.html",
        {"invitation": invitation, "error": error},
    )


def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    try:
        invitation = services.invitation_find(raw_token=token, tenant=tenant)
    except ServiceError as exc:
        return render(request, "accounts/invitation.html", {"error": exc.message}, status=400)
    has_account = selectors.user_exists(email=invitation.email)
    form = AcceptInvitationForm(request.POST or None)
    if has_account:
        del form.fields["full_name"]
        form.fields["password"].widget.attrs["autocomplete"] = "current-password"
    else:
        form.fields["password"].help_text = password_rules()
        form.fields["password"].widget.attrs["autocomplete"] = "new-password"
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                raw_token=token,
                tenant=tenant,
                ip=client_ip(request),
                unlock_url=unlock_url(request),
                language=page_language(),
                full_name=form.cleaned_data.get("full_name", ""),
                password=form.cleaned_data["password"],
            )
        except InvalidCredentialsError as exc:
            form.add_error("password", exc.message)
        except (ServiceError, ValidationError) as exc:
            form_errors_from(form, exc)
        else:
            login(request, membership.user, backend=PASSWORD_BACKEND)
            # The home page greets them; this says what they became.
            messages.success(
                request,
                _("You joined %(company)s as %(role)s.")
                % {"company": tenant.name, "role": membership.get_role_display()},
            )
            return redirect("/")
    return render(
        request,
        "accounts/invitation.html",
        {"invitation": invitation, "form": form, "has_account": has_account},
    )


# --- API keys -------------------------------------------------------------------------------


@member_required(manage=True)
def api_keys_view(request: HttpRequest, membership: Any) -> HttpResponse:
    """The company's keys, and a new one. The new key's secret is shown on the page the
    creation redirects to, once (kept in the session until then): a reload creates nothing."""
    tenant = request.tenant  # type: ignore[attr-defined]
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key, secret = services.api_key_create(tenant=tenant, actor=membership, **form.cleaned_data)
        request.session[NEW_API_KEY] = {"id": key.pk, "secret": secret}
        return redirect("api-keys")
    new_key = request.session.pop(NEW_API_KEY, None)
    keys = list(selectors.api_key_list(tenant=tenant))
    return render(
        request,
        "accounts/api_keys.html",
        {
            "keys": keys,
            "form": form,
            "new_key": new_key,
            "new_key_name": next((k.name for k in keys if new_key and k.pk == new_key["id"]), ""),
        },
    )


@member_required(manage=True)
def api_key_revoke_view(request: HttpRequest, membership: Any, key_id: int) -> HttpResponse:
    """Revoking a key, after saying what it does."""
    key = selectors.api_key_get(tenant=request.tenant, key_id=key_id)  # type: ignore[attr-defined]
    if key is None:
        raise Http404
    if request.method == "POST":
        services.api_key_revoke(api_key=key, actor=membership)
        messages.success(
            request,
            _("The key “%(name)s” (%(prefix)s…) is revoked: calls with it are refused.")
            % {"name": key.name, "prefix": key.prefix},
        )
        return redirect("api-keys")
    return render(request, "accounts/api_key_revoke.html", {"key": key})


# --- the public site ------------------------------------------------------------------------


def signup_view(request: HttpRequest) -> HttpResponse:
    """Public site: a new company and its owner, signed in on the company's host in the
    language they signed up in."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = tenant_signup(
                **form.cleaned_data, ip=client_ip(request), unlock_url=unlock_url(request)
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and {"slug", "schema_name"} & exc.error_dict.keys():
                # Taken between the form's check and the insert.
                form.add_error("slug", _("This address is already taken. Please choose another."))
            else:
                form_errors_from(form, exc)
        else:
            owner = selectors.owner_of(tenant=tenant)
            if page_language():
                services.user_language_set(user=owner, language=page_language())
            token = services.handoff_issue(user=owner, tenant=tenant)
            return HttpResponseRedirect(tenant_url(tenant, request, f"/handoff?token={token}"))
    return render(
        request,
        "accounts/signup.html",
        {"form": form, **_address_note(form["slug"].value() or "", refusal=_slug_error(form))},
    )


def _slug_error(form: SignupForm) -> str | None:
    errors = form.errors.get("slug") if form.is_bound else None
    return " ".join(str(error) for error in errors) if errors else None


def _address_note(slug: str, *, refusal: str | None = None) -> dict[str, str | None]:
    """What is said under the address field: its problem, or the host it will be."""
    slug = slug.strip().lower()
    if slug and refusal is None:
        refusal = slug_refusal(slug)
    return {
        "address_problem": refusal,
        "address_host": f"{slug}.{settings.BASE_DOMAIN}" if slug and not refusal else "",
        "base_domain": settings.BASE_DOMAIN,
    }


@require_GET
def signup_address_view(request: HttpRequest) -> HttpResponse:
    """The note under the address field as it is typed (htmx): `<slug>.<domain>` and whether
    it is free."""
    return render(
        request, "accounts/signup_address.html", _address_note(request.GET.get("slug", ""))
    )


def find_company_view(request: HttpRequest) -> HttpResponse:
    """Public site: "which companies am I in?" The answer is the same whether or not the
    email has an account; the links go by email."""
    form = FindCompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.companies_email_links(
                email=form.cleaned_data["email"],
                ip=client_ip(request),
                login_url=lambda tenant: tenant_url(tenant, request, settings.LOGIN_URL),
                signup_url=request.build_absolute_uri("/signup"),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return render(request, "accounts/find_company.html", {"form": form}, status=429)
        messages.success(
            request,
            _(
                "If %(email)s belongs to a Kura account, we have emailed it a sign-in link to "
                "each of its companies. It can take a few minutes to arrive."
            )
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("find-company")
    return render(request, "accounts/find_company.html", {"form": form})
