"""An owner deletes their company: closed at once, its data dropped days later by a delayed
job unless operators restore it first (apps.tenants' tenant_restore)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.policies import can_delete_company
from apps.accounts.principal import Actor
from apps.accounts.services.sessions import company_sign_ins_end
from apps.audit.services import audit_record
from apps.core.errors import NotAllowedError
from apps.jobs.services import job_schedule
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_mark_deleted

# The delayed job that drops a deleted company (apps.tenants' tenant_purge); jobs already
# scheduled carry this kind.
COMPANY_PURGE = "tenant.purge"


@transaction.atomic
def company_delete(*, tenant: Tenant, actor: Actor, confirm_slug: str) -> datetime:
    """An owner deletes their company: it is deactivated at once (every page, API call,
    token, key and sign-in of it is refused) and its data dropped COMPANY_DELETE_DAYS later
    by a delayed job, unless operators restore it first. When the data goes."""
    if actor.tenant_id != tenant.pk or not can_delete_company(actor):
        raise NotAllowedError(_("Only the company's owners can delete it."))
    if confirm_slug.strip().lower() != tenant.slug:
        raise ValidationError(
            {"slug": _("Type the company's address name exactly: %(slug)s") % {"slug": tenant.slug}}
        )
    now = tenant_mark_deleted(tenant=tenant)
    company_sign_ins_end(tenant=tenant)
    purge_at = now + timedelta(days=settings.COMPANY_DELETE_DAYS)
    # No tenant on the job: a deactivated company's jobs wait for it, this one must not.
    job_schedule(
        tenant=None,
        kind=COMPANY_PURGE,
        payload={"tenant_id": tenant.pk, "deleted_at": now.isoformat()},
        run_at=purge_at,
        idempotency_key=f"tenant-purge:{tenant.pk}:{now.isoformat()}",
    )
    audit_record(
        action="company.deleted",
        tenant=tenant,
        principal=actor,
        target=tenant.slug,
        data={"data_dropped_at": purge_at.isoformat()},
    )
    return purge_at
