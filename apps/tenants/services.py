"""Writes on tenants: creating them, keeping the public tenant and the template schema,
deleting them."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_exists

from apps.accounts.models import Membership, User
from apps.accounts.policies import can_delete_company, can_require_two_factor
from apps.accounts.services import (
    company_sign_ins_end,
    email_verification_send,
    signup_owner,
)
from apps.audit.services import audit_record
from apps.core.errors import NotAllowedError
from apps.jobs.services import job_schedule
from apps.tenants import schemas
from apps.tenants.models import RESERVED_SLUGS, Domain, Tenant


def tenant_template_migrate(*, verbosity: int = 0) -> None:
    """Create the template schema new tenants are cloned from, and migrate it.

    Run by `manage.py migrate_all` after every deploy, before the tenants themselves.
    """
    schemas.template_migrate(verbosity=verbosity)


def tenant_public_ensure() -> Tenant:
    """The row django-tenants routes the bare BASE_DOMAIN to (the public schema)."""
    public = get_public_schema_name()
    tenant, _created = Tenant.objects.get_or_create(
        schema_name=public, defaults={"name": "Kura", "slug": public}
    )
    Domain.objects.update_or_create(
        domain=settings.BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
    )
    return tenant


@transaction.atomic
def tenant_create(*, name: str, slug: str, owner: User | None = None) -> Tenant:
    """Create a company: its row, its host `<slug>.<BASE_DOMAIN>` and its schema.

    The schema is cloned from the template schema (one SQL function call) instead of
    replaying every migration. Everything happens in one transaction, so a failure
    leaves neither a row nor a schema behind.
    """
    slug = slug.strip().lower()
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": _("This name is reserved. Please choose another.")})
    if not schema_exists(settings.TENANT_BASE_SCHEMA):
        raise ImproperlyConfigured(
            f"Template schema {settings.TENANT_BASE_SCHEMA!r} is missing: "
            "run `manage.py migrate_all`."
        )
    tenant = Tenant(name=name.strip(), slug=slug, schema_name=Tenant.schema_name_for(slug))
    tenant.full_clean()
    tenant.save()
    domain = Domain(tenant=tenant, domain=f"{slug}.{settings.BASE_DOMAIN}", is_primary=True)
    domain.full_clean()
    domain.save()
    schemas.schema_clone(tenant.schema_name)
    if owner is not None:
        Membership.objects.create(user=owner, tenant=tenant, role=Membership.Role.OWNER)
    return tenant


@transaction.atomic
def tenant_signup(
    *,
    company_name: str,
    slug: str,
    full_name: str,
    email: str,
    password: str,
    ip: str,
    unlock_url: str | None = None,
    verify_url: Callable[[Tenant], str] | None = None,
) -> Tenant:
    """Signup on the public site: a new company, owned by a new account or by an existing
    one that proves itself with its password (apps.accounts' signup_owner: the same answer
    and work whether or not the email has an account).

    A new account is emailed a link that verifies its address (`verify_url(tenant)`, the
    page on the company's host); the company works at once either way."""
    user, new = signup_owner(
        email=email, password=password, full_name=full_name, ip=ip, unlock_url=unlock_url
    )
    tenant = tenant_create(name=company_name, slug=slug, owner=user)
    if new and verify_url is not None:
        email_verification_send(user=user, verify_url=verify_url(tenant))
    return tenant


TENANT_PURGE = "tenant.purge"


@transaction.atomic
def tenant_delete(*, tenant: Tenant, actor: Membership, confirm_slug: str) -> datetime:
    """An owner deletes their company: it is deactivated at once (every page, API call,
    token, key and sign-in of it is refused) and its data dropped COMPANY_DELETE_DAYS later
    by a delayed job, unless operators restore it first. When the data goes."""
    if actor.tenant_id != tenant.pk or not can_delete_company(actor):
        raise NotAllowedError(_("Only the company's owners can delete it."))
    if confirm_slug.strip().lower() != tenant.slug:
        raise ValidationError(
            {"slug": _("Type the company's address name exactly: %(slug)s") % {"slug": tenant.slug}}
        )
    now = timezone.now()
    Tenant.objects.filter(pk=tenant.pk).update(is_active=False, deleted_at=now)
    tenant.is_active, tenant.deleted_at = False, now
    company_sign_ins_end(tenant=tenant)
    purge_at = now + timedelta(days=settings.COMPANY_DELETE_DAYS)
    # No tenant on the job: a deactivated company's jobs wait for it, this one must not.
    job_schedule(
        tenant=None,
        kind=TENANT_PURGE,
        payload={"tenant_id": tenant.pk, "deleted_at": now.isoformat()},
        run_at=purge_at,
        idempotency_key=f"tenant-purge:{tenant.pk}:{now.isoformat()}",
    )
    audit_record(
        action="company.deleted",
        tenant=tenant,
        actor=actor.user,
        target=tenant.slug,
        data={"data_dropped_at": purge_at.isoformat()},
    )
    return purge_at


def tenant_restore(*, tenant: Tenant) -> Tenant:
    """Operators: undo an owner's deletion before the data is dropped (the purge job then
    finds the company open and does nothing). People sign in again."""
    Tenant.objects.filter(pk=tenant.pk).update(is_active=True, deleted_at=None)
    tenant.is_active, tenant.deleted_at = True, None
    return tenant


def tenant_purge(*, tenant_id: int, deleted_at: str) -> bool:
    """The delayed job of tenant_delete: drop the company's schema and its rows in the
    public schema (memberships, tokens, keys, invitations, jobs, search rows), unless it was
    restored or deleted again since. Whether it dropped anything."""
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if (
        tenant is None
        or tenant.is_active
        or tenant.deleted_at is None
        or tenant.deleted_at.isoformat() != deleted_at
    ):
        return False
    tenant.delete(force_drop=True)
    return True


@transaction.atomic
def tenant_two_factor_required_set(
    *, tenant: Tenant, required: bool, actor: Membership, ip: str
) -> Tenant:
    """The owner's switch: every member of `tenant` signs in with two-factor, or not.

    Members without a device are sent to enrolment on their next page and their API
    sign-ins are refused until they enrol (apps.accounts.middleware, the login API).
    """
    if not can_require_two_factor(actor):
        raise NotAllowedError(_("Only owners decide whether two-factor is required."))
    if tenant.two_factor_required != required:
        tenant.two_factor_required = required
        tenant.save(update_fields=["two_factor_required"])
        audit_record(
            action="company.two_factor_required",
            tenant=tenant,
            actor=actor.user,
            ip=ip,
            data={"required": required},
        )
    return tenant
