"""Writes on tenants: creating them, keeping the public tenant and the template schema."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_exists

from apps.accounts.exceptions import InvalidCredentialsError
from apps.accounts.models import Membership, User
from apps.accounts.services import auth_check_password, email_verification_send, user_create
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
    one that proves itself with its password (the one password check, with its limits).

    A new account is emailed a link that verifies its address (`verify_url(tenant)`, the
    page on the company's host); the company works at once either way."""
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        user = user_create(email=email, password=password, full_name=full_name)
        tenant = tenant_create(name=company_name, slug=slug, owner=user)
        if verify_url is not None:
            email_verification_send(user=user, verify_url=verify_url(tenant))
        return tenant
    try:
        user = auth_check_password(email=email, password=password, ip=ip, unlock_url=unlock_url)
    except InvalidCredentialsError as exc:
        raise ValidationError(
            {"password": _("The email address or password is not correct.")}
        ) from exc
    return tenant_create(name=company_name, slug=slug, owner=user)
