"""Writes on tenants, the mechanism: creating them (a row, a host, a schema cloned from the
template), keeping the public tenant and the template schema, closing, reopening and dropping
them. Who may do what to a company, and what else follows, is apps.accounts' (signup,
deletion, the two-factor switch)."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_exists

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
def tenant_create(*, name: str, slug: str) -> Tenant:
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
    return tenant


def tenant_mark_deleted(*, tenant: Tenant) -> datetime:
    """Close a company as deleted now: it stays in place, inactive, until tenant_purge drops
    it or tenant_restore opens it again. When it was deleted."""
    now = timezone.now()
    Tenant.objects.filter(pk=tenant.pk).update(is_active=False, deleted_at=now)
    tenant.is_active, tenant.deleted_at = False, now
    return now


def tenant_restore(*, tenant: Tenant) -> Tenant:
    """Operators: undo an owner's deletion before the data is dropped (the purge job then
    finds the company open and does nothing). People sign in again."""
    Tenant.objects.filter(pk=tenant.pk).update(is_active=True, deleted_at=None)
    tenant.is_active, tenant.deleted_at = True, None
    return tenant


def tenant_purge(*, tenant_id: int, deleted_at: str) -> bool:
    """The delayed job of a deletion (apps.accounts' company_delete): drop the company's
    schema and its rows in the public schema (memberships, tokens, keys, invitations, jobs,
    search rows), unless it was restored or deleted again since. Whether it dropped
    anything."""
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


def tenant_two_factor_required_set(*, tenant: Tenant, required: bool) -> bool:
    """Whether every member of `tenant` signs in with two-factor. Whether it changed."""
    if tenant.two_factor_required == required:
        return False
    tenant.two_factor_required = required
    tenant.save(update_fields=["two_factor_required"])
    return True
