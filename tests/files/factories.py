"""Files in each state, made through the services (and the real store), for tests of other
modules: the access matrix, the API fuzzing."""

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from django_tenants.utils import schema_context

from apps.accounts.models import Membership
from apps.accounts.principal import Principal
from apps.core.objectstore import tenant_key
from apps.files import store
from apps.files.models import File
from apps.files.services import file_scan, upload_complete, upload_initiate
from apps.tenants.models import Tenant
from tests.files import samples


def uploading_file(
    tenant: Tenant, membership: Membership, *, size: int = len(samples.TEXT), sent: bool = False
) -> File:
    """An upload begun by `membership` (multipart when `size` calls for it); with `sent`,
    its bytes (samples.TEXT) are in the store, waiting for completion."""
    # As a request would have it (the session's `tenant` may carry a plan since rolled back).
    tenant = Tenant.objects.get(pk=tenant.pk)
    with schema_context(tenant.schema_name):
        ticket = upload_initiate(
            tenant=tenant,
            actor=Principal.of_membership(membership),
            name="note.txt",
            size=size,
            content_type="text/plain",
        )
    if sent:
        assert ticket.url is not None
        answer = requests.put(ticket.url, data=samples.TEXT, headers=ticket.headers, timeout=10)
        assert answer.status_code == 200
    return ticket.file


def ready_file(tenant: Tenant, membership: Membership) -> File:
    """A text file uploaded by `membership`, completed, scanned clean and ready."""
    file = uploading_file(tenant, membership, sent=True)
    with schema_context(tenant.schema_name):
        upload_complete(tenant=tenant, file=file, actor=Principal.of_membership(membership))
        file_scan(tenant=tenant, file_id=file.pk)
        file.refresh_from_db()
    assert file.state == File.State.READY
    return file


def _in_store(tenants: tuple[Tenant, ...]) -> tuple[set[str], set[tuple[str, str]]]:
    prefixes = [tenant_key("", schema_name=t.schema_name) for t in tenants]
    keys = {obj.key for prefix in prefixes for obj in store.objects(prefix=prefix)}
    uploads = {
        (u.key, u.upload_id) for prefix in prefixes for u in store.multipart_pending(prefix=prefix)
    }
    return keys, uploads


@contextmanager
def store_left_clean(*tenants: Tenant) -> Iterator[None]:
    """What the block leaves in the object store under the tenants' prefixes (objects,
    multipart uploads) is removed after it: the database rolls back, the store does not."""
    keys, uploads = _in_store(tenants)
    try:
        yield
    finally:
        keys_after, uploads_after = _in_store(tenants)
        for key, upload_id in uploads_after - uploads:
            store.multipart_abort(key=key, upload_id=upload_id)
        store.delete(*(keys_after - keys))
