from collections.abc import Callable, Iterator

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from apps.accounts.models import Membership
from apps.accounts.services import auth_token_issue
from apps.files.models import File
from apps.tenants.models import Tenant
from tests.api import bearer
from tests.files.factories import store_left_clean

MIB = 1024 * 1024


@pytest.fixture
def small_parts(settings):
    """Multipart from 1 MiB on, in parts of S3's least 5 MiB: three parts stay small."""
    settings.FILES_SINGLE_PUT_MAX_BYTES = 1 * MIB
    settings.FILES_PART_BYTES = 5 * MIB


@pytest.fixture
def client_of(tenant: Tenant) -> Callable[..., APIClient]:
    def make(membership: Membership, on: Tenant | None = None) -> APIClient:
        token = auth_token_issue(membership=membership).access_token
        return bearer(on or tenant, token)

    return make


@pytest.fixture
def member_client(member: Membership, client_of: Callable[..., APIClient]) -> APIClient:
    return client_of(member)


@pytest.fixture(autouse=True)
def _store_left_clean(tenants: tuple[Tenant, Tenant]) -> Iterator[None]:
    with store_left_clean(*tenants):
        yield


@pytest.fixture
def committed_files(committed: None, tenants: tuple[Tenant, Tenant]) -> Iterator[None]:
    """For tests with a worker: the files they commit are deleted afterwards."""
    yield
    for tenant in tenants:
        with schema_context(tenant.schema_name):
            File.objects.all().delete()
