"""Deleting a company: owners only, after a recent sign-in, typing its address name. It is
deactivated at once (every sign-in, token and key of it refused) and its data dropped by a
delayed job COMPANY_DELETE_DAYS later, unless operators restore it first."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_exists
from qsessions.models import Session as QSession

from apps.accounts.models import Membership, RefreshToken, User
from apps.accounts.principal import Principal
from apps.accounts.services import COMPANY_PURGE, api_key_create, auth_token_issue, company_delete
from apps.audit.models import AuditEntry
from apps.core.errors import NotAllowedError
from apps.jobs.models import Job
from apps.jobs.services import job_run
from apps.tenants.models import Tenant
from apps.tenants.services import (
    tenant_create,
    tenant_purge,
    tenant_restore,
)
from tests.accounts.factories import MembershipFactory
from tests.api import api_client, bearer
from tests.conftest import operator_login, reauthenticate

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(tenant) -> Tenant:
    """The test company as an object of its own: the services change the object they are
    given, and `tenant` is the whole session's."""
    return Tenant.objects.get(pk=tenant.pk)


def is_active(tenant: Tenant) -> bool:
    connection.set_schema_to_public()
    return Tenant.objects.get(pk=tenant.pk).is_active


def test_only_owners_reach_the_page(tenant, owner, page_of):
    admin = MembershipFactory(tenant=tenant, role="admin")
    assert page_of(admin, reauthenticated=True).get("/company/delete").status_code == 403
    page = page_of(owner, reauthenticated=True).get("/company/delete")
    assert page.status_code == 200
    assert f"<code>{tenant.slug}</code>" in page.content.decode()


def test_owners_see_the_way_to_it_and_others_do_not(tenant, owner, page_of):
    admin = MembershipFactory(tenant=tenant, role="admin")
    link = 'data-testid="company-delete-link"'
    assert link in page_of(owner).get("/members").content.decode()
    assert link in page_of(owner).get("/profile").content.decode()
    assert link not in page_of(admin).get("/members").content.decode()
    assert link not in page_of(admin).get("/profile").content.decode()


def test_a_stale_sign_in_goes_to_reauth_and_deletes_nothing(tenant, owner, page_of):
    client = page_of(owner)
    reauthenticate(client, seconds_ago=settings.REAUTH_SECONDS + 5)
    assert client.get("/company/delete")["Location"] == "/reauth?next=%2Fcompany%2Fdelete"
    refused = client.post("/company/delete", {"slug": tenant.slug})
    assert refused["Location"] == "/reauth?next=%2Fcompany%2Fdelete"
    assert is_active(tenant)


def test_the_wrong_name_is_refused(tenant, owner, page_of):
    response = page_of(owner, reauthenticated=True).post("/company/delete", {"slug": "other"})
    assert response.status_code == 200
    assert (
        f"Type the company&#x27;s address name exactly: {tenant.slug}" in response.content.decode()
    )
    assert is_active(tenant)


def test_deleting_closes_the_company_at_once_for_everyone(tenant, owner, member, page_of):
    members_browser = page_of(member)
    assert members_browser.get("/profile").status_code == 200  # the session notes its host
    members_key = members_browser.session.session_key
    pair = auth_token_issue(membership=member)
    _key, secret = api_key_create(
        tenant=tenant, name="ERP", scope="read", actor=Principal.of_membership(owner)
    )
    client = page_of(owner, reauthenticated=True)
    before = timezone.now()
    response = client.post("/company/delete", {"slug": tenant.slug.upper()})
    assert (response.status_code, response["Location"]) == (302, "/")

    connection.set_schema_to_public()
    deleted = Tenant.objects.get(pk=tenant.pk)
    assert deleted.is_active is False
    assert before <= deleted.deleted_at <= timezone.now()
    job = Job.objects.get(kind=COMPANY_PURGE)
    assert job.tenant_id is None
    assert job.payload == {"tenant_id": tenant.pk, "deleted_at": deleted.deleted_at.isoformat()}
    assert job.run_at == deleted.deleted_at + timedelta(days=settings.COMPANY_DELETE_DAYS)
    entry = AuditEntry.objects.get(tenant=tenant, action="company.deleted")
    assert (entry.actor_id, entry.target, entry.data) == (
        owner.user_id,
        tenant.slug,
        {"data_dropped_at": job.run_at.isoformat()},
    )

    closed = client.get("/")
    assert closed.status_code == 403
    assert 'data-testid="company-deleted"' in closed.content.decode()
    assert not QSession.objects.filter(session_key=members_key).exists()
    assert members_browser.get("/profile").status_code == 403
    refused = bearer(tenant, pair.access_token).get("/api/profile")
    assert (refused.status_code, refused.json()["code"]) == (403, "tenant_inactive")
    assert refused.json()["message"] == "This company has been deleted."
    keyed = api_client(tenant)
    keyed.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert keyed.get("/api/files").status_code == 403
    assert RefreshToken.objects.filter(membership=member, revoked_at__isnull=True).count() == 0


