"""Operators' admin: storage per company against its quota, its files, deleting one."""

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.files import store
from apps.files.models import File
from apps.tenants.models import Tenant
from tests.conftest import operator_login
from tests.files.uploading import initiate, run_file_jobs, upload
from tests.tenants.factories import PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client() -> Client:
    connection.set_schema_to_public()
    operator = User.objects.create_superuser("ops@kura.example", "ops-password-123")
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    operator_login(client, operator)
    return client


@pytest.fixture
def stored(tenant, member, client_of) -> File:
    plan = PlanFactory(name="tiny", storage_quota_bytes=1000)
    Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
    client = client_of(member)
    file_id = upload(client, b"x" * 200).json()["id"]
    initiate(client, name="coming.txt", size=50)
    run_file_jobs()
    with schema_context(tenant.schema_name):
        return File.objects.get(pk=file_id)


def test_storage_per_company_against_its_quota(operator_client, tenant, other_tenant, stored):
    connection.set_schema_to_public()
    page = operator_client.get("/admin/files/tenantstorage/")
    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index(f">{tenant.name}<") :].split("</tr>")[0]
    cells = [cell.split(">", 1)[1].split("<")[0] for cell in row.split("<td")[1:]]
    assert cells[:6] == ["test-alpha", "tiny", "2", "250\xa0bytes", "1000\xa0bytes", "25.0 %"]
    other = html[html.index(f">{other_tenant.name}<") :].split("</tr>")[0]
    assert "0\xa0bytes" in other


def test_operators_see_a_companys_files_and_delete_one(operator_client, tenant, stored):
    connection.set_schema_to_public()
    url = f"/admin/files/tenantstorage/{tenant.pk}/files/"
    page = operator_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "note.txt" in html
    assert "coming.txt" in html
    assert "250\xa0bytes of 1000\xa0bytes in use." in html
    assert "coming.txt" not in operator_client.get(url, {"state": "ready"}).content.decode()

    response = operator_client.post(url, {"file": str(stored.pk)})
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        assert not File.objects.filter(pk=stored.pk).exists()
    assert store.head(stored.key) is None
    assert operator_client.post(url, {"file": "not-a-uuid"}).status_code == 404


def test_the_files_of_a_company_need_an_operator(tenant, client_of, member):
    connection.set_schema_to_public()
    staff = User.objects.create_user("staff@kura.example", "staff-password-123", is_staff=True)
    client = Client(HTTP_HOST="localhost")
    operator_login(client, staff)
    assert client.get(f"/admin/files/tenantstorage/{tenant.pk}/files/").status_code == 403
