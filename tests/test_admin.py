"""Operators' admin on the public host: every list page answers for a superuser."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.utils.functional import Promise
from django_tenants.utils import get_public_schema_name

from apps.accounts.models import User
from apps.accounts.principal import Principal
from apps.accounts.services import api_key_create
from apps.jobs.models import Job
from apps.jobs.services import job_schedule
from apps.tenants.company_admin import CompanyPageAdmin
from apps.tenants.models import Tenant
from tests.accounts.factories import MembershipFactory
from tests.conftest import operator_login
from tests.jobs import handlers  # noqa: F401 - the test job kinds

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client() -> Client:
    operator = User.objects.create_superuser("ops@kura.example", "ops-password-123")
    client = Client(HTTP_HOST="localhost")
    operator_login(client, operator)
    return client


def test_every_admin_list_page_renders(operator_client, tenant):
    owner = MembershipFactory(tenant=tenant, role="owner")
    api_key_create(tenant=tenant, name="ERP", scope="read", actor=Principal.of_membership(owner))
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = operator_client.get(url)
        assert response.status_code == 200, url


def test_operators_revoke_api_keys(operator_client, tenant):
    owner = MembershipFactory(tenant=tenant, role="owner")
    key, _raw = api_key_create(
        tenant=tenant, name="Leaked", scope="write", actor=Principal.of_membership(owner)
    )
    response = operator_client.post(
        "/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [key.pk]}
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_admin_is_not_served_on_tenant_hosts(tenant):
    assert Client(HTTP_HOST=f"{tenant.slug}.localhost").get("/admin/").status_code == 404


def test_operators_retry_dead_jobs_and_cancel_scheduled_ones(operator_client, tenant):
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


def test_the_public_tenant_cannot_be_deleted(operator_client, tenant):
    public = Tenant.objects.get(schema_name=get_public_schema_name())
    assert operator_client.get(f"/admin/tenants/tenant/{public.pk}/delete/").status_code == 403
    refused = operator_client.post(
        "/admin/tenants/tenant/",
        {"action": "delete_selected", "_selected_action": [public.pk], "post": "yes"},
    )
    assert refused.status_code == 403
    assert Tenant.objects.filter(pk=public.pk).exists()
    change = operator_client.get(f"/admin/tenants/tenant/{public.pk}/change/").content.decode()
    assert f"/admin/tenants/tenant/{public.pk}/delete/" not in change
    # Another company can be (its page answers).
    assert operator_client.get(f"/admin/tenants/tenant/{tenant.pk}/delete/").status_code == 200


def test_a_tenants_slug_is_read_only_once_created(operator_client, tenant):
    page = operator_client.get(f"/admin/tenants/tenant/{tenant.pk}/change/").content.decode()
    assert 'name="slug"' not in page
    assert 'name="name"' in page
    assert f'<div class="readonly">{tenant.slug}</div>' in page


def test_every_field_operators_see_has_a_translatable_name():
    unnamed = [
        f"{model.__name__}.{field.name}"
        for label in ("accounts", "tenants", "jobs")
        for model in apps.get_app_config(label).get_models()
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and not isinstance(field.verbose_name, Promise)
    ]
    assert unnamed == []


def test_every_company_page_names_a_company_whatever_its_name(operator_client, tenant):
    """A company's name is text, never a format: "100% Natural" once made each company
    page but usage's answer 500 (its title was formatted with the name twice)."""
    Tenant.objects.filter(pk=tenant.pk).update(name="100% Natural")
    pages = {
        model._meta.app_label: admin_class
        for model, admin_class in admin.site._registry.items()
        if isinstance(admin_class, CompanyPageAdmin)
    }
    assert sorted(pages) == ["files", "orders", "posts", "usage"]
    titles = {}
    for app, admin_class in pages.items():
        opts = admin_class.opts
        url = f"/admin/{app}/{opts.model_name}/{tenant.pk}/{admin_class.page}/"
        response = operator_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        titles[app] = response.context["title"]
    assert titles == {
        "files": "Files of 100% Natural",
        "orders": "Orders of 100% Natural",
        "posts": "Posts of 100% Natural",
        "usage": "Usage of 100% Natural",
    }
