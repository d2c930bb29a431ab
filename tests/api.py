"""Helpers for calling the API of a tenant as a person, the way clients do."""

from rest_framework.test import APIClient

from apps.accounts.models import Membership
from apps.tenants.models import Tenant
from tests.conftest import host_of

PASSWORD = "correct-horse-battery"


def api_client(tenant: Tenant, language: str = "en") -> APIClient:
    """Messages are asserted in English; the product's default language is Japanese."""
    return APIClient(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE=language)


def login(tenant: Tenant, membership: Membership) -> dict[str, str]:
    response = api_client(tenant).post(
        "/auth/login", {"email": membership.user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def bearer(tenant: Tenant, access: str) -> APIClient:
    client = api_client(tenant)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def too_large(limit: int) -> dict[str, object]:
    """The answer to a body over a view's limit of `limit` bytes."""
    return {
        "status": 413,
        "code": "request_too_large",
        "message": f"The request body is too large: this accepts at most {limit} bytes.",
        "errors": {},
    }
