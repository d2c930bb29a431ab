"""Ending a person's sign-ins: one web session or API sign-in from their list, or all of them
but the one they are using ("sign out everywhere")."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import tenant_context
from qsessions.models import Session as QSession

from apps.accounts import access_cache
from apps.accounts.errors import SessionNotFoundError
from apps.accounts.models import Membership, RefreshToken, User
from apps.accounts.selectors import api_sign_ins_of
from apps.accounts.services.signin import family_revoke
from apps.accounts.sessions import TENANT, family_public_id, session_public_id
from apps.audit.services import audit_record, company_here
from apps.tenants.models import Tenant


def _families_revoke(tokens: list[RefreshToken]) -> None:
    """Revoke API sign-ins, each inside its own company (row-level security lets a tenant's
    connection write only that tenant's tokens)."""
    by_tenant: dict[int, tuple[Tenant, list[str]]] = {}
    for token in tokens:
        tenant = token.membership.tenant
        by_tenant.setdefault(tenant.pk, (tenant, []))[1].append(str(token.family))
    for tenant, families in by_tenant.values():
        with tenant_context(tenant):
            for family in families:
                family_revoke(family=family, schema_name=tenant.schema_name)


def api_sign_ins_end(*, user: User, keep_family: str | None = None) -> int:
    """End every API sign-in of the person, in every company, but `keep_family`: refresh
    tokens are refused, and their access tokens at once. How many ended."""
    families = [t for t in api_sign_ins_of(user) if str(t.family) != keep_family]
    _families_revoke(families)
    return len(families)


@transaction.atomic
def session_end(*, user: User, session_id: str) -> str:
    """End one of the person's sign-ins, named as in their list: that browser is signed out
    at its next request, that API client's tokens are refused at once. Its kind (`web` or
    `api`)."""
    kind = ""
    for row in QSession.objects.filter(user=user).only("session_key"):
        if session_public_id(row.session_key) == session_id:
            QSession.objects.filter(pk=row.pk).delete()
            kind = "web"
            break
    else:
        for token in api_sign_ins_of(user):
            if family_public_id(str(token.family)) == session_id:
                _families_revoke([token])
                kind = "api"
                break
    if not kind:
        raise SessionNotFoundError
    audit_record(
        action="session.ended",
        tenant=company_here(),
        actor=user,
        target=session_id,
        data={"kind": kind},
    )
    return kind


@transaction.atomic
def sessions_end_all(
    *, user: User, keep_session_key: str | None = None, keep_family: str | None = None
) -> int:
    """Sign the person out everywhere, web and API, except the session or API sign-in they
    are using; how many ended."""
    web = QSession.objects.filter(user=user).exclude(session_key=keep_session_key or "")
    ended_web, _by_model = web.delete()
    ended_api = api_sign_ins_end(user=user, keep_family=keep_family)
    audit_record(
        action="sessions.ended_all",
        tenant=company_here(),
        actor=user,
        data={"web": ended_web, "api": ended_api},
    )
    return ended_web + ended_api


@transaction.atomic
def company_sign_ins_end(*, tenant: Tenant) -> None:
    """A company closes (deleted by its owner): every sign-in to it ends at once. Its
    access tokens carry old token versions, its refresh tokens are revoked, and the web
    sessions on its host are deleted; if operators restore it, people sign in again."""
    members = list(Membership.objects.filter(tenant=tenant).select_related("user"))
    Membership.objects.filter(tenant=tenant).update(token_version=F("token_version") + 1)
    RefreshToken.objects.filter(membership__tenant=tenant, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    access_cache.forget_memberships(members)
    on_its_host = [
        row.pk
        for row in QSession.objects.filter(user__in=[m.user_id for m in members])
        if row.get_decoded().get(TENANT) == tenant.pk
    ]
    QSession.objects.filter(pk__in=on_its_host).delete()
