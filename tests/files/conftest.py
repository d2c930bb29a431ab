from collections.abc import Callable, Iterator

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from apps.accounts.models import Membership
from apps.accounts.services import auth_token_issue
from apps.core.objectstore import tenant_key
from apps.files import store
from apps.files.models import File
from apps.tenants.models import Tenant
from tests.api import bearer


@pytest.fixture
def client_of(tenant: Tenant) -> Callable[..., APIClient]:
    def make(membership: Membership, on: Tenant | None = None) -> APIClient:
        token = auth_token_issue(membership=membership).access_token
        return bearer(on or tenant, token)

    return make


def _in_store(tenants: tuple[Tenant, ...]) -> tuple[set[str], set[tuple[str, str]]]:
    prefixes = [tenant_key("", schema_name=t.schema_name) for t in tenants]
    keys = {obj.key for prefix in prefixes for obj in store.objects(prefix=prefix)}
    uploads = {
        (u.key, u.upload_id) for prefix in prefixes for u in store.multipart_pending(prefix=prefix)
    }
    return keys, uploads


@pytest.fixture(autouse=True)
def _store_left_clean(tenants: tuple[Tenant, Tenant]) -> Iterator[None]:
    """What a test leaves in the object store under the test tenants' prefixes (objects,
    multipart uploads) is removed after it."""
    keys, uploads = _in_store(tenants)
    yield
    keys_after, uploads_after = _in_store(tenants)
    for key, upload_id in uploads_after - uploads:
        store.multipart_abort(key=key, upload_id=upload_id)
    store.delete(*(keys_after - keys))


@pytest.fixture
def committed_files(committed: None, tenants: tuple[Tenant, Tenant]) -> Iterator[None]:
    """For tests with a worker: the files they commit are deleted afterwards."""
    yield
    for tenant in tenants:
        with schema_context(tenant.schema_name):
            File.objects.all().delete()
