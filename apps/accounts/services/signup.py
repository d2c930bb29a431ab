"""A company and its first owner: signup on the public site, and operators' `tenant_create`."""

from collections.abc import Callable

from django.db import transaction

from apps.accounts.models import Membership, User
from apps.accounts.services.people import signup_owner
from apps.accounts.services.verification import email_verification_send
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create


@transaction.atomic
def company_create(*, name: str, slug: str, owner: User | None = None) -> Tenant:
    """A new company (apps.tenants' tenant_create: its row, host and cloned schema), owned by
    `owner` if given, in one transaction."""
    tenant = tenant_create(name=name, slug=slug)
    if owner is not None:
        Membership.objects.create(user=owner, tenant=tenant, role=Membership.Role.OWNER)
    return tenant


@transaction.atomic
def company_signup(
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
    one that proves itself with its password (signup_owner: the same answer and work
    whether or not the email has an account).

    A new account is emailed a link that verifies its address (`verify_url(tenant)`, the
    page on the company's host); the company works at once either way."""
    user, new = signup_owner(
        email=email, password=password, full_name=full_name, ip=ip, unlock_url=unlock_url
    )
    tenant = company_create(name=company_name, slug=slug, owner=user)
    if new and verify_url is not None:
        email_verification_send(user=user, verify_url=verify_url(tenant))
    return tenant
