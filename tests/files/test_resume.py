"""Resuming uploads against the real store when things go wrong: a part PUT cut half-way,
an upload the store lost, a store that does not answer. The API never answers 500: the
client is told what to send again, or that the upload is over and its room given back."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from apps.core.objectstore import s3_client
from apps.files import store
from apps.files.models import File
from apps.files.selectors import storage_held, storage_used
from apps.files.services import SweepCounts, files_sweep_tenant
from apps.tenants.models import Tenant
from tests.files.uploading import (
    chunks,
    complete,
    md5,
    multipart,
    put_part,
    put_part_cut,
    run_file_jobs,
    sign,
    video,
)
from tests.oidc_provider.process import free_port
from tests.tenants.factories import PlanFactory

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


@pytest.fixture
def twenty_mib_plan(tenant):
    plan = PlanFactory(name="twenty", max_file_bytes=100 * MIB, storage_quota_bytes=20 * MIB)
    Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
    return plan


def the_file(tenant: Tenant, file_id: str) -> File:
    with schema_context(tenant.schema_name):
        return File.objects.get(pk=file_id)


def quota(tenant: Tenant) -> tuple[int, int]:
    """(bytes in use, of them held by uploads not finished) as the quota counts them."""
    with schema_context(tenant.schema_name):
        return storage_used(), storage_held()


def parts_of(client, file_id: str) -> Any:
    return client.get(f"/api/upload/{file_id}/parts")


def etags(answers: dict[int, requests.Response]) -> list[dict[str, Any]]:
    return [{"part_number": n, "etag": a.headers["ETag"]} for n, a in sorted(answers.items())]


@pytest.mark.parametrize("with_md5", [True, False], ids=["content-md5", "no-md5"])
def test_a_part_put_cut_half_way_is_listed_missing_sent_again_and_the_file_becomes_ready(
    tenant, member_client, small_parts, with_md5
):
    data = video(11 * MIB)
    ticket = multipart(member_client, data)
    file_id = ticket["file_id"]
    parts = chunks(data, ticket["part_size"])
    md5s = [md5(parts[n]) for n in (1, 2, 3)] if with_md5 else None
    answer = sign(member_client, file_id, [1, 2, 3], md5s)
    signed = {p["part_number"]: p for p in answer.json()["parts"]}
    sent = {n: put_part(signed[n], parts[n]) for n in (1, 3)}
    assert [a.status_code for a in sent.values()] == [200, 200]
    put_part_cut(signed[2], parts[2], sent=len(parts[2]) // 2)

    listed = parts_of(member_client, file_id)
    assert listed.status_code == 200, listed.content
    assert [(p["part_number"], p["size"], p["etag"]) for p in listed.json()["parts"]] == [
        (1, 5 * MIB, sent[1].headers["ETag"]),
        (3, 1 * MIB, sent[3].headers["ETag"]),
    ]
    # The store's list of uploads in progress (the sweep's, every company's) still answers.
    key = the_file(tenant, file_id).key
    assert [u.key for u in store.multipart_pending(prefix=key)] == [key]

    sent[2] = put_part(signed[2], parts[2])
    assert sent[2].status_code == 200
    done = complete(member_client, file_id, etags(sent))
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "uploaded"
    assert run_file_jobs() == ["file.scan:succeeded"]
    assert the_file(tenant, file_id).state == "ready"
    url = member_client.get(f"/api/files/{file_id}/download").json()["url"]
    assert requests.get(url, timeout=30).content == data


UPLOAD_GONE = {
    "status": 409,
    "code": "upload_gone",
    "message": (
        "The file store no longer has this upload, so it was cancelled and its room given "
        "back. Upload the file again."
    ),
    "errors": {},
}


def test_an_upload_the_store_no_longer_has_ends_aborted_and_gives_its_room_back(
    tenant, member_client, small_parts, twenty_mib_plan
):
    ticket = multipart(member_client, video(11 * MIB))
    file_id = ticket["file_id"]
    [one] = sign(member_client, file_id, [1]).json()["parts"]
    assert put_part(one, video(11 * MIB)[: 5 * MIB]).status_code == 200
    assert quota(tenant) == (11 * MIB, 11 * MIB)
    refused = member_client.post(
        "/api/upload/initiate",
        {"name": "b.mp4", "size": 10 * MIB, "content_type": "video/mp4"},
        format="json",
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "quota_exceeded")

    # Aborted in the store behind Kura's back (an operator, a lifecycle rule).
    file = the_file(tenant, file_id)
    assert store.multipart_abort(key=file.key, upload_id=file.upload_id) is True

    gone = parts_of(member_client, file_id)
    assert (gone.status_code, gone.json()) == (409, UPLOAD_GONE)
    file = the_file(tenant, file_id)
    assert (file.state, file.reason) == (
        "aborted",
        "The file store lost this upload; upload it again.",
    )
    assert quota(tenant) == (0, 0)
    assert multipart(member_client, video(10 * MIB), name="b.mp4")["part_count"] == 2
    assert quota(tenant) == (10 * MIB, 10 * MIB)
    again = parts_of(member_client, file_id)
    assert (again.status_code, again.json()["message"]) == (409, "This upload is aborted.")


def test_completing_an_upload_the_store_no_longer_has_ends_it_aborted(
    tenant, member_client, small_parts
):
    data = video(11 * MIB)
    ticket = multipart(member_client, data)
    file_id = ticket["file_id"]
    parts = chunks(data, ticket["part_size"])
    answer = sign(member_client, file_id, [1, 2, 3])
    signed = {p["part_number"]: p for p in answer.json()["parts"]}
    sent = {n: put_part(signed[n], parts[n]) for n in (1, 2, 3)}
    file = the_file(tenant, file_id)
    assert store.multipart_abort(key=file.key, upload_id=file.upload_id) is True

    gone = complete(member_client, file_id, etags(sent))
    assert (gone.status_code, gone.json()) == (409, UPLOAD_GONE)
    assert the_file(tenant, file_id).state == "aborted"
    assert quota(tenant) == (0, 0)
    assert store.head(file.key) is None


@pytest.fixture
def store_down(settings) -> Iterator[Callable[[], Any]]:
    """Within the block, the store's address is a port nothing listens on (connection
    refused, as when the store is down); each store call the block makes is counted,
    retries included, by operation."""
    calls: dict[str, int] = {}

    def count(event_name: str, **_kwargs: Any) -> None:
        operation = event_name.rsplit(".", 1)[1]  # before-send.s3.ListParts
        calls[operation] = calls.get(operation, 0) + 1

    @contextmanager
    def block() -> Iterator[dict[str, int]]:
        endpoint = settings.AWS_S3_ENDPOINT_URL
        settings.AWS_S3_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
        s3_client.cache_clear()
        store._client().meta.events.register("before-send.s3", count)
        try:
            yield calls
        finally:
            settings.AWS_S3_ENDPOINT_URL = endpoint
            s3_client.cache_clear()

    yield block
    s3_client.cache_clear()


def test_a_store_that_does_not_answer_never_makes_a_500(
    tenant, member_client, small_parts, twenty_mib_plan, store_down
):
    data = video(11 * MIB)
    ticket = multipart(member_client, data)
    file_id = ticket["file_id"]
    [one] = sign(member_client, file_id, [1]).json()["parts"]
    first = put_part(one, data[: 5 * MIB])
    assert first.status_code == 200
    later = multipart(member_client, video(2 * MIB), name="later.mp4")

    with store_down() as calls:
        listed = parts_of(member_client, file_id)
        assert (listed.status_code, listed.json()) == (
            409,
            {
                "status": 409,
                "code": "parts_unavailable",
                "message": (
                    "The file store cannot say which parts of this upload it has right now. "
                    "Send again every part you have no confirmation for, then complete the "
                    "upload."
                ),
                "errors": {},
            },
        )
        # botocore's standard retries: the call tried four times before the answer.
        assert calls == {"ListParts": store.ATTEMPTS}
        completed = complete(member_client, file_id, etags({1: first}))
        assert (completed.status_code, completed.json()["code"]) == (503, "store_unavailable")
        assert completed["Retry-After"] == "5"
        assert completed.json()["message"] == (
            "The file store is not answering right now. Try again in a moment."
        )
        begun = sign(member_client, later["file_id"], [1])
        assert (begun.status_code, begun.json()["code"]) == (503, "store_unavailable")
        assert the_file(tenant, file_id).state == "uploading"
        assert the_file(tenant, later["file_id"]).upload_id == ""
        assert quota(tenant) == (13 * MIB, 13 * MIB)

        # Cancelling gives the room back at once; the store's upload is left to the sweep.
        aborted = member_client.delete(f"/api/upload/{file_id}")
        assert (aborted.status_code, aborted.json()["state"]) == (200, "aborted")
        assert quota(tenant) == (2 * MIB, 2 * MIB)

    file = the_file(tenant, file_id)
    assert [u.upload_id for u in store.multipart_pending(prefix=file.key)] == [file.upload_id]
    assert member_client.delete(f"/api/upload/{later['file_id']}").status_code == 200
    with tenant_context(tenant):
        swept = files_sweep_tenant(tenant=tenant, now=timezone.now() + timedelta(hours=2))
    assert swept == SweepCounts(orphans=1)
    assert list(store.multipart_pending(prefix=file.key)) == []
