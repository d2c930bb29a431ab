"""Hosts route to the right schema; public and tenant URLs stay apart."""

import pytest
from django.db import connection

from tests.conftest import host_of

pytestmark = pytest.mark.django_db


def test_tenant_host_is_served_from_its_schema(client, tenant, other_tenant):
    for t in (tenant, other_tenant):
        response = client.get("/", HTTP_HOST=host_of(t))
        assert response.status_code == 200
        assert response.context["current_tenant"] == t
        assert connection.schema_name == t.schema_name
        assert t.name in response.content.decode()


def test_public_host_is_served_from_public_schema(public_client):
    response = public_client.get("/")
    assert response.status_code == 200
    assert response.context["current_tenant"] is None
    assert connection.schema_name == "public"


def test_admin_lives_on_the_public_host_only(public_client, tenant_client):
    assert public_client.get("/admin/").status_code == 302
    assert public_client.get("/admin/login/").status_code == 200
    assert tenant_client.get("/admin/").status_code == 404


def test_api_lives_on_tenant_hosts_only(public_client, tenant_client):
    assert tenant_client.get("/api/schema").status_code == 200
    assert public_client.get("/api/schema").status_code == 404


def test_unknown_host_gets_a_clean_404_page(client):
    response = client.get("/", HTTP_HOST="nobody.localhost")
    assert response.status_code == 404
    body = response.content.decode()
    assert "nobody.localhost" in body
    assert "Traceback" not in body
    assert connection.schema_name == "public"


def test_unknown_host_on_api_path_gets_the_error_shape(client):
    response = client.get("/api/files", HTTP_HOST="nobody.localhost")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "code": "tenant_not_found",
        "message": response.json()["message"],
        "errors": {},
    }
    assert response.json()["message"]


def test_tenant_api_describes_the_host_tenant(client, tenant, other_tenant):
    for t in (tenant, other_tenant):
        response = client.get("/api/tenant", HTTP_HOST=host_of(t))
        assert response.status_code == 200
        assert response.json() == {"name": t.name, "slug": t.slug, "domain": host_of(t)}


@pytest.mark.parametrize("host", ["", "evil.example", "acme.localhost:bad-port"])
def test_a_host_django_does_not_allow_on_api_path_gets_the_error_shape(client, host):
    """Not django-tenants' empty HTML 404: the same JSON as a host no company uses."""
    response = client.delete("/api/categories/1888", HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {
        "status": 404,
        "code": "tenant_not_found",
        "message": "No company uses this address.",
        "errors": {},
    }
