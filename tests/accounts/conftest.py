import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Membership
from tests.conftest import host_of
from tests.factories import MembershipFactory

PASSWORD = "correct-horse-battery"


def api_client(tenant, language: str = "en") -> APIClient:
    """Messages are asserted in English; the product's default language is Japanese."""
    return APIClient(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE=language)


def login(tenant, membership: Membership) -> dict:
    response = api_client(tenant).post(
        "/auth/login", {"email": membership.user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def bearer(tenant, access: str) -> APIClient:
    client = api_client(tenant)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def member(tenant):
    return MembershipFactory(tenant=tenant, role=Membership.Role.MEMBER)


@pytest.fixture
def owner(tenant):
    return MembershipFactory(tenant=tenant, role=Membership.Role.OWNER)


@pytest.fixture
def viewer(tenant):
    return MembershipFactory(tenant=tenant, role=Membership.Role.VIEWER)
