"""Operators' admin on the public host: every list page answers for a superuser."""

import pytest
from django.contrib import admin
from django.test import Client

from apps.accounts.models import User
from apps.accounts.services import api_key_create
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client() -> Client:
    operator = User.objects.create_superuser("ops@kura.example", "ops-password-123")
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)
    return client


def test_every_admin_list_page_renders(operator_client, tenant):
    owner = MembershipFactory(tenant=tenant, role="owner")
    api_key_create(tenant=tenant, name="ERP", scope="read", actor=owner)
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = operator_client.get(url)
        assert response.status_code == 200, url


def test_operators_revoke_api_keys(operator_client, tenant):
    owner = MembershipFactory(tenant=tenant, role="owner")
    key, _raw = api_key_create(tenant=tenant, name="Leaked", scope="write", actor=owner)
    response = operator_client.post(
        "/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [key.pk]}
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_admin_is_not_served_on_tenant_hosts(tenant):
    assert Client(HTTP_HOST=f"{tenant.slug}.localhost").get("/admin/").status_code == 404


def test_operators_retry_dead_jobs_and_cancel_scheduled_ones(operator_client, tenant):
    from apps.jobs.models import Job
    from apps.jobs.services import job_schedule
    from tests.jobs import handlers  # noqa: F401 - the test job kinds

    dead = job_schedule(tenant=tenant, kind="test.fail", payload={}, delay=0)
    Job.objects.filter(pk=dead.pk).update(state="dead", attempts=5)
    waiting = job_schedule(tenant=tenant, kind="test.fail", payload={}, delay=3600)
    page = operator_client.get("/admin/jobs/job/?state__exact=dead")
    assert page.status_code == 200
    assert f">{dead.pk}<" in page.content.decode()
    operator_client.post("/admin/jobs/job/", {"action": "retry", "_selected_action": [dead.pk]})
    operator_client.post("/admin/jobs/job/", {"action": "cancel", "_selected_action": [waiting.pk]})
    assert Job.objects.get(pk=dead.pk).state == "scheduled"
    assert Job.objects.get(pk=waiting.pk).state == "cancelled"
