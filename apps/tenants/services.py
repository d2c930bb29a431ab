"""Writes on tenants: creating them, keeping the public tenant and the template schema."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_exists

from apps.accounts.exceptions import InvalidCredentialsError, NotAllowedError
from apps.accounts.models import Membership, User
from apps.accounts.policies import can_require_two_factor
from apps.accounts.services import auth_check_password, user_create
from apps.audit.services import audit_record
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
) -> Tenant:
    """Signup on the public site: a new company, owned by a new account or by an existing
    one that proves itself with its password (the one password check, with its limits)."""
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        user = user_create(email=email, password=password, full_name=full_name)
    else:
        try:
            user = auth_check_password(email=email, password=password, ip=ip, unlock_url=unlock_url)
        except InvalidCredentialsError as exc:
            raise ValidationError(
                {"password": _("The email address or password is not correct.")}
            ) from exc
    return tenant_create(name=company_name, slug=slug, owner=user)


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
