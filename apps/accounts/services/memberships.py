"""Writes on memberships: roles, removal, suspension and its end."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import access_cache
from apps.accounts.models import Invitation, Membership, RefreshToken
from apps.accounts.notices import notice_send
from apps.accounts.policies import can_appoint, can_manage_member, can_manage_members
from apps.accounts.principal import Actor
from apps.accounts.selectors import MANAGERS_ONLY
from apps.audit.services import audit_record
from apps.core.errors import NotAllowedError
from apps.jobs.services import job_cancel_by_key, job_schedule

Role = Membership.Role
SUSPENSION_LIFT = "membership.lift_suspension"


def require_manager(actor: Actor, target_role: str | None = None) -> None:
    """Refuse unless `actor` may manage members (and, for owners, appoint or change them)."""
    if not can_manage_members(actor):
        raise NotAllowedError(_(MANAGERS_ONLY))
    if not can_appoint(actor.role, target_role):
        raise NotAllowedError(_("Only owners can appoint or change owners."))


def _other_owners(membership: Membership) -> bool:
    return (
        Membership.objects.filter(tenant_id=membership.tenant_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


def _access_changed(membership: Membership) -> None:
    """Every token issued for this membership is refused from the next request on."""
    Membership.objects.filter(pk=membership.pk).update(token_version=F("token_version") + 1)
    RefreshToken.objects.filter(membership=membership, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    access_cache.forget_memberships([membership])


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, actor: Actor) -> Membership:
    require_manager(actor, role)
    require_manager(actor, membership.role)
    if membership.role == Role.OWNER and role != Role.OWNER and not _other_owners(membership):
        raise ValidationError({"role": _("A company needs at least one owner.")})
    previous = membership.role
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    audit_record(
        action="member.role_changed",
        tenant=actor.tenant,
        principal=actor,
        target=membership.user.email,
        data={"from": previous, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Actor) -> None:
    require_manager(actor, membership.role)
    if not can_manage_member(actor, membership):
        raise ValidationError(_("You cannot remove yourself."))
    if membership.role == Role.OWNER and not _other_owners(membership):
        raise ValidationError(_("A company needs at least one owner."))
    # Invitations they sent and nobody accepted yet go with them.
    Invitation.objects.filter(
        tenant_id=membership.tenant_id, invited_by_id=membership.user_id, accepted_at__isnull=True
    ).delete()
    membership.delete()  # its refresh tokens go with it
    audit_record(
        action="member.removed",
        tenant=actor.tenant,
        principal=actor,
        target=membership.user.email,
        data={"role": membership.role},
    )


@transaction.atomic
def membership_suspend(*, membership: Membership, until: datetime, actor: Actor) -> Membership:
    """Suspend a member until `until`: their tokens stop working at once."""
    require_manager(actor, membership.role)
    if not can_manage_member(actor, membership):
        raise ValidationError(_("You cannot suspend yourself."))
    if until <= timezone.now():
        raise ValidationError({"until": _("Choose a time in the future.")})
    membership.suspended_until = until
    membership.save(update_fields=["suspended_until"])
    _access_changed(membership)
    audit_record(
        action="member.suspended",
        tenant=actor.tenant,
        principal=actor,
        target=membership.user.email,
        data={"until": until},
    )
    membership.refresh_from_db(fields=["token_version"])
    job_schedule(
        tenant=membership.tenant,
        kind=SUSPENSION_LIFT,
        payload={"membership_id": membership.pk, "until": until.isoformat()},
        run_at=until,
        idempotency_key=_lift_key(membership.pk, until),
    )
    return membership


def _lift_key(membership_id: int, until: datetime) -> str:
    return f"suspension:{membership_id}:{until.isoformat()}"


@transaction.atomic
def membership_suspension_end(*, membership: Membership, actor: Actor) -> Membership:
    """Lift a suspension early: access returns at once and the job that would have lifted
    it is cancelled. Tokens stay refused (the suspension ended them); the person signs in
    again. They are told, as when a suspension ends on its own."""
    require_manager(actor, membership.role)
    locked = (
        Membership.objects.select_for_update()
        .select_related("user", "tenant")
        .filter(pk=membership.pk)
        .first()
    )
    if locked is None or locked.suspended_until is None:
        raise ValidationError(_("This member is not suspended."))
    until = locked.suspended_until
    locked.suspended_until = None
    locked.save(update_fields=["suspended_until"])
    job_cancel_by_key(tenant=locked.tenant, idempotency_key=_lift_key(locked.pk, until))
    audit_record(
        action="member.suspension_ended",
        tenant=locked.tenant,
        principal=actor,
        target=locked.user.email,
    )
    if until > timezone.now():
        notice_send(
            user=locked.user,
            kind="access",
            title=_("Your access to %(company)s is back.") % {"company": locked.tenant.name},
            link="/",
        )
    membership.suspended_until = None
    return locked


def membership_suspension_lift(*, membership_id: int, until: datetime) -> None:
    """The job at the end of a suspension: clear it (unless it was extended since) and
    tell the person. Access already returned at `until`; this tidies and notifies."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "tenant")
        .filter(pk=membership_id, suspended_until=until)
        .first()
    )
    if membership is None:
        return
    membership.suspended_until = None
    membership.save(update_fields=["suspended_until"])
    notice_send(
        user=membership.user,
        kind="access",
        title=_("Your access to %(company)s is back.") % {"company": membership.tenant.name},
        link="/",
    )
