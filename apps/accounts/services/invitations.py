"""Invitations: an emailed link that makes its bearer a member once accepted."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.errors import InvitationInvalidError
from apps.accounts.hashing import secret_hash
from apps.accounts.models import Invitation, Membership, User
from apps.accounts.principal import Actor
from apps.accounts.services.memberships import require_manager
from apps.accounts.services.people import user_create
from apps.accounts.services.signin import auth_check_password
from apps.accounts.services.verification import email_verified_mark, require_verified_person
from apps.audit.services import audit_record
from apps.tenants.models import Tenant


@transaction.atomic
def invitation_create(
    *, tenant: Tenant, email: str, role: str, actor: Actor, accept_url: str
) -> Invitation:
    """Invite `email` to the tenant; the link (`accept_url` + token) is emailed, never stored."""
    require_manager(actor, role)
    require_verified_person(actor)
    email = email.strip().lower()
    if Membership.objects.filter(tenant=tenant, user__email=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    # A new invitation replaces any earlier one: one valid link per person at a time.
    Invitation.objects.filter(tenant=tenant, email=email, accepted_at__isnull=True).delete()
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(
        tenant=tenant,
        email=email,
        role=role,
        token_hash=secret_hash(raw),
        invited_by=actor.person,
        expires_at=timezone.now() + settings.INVITATION_LIFETIME,
    )
    invitation.full_clean()
    invitation.save()
    _send(invitation, tenant=tenant, actor=actor, link=f"{accept_url}{raw}")
    audit_record(
        action="invitation.created",
        tenant=tenant,
        principal=actor,
        target=email,
        data={"role": role},
    )
    return invitation


def _send(invitation: Invitation, *, tenant: Tenant, actor: Actor, link: str) -> None:
    days = max(1, round((invitation.expires_at - timezone.now()).total_seconds() / 86400))
    transaction.on_commit(
        lambda: send_mail(
            subject=_("You are invited to %(company)s on Kura") % {"company": tenant.name},
            message=ngettext(
                "%(who)s invited you to %(company)s. Accept within %(days)d day: %(link)s",
                "%(who)s invited you to %(company)s. Accept within %(days)d days: %(link)s",
                days,
            )
            % {"who": actor.recorded_as()[1], "company": tenant.name, "days": days, "link": link},
            from_email=None,
            recipient_list=[invitation.email],
        )
    )


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: Actor, accept_url: str) -> Invitation:
    """Email a pending invitation again with a new link, valid for a full lifetime again;
    the link sent before stops working."""
    require_manager(actor, invitation.role)
    require_verified_person(actor)
    raw = secrets.token_urlsafe(32)
    invitation.token_hash = secret_hash(raw)
    invitation.expires_at = timezone.now() + settings.INVITATION_LIFETIME
    invitation.invited_by = actor.person
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        token_hash=invitation.token_hash,
        expires_at=invitation.expires_at,
        invited_by=actor.person,
    )
    if updated != 1:
        raise InvitationInvalidError(_("This invitation was accepted or withdrawn meanwhile."))
    _send(invitation, tenant=invitation.tenant, actor=actor, link=f"{accept_url}{raw}")
    audit_record(
        action="invitation.resent",
        tenant=invitation.tenant,
        principal=actor,
        target=invitation.email,
    )
    return invitation


def invitation_find(*, raw_token: str, tenant: Tenant) -> Invitation:
    invitation = (
        Invitation.objects.filter(token_hash=secret_hash(raw_token), tenant=tenant)
        .select_related("tenant")
        .first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalidError(_("This invitation does not exist or was already used."))
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalidError(_("This invitation has expired; ask for a new one."))
    return invitation


def invitation_revoke(*, invitation: Invitation, actor: Actor) -> None:
    """Withdraw an invitation nobody has accepted yet: its link stops working."""
    require_manager(actor, invitation.role)
    with transaction.atomic():
        deleted, _rows = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True
        ).delete()
        if deleted:
            audit_record(
                action="invitation.revoked",
                tenant=invitation.tenant,
                principal=actor,
                target=invitation.email,
            )


@transaction.atomic
def invitation_accept(
    *,
    raw_token: str,
    tenant: Tenant,
    password: str,
    ip: str,
    full_name: str = "",
    language: str = "",
    unlock_url: str | None = None,
) -> Membership:
    """Accept an invitation: an existing account proves itself with its password (through
    the one password check, with its limits); a new one is created with it (in `language`,
    the page's). Any other pending invitation of the email to this company goes. The link
    reached the address: the account's email is verified."""
    invitation = invitation_find(raw_token=raw_token, tenant=tenant)
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = user_create(
            email=invitation.email, password=password, full_name=full_name, language=language
        )
    else:
        user = auth_check_password(
            email=invitation.email, password=password, ip=ip, unlock_url=unlock_url
        )
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
    if updated != 1:
        raise InvitationInvalidError(_("This invitation was already used."))
    Invitation.objects.filter(
        tenant=tenant, email=invitation.email, accepted_at__isnull=True
    ).exclude(pk=invitation.pk).delete()
    email_verified_mark(user=user)  # the emailed invitation reached the address
    membership, _created = Membership.objects.get_or_create(
        user=user, tenant=tenant, defaults={"role": invitation.role}
    )
    audit_record(
        action="invitation.accepted",
        tenant=tenant,
        actor=user,
        target=invitation.email,
        data={"role": membership.role},
    )
    return membership
