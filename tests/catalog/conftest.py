from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Membership
from apps.accounts.services import auth_token_issue
from apps.tenants.models import Tenant
from tests.accounts.factories import MembershipFactory
from tests.api import bearer


@pytest.fixture
def client_of(tenant: Tenant) -> Callable[..., APIClient]:
    """An API client signed in as `membership` (on `on`, default `tenant`)."""

    def make(membership: Membership, on: Tenant | None = None) -> APIClient:
        token = auth_token_issue(membership=membership).access_token
        return bearer(on or tenant, token)

    return make


@pytest.fixture
def admin(tenant: Tenant) -> Membership:
    return MembershipFactory(tenant=tenant, role="admin")


@pytest.fixture
def shop(admin: Membership, client_of: Callable[..., APIClient]) -> APIClient:
    """An API client of an admin, who manages the catalog."""
    return client_of(admin)
