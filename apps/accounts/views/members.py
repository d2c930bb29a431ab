"""Members and invitations of a company."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import selectors, services
from apps.accounts.decorators import member_required, reauth_redirect, recent_auth_required
from apps.accounts.errors import EmailUnverifiedError, InvalidCredentialsError
from apps.accounts.forms import (
    PASSWORD_BACKEND,
    AcceptInvitationForm,
    InviteForm,
    RoleForm,
    SuspendForm,
    password_rules,
)
from apps.accounts.models import Membership
from apps.accounts.policies import can_manage_member
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.accounts.views.common import page_language, person_label
from apps.core.clients import client_ip
from apps.core.errors import NotFoundError, ServiceError, error_text, form_errors_from
from apps.core.hosts import here_url, host_url
from apps.core.params import int_param
from apps.core.times import when_text
from apps.tenants.request import TenantRequest


@dataclass(frozen=True)
class MemberRow:
    """One member on the page: whether the person viewing may manage them, and the error
    of the change just refused on their row."""

    member: Membership
    manageable: bool
    error: str | None


def _members_page(
    request: MemberRequest,
    principal: Principal,
    *,
    invite_form: InviteForm | None = None,
    row_errors: dict[int, str] | None = None,
) -> HttpResponse:
    rows = [
        MemberRow(
            member=member,
            manageable=can_manage_member(principal, member),
            error=(row_errors or {}).get(member.pk),
        )
        for member in selectors.membership_list(actor=principal)
    ]
    return render(
        request,
        "accounts/members.html",
        {
            "membership": principal.member,
            "rows": rows,
            "invitations": selectors.invitation_pending_list(actor=principal),
            "invite_form": invite_form or InviteForm(),
            "roles": Membership.Role.choices,
        },
    )


@member_required(manage=True)
def members_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Members and pending invitations; invite, change a role, lift a suspension, send an
    invitation again. Removing, suspending and withdrawing have pages of their own."""
    if request.method != "POST":
        return _members_page(request, principal)
    action = request.POST.get("action")
    if action in ("invite", "resend"):
        return (_invite if action == "invite" else _resend)(request, principal)
    if action == "role" and (stale := reauth_redirect(request)):
        return stale
    try:
        target = selectors.membership_get(
            actor=principal, membership_id=int_param(request.POST.get("member"))
        )
    except NotFoundError:
        messages.error(request, _("That member no longer exists."))
        return redirect("members")
    try:
        done = _member_change(request, principal, target, action)
    except (ServiceError, ValidationError) as exc:
        return _members_page(request, principal, row_errors={target.pk: error_text(exc)})
    messages.success(request, done)
    return redirect("members")


def _invite(request: MemberRequest, principal: Principal) -> HttpResponse:
    tenant = request.tenant
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                tenant=tenant,
                actor=principal,
                accept_url=host_url("/invitations/", slug=tenant.slug),
                **form.cleaned_data,
            )
        except EmailUnverifiedError as exc:
            form.add_error(None, exc.message)
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
    return _members_page(request, principal, invite_form=form)


def _resend(request: MemberRequest, principal: Principal) -> HttpResponse:
    tenant = request.tenant
    invitation = selectors.invitation_get(
        actor=principal, invitation_id=int_param(request.POST.get("invitation"))
    )
    try:
        services.invitation_resend(
            invitation=invitation,
            actor=principal,
            accept_url=host_url("/invitations/", slug=tenant.slug),
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
    request: MemberRequest, principal: Principal, target: Membership, action: str | None
) -> str:
    """Change a role or lift a suspension; what was done, in a sentence."""
    if action == "lift":
        services.membership_suspension_end(membership=target, actor=principal)
        return _("%(person)s has access again: the suspension was lifted.") % {
            "person": person_label(target.user)
        }
    if action != "role":
        raise ValidationError(_("Unknown action."))
    form = RoleForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Choose a valid role."))
    services.membership_role_change(
        membership=target, role=form.cleaned_data["role"], actor=principal
    )
    return _("%(person)s is now %(role)s.") % {
        "person": person_label(target.user),
        "role": target.get_role_display(),
    }


@member_required(manage=True)
@recent_auth_required()
def member_remove_view(
    request: MemberRequest, principal: Principal, member_id: int
) -> HttpResponse:
    """Removing someone, after saying what it does."""
    target = selectors.membership_for_manage(actor=principal, membership_id=member_id)
    error = None
    if request.method == "POST":
        try:
            services.membership_remove(membership=target, actor=principal)
        except (ServiceError, ValidationError) as exc:
            error = error_text(exc)
        else:
            messages.success(
                request,
                _("%(person)s was removed from %(company)s.")
                % {"person": person_label(target.user), "company": request.tenant.name},
            )
            return redirect("members")
    return render(
        request,
        "accounts/member_remove.html",
        {"target": target, "error": error},
    )


@member_required(manage=True)
def member_suspend_view(
    request: MemberRequest, principal: Principal, member_id: int
) -> HttpResponse:
    """Suspending someone for a while, with the unit said, after saying what it does."""
    target = selectors.membership_for_manage(actor=principal, membership_id=member_id)
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        until = timezone.now() + timedelta(hours=form.cleaned_data["hours"])
        try:
            services.membership_suspend(membership=target, until=until, actor=principal)
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
    request: MemberRequest, principal: Principal, invitation_id: int
) -> HttpResponse:
    """Withdrawing an invitation, after saying what it does."""
    invitation = selectors.invitation_get(actor=principal, invitation_id=invitation_id)
    error = None
    if request.method == "POST":
        try:
            services.invitation_revoke(invitation=invitation, actor=principal)
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


def invitation_view(request: TenantRequest, token: str) -> HttpResponse:
    tenant = request.tenant
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
                unlock_url=here_url(request, "/unlock"),
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
            services.session_auth_stamp(session=request.session)  # they typed their password
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