def test_tokens_stay_refused_after_operators_restore_it(tenant, company, owner, member):
    pair = auth_token_issue(membership=member)
    company_delete(tenant=company, actor=Principal.of_membership(owner), confirm_slug=tenant.slug)
    tenant_restore(tenant=company)
    assert is_active(tenant)
    refused = bearer(tenant, pair.access_token).get("/api/profile")
    assert (refused.status_code, refused.json()["code"]) == (401, "token_revoked")
    refresh = api_client(tenant).post(
        "/auth/refresh", {"refresh_token": pair.refresh_token}, format="json"
    )
    assert refresh.status_code == 401


def test_only_an_owner_of_this_company_may_delete_it(tenant, company, other_tenant, owner):
    outsider = MembershipFactory(tenant=other_tenant, role="owner")
    admin = MembershipFactory(tenant=tenant, role="admin")
    for actor in (outsider, admin):
        with pytest.raises(NotAllowedError, match="Only the company"):
            company_delete(tenant=company, actor=actor, confirm_slug=tenant.slug)
    assert is_active(tenant)


def test_the_purge_drops_the_company_unless_restored_or_deleted_again():
    doomed = tenant_create(name="Doomed", slug="test-doomed")
    owner = MembershipFactory(tenant=doomed, role="owner")
    company_delete(tenant=doomed, actor=Principal.of_membership(owner), confirm_slug="test-doomed")
    first = Job.objects.get(kind=COMPANY_PURGE, payload__tenant_id=doomed.pk)
    tenant_restore(tenant=doomed)
    assert tenant_purge(**first.payload) is False  # restored: the job does nothing
    time.sleep(0.001)
    company_delete(tenant=doomed, actor=Principal.of_membership(owner), confirm_slug="test-doomed")
    assert tenant_purge(**first.payload) is False  # an earlier deletion's job
    second = (
        Job.objects.filter(kind=COMPANY_PURGE, payload__tenant_id=doomed.pk)
        .exclude(pk=first.pk)
        .get()
    )
    Job.objects.filter(pk=second.pk).update(run_at=timezone.now())
    assert job_run(job_id=second.pk) == "succeeded"
    assert not Tenant.objects.filter(pk=doomed.pk).exists()
    assert not Membership.objects.filter(pk=owner.pk).exists()
    assert not schema_exists("t_test_doomed")


def test_operators_restore_a_deleted_company_in_the_admin(tenant, company, owner):
    company_delete(tenant=company, actor=Principal.of_membership(owner), confirm_slug=tenant.slug)
    operator = User.objects.create_superuser("ops@kura.example", "ops-password-123")
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    operator_login(client, operator)
    listed = client.get("/admin/tenants/tenant/?is_active__exact=0").content.decode()
    assert tenant.name in listed
    response = client.post(
        "/admin/tenants/tenant/", {"action": "restore", "_selected_action": [tenant.pk]}
    )
    assert response.status_code == 302
    restored = Tenant.objects.get(pk=tenant.pk)
    assert (restored.is_active, restored.deleted_at) == (True, None)
    job = Job.objects.get(kind=COMPANY_PURGE)
    assert tenant_purge(**job.payload) is False
