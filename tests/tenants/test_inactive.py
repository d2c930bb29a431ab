"""A company the operators deactivate stops working everywhere at once, and comes back whole."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from apps.accounts.principal import Principal
from apps.accounts.services import api_key_create, handoff_issue, invitation_create
from apps.core.errors import NotAllowedError
from apps.jobs.models import Job
from apps.jobs.services import job_run, job_schedule
from apps.tenants.models import Tenant
from tests.accounts.factories import MembershipFactory
from tests.api import PASSWORD, api_client, bearer, login
from tests.conftest import host_of
from tests.jobs import handlers  # noqa: F401 - registers the test job kinds
from tests.jobs.conftest import starts

pytestmark = pytest.mark.django_db


def deactivate(tenant: Tenant, *, active: bool = False) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(is_active=active)


def assert_tenant_inactive(response) -> None:
    assert response.status_code == 403
    assert response.json() == {
        "status": 403,
        "code": "tenant_inactive",
        "message": "This company has been deactivated.",
        "errors": {},
    }


def test_tokens_keys_sign_in_and_refresh_stop_with_a_clear_403(tenant, member, owner):
    pair = login(tenant, member)
    _key, secret = api_key_create(
        tenant=tenant, name="ci", scope="read", actor=Principal.of_membership(owner)
    )
    deactivate(tenant)
    assert_tenant_inactive(bearer(tenant, pair["access_token"]).get("/api/profile"))
    keyed = api_client(tenant)
    keyed.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert_tenant_inactive(keyed.get("/api/reminders"))
    assert_tenant_inactive(
        api_client(tenant).post(
            "/auth/login", {"email": member.user.email, "password": PASSWORD}, format="json"
        )
    )
    assert_tenant_inactive(
        api_client(tenant).post(
            "/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"
        )
    )
    # Reactivated, the same sign-in works again: nothing was lost.
    deactivate(tenant, active=True)
    assert bearer(tenant, pair["access_token"]).get("/api/profile").status_code == 200


def test_web_sessions_links_and_invitations_show_the_page(
    tenant, other_tenant, member, owner, django_capture_on_commit_callbacks
):
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member.user)
    assert client.get("/reminders").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            tenant=tenant,
            email="later@example.com",
            role="member",
            actor=Principal.of_membership(owner),
            accept_url="http://x/invitations/",
        )
    token = re.search(r"/invitations/(\S+)", mail.outbox[-1].body).group(1)
    handoff = handoff_issue(user=member.user, tenant=tenant)

    deactivate(tenant)
    for path in ("/reminders", "/", "/login", f"/invitations/{token}", f"/handoff?token={handoff}"):
        page = client.get(path)
        assert page.status_code == 403, path
        assert "This company is not available" in page.content.decode()
    # Other companies are untouched.
    assert Client(HTTP_HOST=host_of(other_tenant)).get("/login").status_code == 200


def test_a_deactivated_company_is_not_offered_by_the_switcher(tenant, other_tenant, member):
    MembershipFactory(user=member.user, tenant=other_tenant, role="member")
    deactivate(other_tenant)
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member.user)
    assert "Beta Inc." not in client.get("/profile").content.decode()

    with pytest.raises(NotAllowedError):
        handoff_issue(user=member.user, tenant=Tenant.objects.get(pk=other_tenant.pk))


def test_jobs_of_a_deactivated_company_wait_and_run_once_it_is_back(tenant, member, settings):
    settings.JOBS_INACTIVE_TENANT_WAIT_SECONDS = 60
    job = job_schedule(
        tenant=tenant, kind="test.effect", payload={"user_id": member.user_id}, delay=0
    )
    deactivate(tenant)
    before = timezone.now()
    assert job_run(job_id=job.pk) == "tenant inactive"
    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.State.SCHEDULED, 0)
    assert job.last_error == "The company is deactivated; the job waits for it."
    assert job.run_at >= before + timedelta(seconds=60)
    assert starts(job) == []

    deactivate(tenant, active=True)
    Job.objects.filter(pk=job.pk).update(run_at=timezone.now())
    assert job_run(job_id=job.pk) == "succeeded"
    assert len(starts(job)) == 1
