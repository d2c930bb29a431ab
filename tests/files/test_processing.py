"""After an upload, the jobs run here in-process as the worker runs them (each in the
tenant, in its own transaction) against the real S3 server and clamd: scan, quarantine,
promotion, derivatives, and each step run again has one effect."""

import io
import uuid

import pytest
import requests
from django.db import connection
from django_tenants.utils import schema_context
from PIL import Image

from apps.files import store
from apps.files.models import File
from apps.files.services import file_derive, file_scan
from apps.jobs.models import Job
from apps.notifications.models import Notification
from tests.files import samples
from tests.files.uploading import complete, initiate, run_file_jobs, tenant_prefix, upload

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


@pytest.fixture
def member_client(member, client_of):
    return client_of(member)


def the_file(tenant, file_id) -> File:
    with schema_context(tenant.schema_name):
        return File.objects.get(pk=file_id)


def uploaded(client, data, **kwargs) -> str:
    response = upload(client, data, **kwargs)
    assert response.status_code == 200, response.content
    return response.json()["id"]


def test_a_clean_file_is_promoted_out_of_quarantine_and_ready(tenant, member_client):
    file_id = uploaded(
        member_client, samples.PDF, name="見積書.pdf", content_type="application/pdf"
    )
    incoming = the_file(tenant, file_id).key
    assert run_file_jobs() == ["file.scan:succeeded"]
    file = the_file(tenant, file_id)
    assert (file.state, file.reason, file.scanned_bytes) == ("ready", "", len(samples.PDF))
    assert file.key == f"{tenant_prefix(tenant)}/files/{file_id}"
    assert store.head(incoming) is None
    assert store.head(file.key)[0] == len(samples.PDF)
    assert (file.display_key, file.thumbnail_key) == ("", "")
    assert file.processed_at is not None

    download = member_client.get(f"/api/files/{file_id}/download")
    assert download.status_code == 200
    assert set(download.json()) == {"url", "expires_at"}
    got = requests.get(download.json()["url"], timeout=10)
    assert got.status_code == 200
    assert got.content == samples.PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf"
    )


def test_eicar_is_infected_deleted_notified_and_never_downloadable(tenant, member, member_client):
    file_id = uploaded(member_client, samples.EICAR, name="eicar.txt")
    assert run_file_jobs() == ["file.scan:succeeded"]
    file = the_file(tenant, file_id)
    assert file.state == "infected"
    # The signature's name depends on the database clamd has (ours, or the official one).
    assert "Eicar" in file.reason
    for key in (file.key, store.served_key(file.pk, schema_name=tenant.schema_name)):
        assert store.head(key) is None
    with schema_context(tenant.schema_name):
        notes = list(Notification.objects.values_list("user_id", "kind", "title", "body", "link"))
    assert notes == [
        (
            member.user_id,
            "file_infected",
            "A virus was found in eicar.txt; the file was deleted.",
            file.reason,
            "/files",
        )
    ]
    refused = member_client.get(f"/api/files/{file_id}/download")
    assert refused.status_code == 409
    assert refused.json() == {
        "status": 409,
        "code": "file_not_ready",
        "message": "This file is infected; only ready files can be downloaded.",
        "errors": {},
    }


def test_a_photo_gets_its_display_image_and_thumbnail(tenant, member_client):
    photo = samples.jpeg((1600, 1200), orientation=6)  # turned a quarter: 1200x1600 upright
    file_id = uploaded(member_client, photo, name="IMG_0001.JPG", content_type="image/jpeg")
    assert run_file_jobs() == ["file.scan:succeeded", "file.derive:succeeded"]
    file = the_file(tenant, file_id)
    assert (file.state, file.width, file.height) == ("ready", 1200, 1600)
    assert file.display_key == f"{tenant_prefix(tenant)}/display/{file_id}.jpg"
    assert file.thumbnail_key == f"{tenant_prefix(tenant)}/thumbs/{file_id}.jpg"

    detail = member_client.get(f"/api/files/{file_id}").json()
    display = requests.get(detail["display_url"], timeout=10)
    thumbnail = requests.get(detail["thumbnail_url"], timeout=10)
    assert display.headers["Content-Type"] == thumbnail.headers["Content-Type"] == "image/jpeg"
    for got, size in ((display, (450, 600)), (thumbnail, (200, 200))):
        image = Image.open(io.BytesIO(got.content))
        assert (image.format, image.size) == ("JPEG", size)
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    # The original is what was uploaded, EXIF and all.
    original = requests.get(member_client.get(f"/api/files/{file_id}/download").json()["url"])
    assert original.content == photo


def test_a_damaged_image_is_rejected_after_its_scan(tenant, member_client):
    photo = samples.jpeg((1600, 1200))
    file_id = uploaded(
        member_client, photo[: len(photo) // 2], name="cut.jpg", content_type="image/jpeg"
    )
    assert run_file_jobs() == ["file.scan:succeeded", "file.derive:succeeded"]
    file = the_file(tenant, file_id)
    assert (file.state, file.reason) == ("rejected", "This image is damaged or incomplete.")
    assert store.head(file.key) is None
    assert member_client.get(f"/api/files/{file_id}/download").status_code == 409


def test_a_large_file_is_scanned_in_windows_over_several_jobs(tenant, member_client, settings):
    settings.FILES_SCAN_WINDOW_BYTES = 1 * MIB
    settings.FILES_SCAN_OVERLAP_BYTES = 4096
    settings.FILES_SCAN_BYTES_PER_JOB = 2 * MIB
    data = b"kura " * (MIB + 1000)  # 5 MiB and a little
    file_id = uploaded(member_client, data, name="big.txt")
    assert run_file_jobs() == ["file.scan:succeeded"] * 3
    connection.set_schema_to_public()
    keys = list(
        Job.objects.filter(kind="file.scan")
        .order_by("pk")
        .values_list("idempotency_key", flat=True)
    )
    assert keys == [f"file-scan:{file_id}:{offset}" for offset in (0, 2 * MIB, 4 * MIB)]
    file = the_file(tenant, file_id)
    assert (file.state, file.scanned_bytes) == ("ready", len(data))


def test_a_scan_run_again_after_a_lost_transaction_has_one_effect(tenant, member_client):
    """The store is not transactional: a run that promoted the file and then lost its
    transaction leaves the object already moved; the next run finds it there."""
    file_id = uploaded(member_client, samples.TEXT)
    file = the_file(tenant, file_id)
    served = store.served_key(file.pk, schema_name=tenant.schema_name)
    store.copy(source=file.key, target=served)
    store.delete(file.key)
    assert run_file_jobs() == ["file.scan:succeeded"]
    file = the_file(tenant, file_id)
    assert (file.state, file.key) == ("ready", served)
    assert store.head(served)[0] == len(samples.TEXT)
    # And once it is done, running either step again changes nothing.
    with schema_context(tenant.schema_name):
        file_scan(tenant=tenant, file_id=file.pk)
        file_derive(tenant=tenant, file_id=file.pk)
    assert the_file(tenant, file_id).updated_at == file.updated_at


def test_a_file_deleted_before_its_scan_leaves_nothing(tenant, member_client):
    file_id = uploaded(member_client, samples.TEXT)
    assert member_client.delete(f"/api/files/{file_id}").status_code == 204
    assert run_file_jobs() == ["file.scan:succeeded"]
    with schema_context(tenant.schema_name):
        assert not File.objects.exists()
    for key in ("incoming", "files"):
        assert store.head(f"{tenant_prefix(tenant)}/{key}/{file_id}") is None


def test_a_scan_that_cannot_run_retries_then_rejects_the_file(tenant, member_client, settings):
    settings.FILES_SCAN_MAX_ATTEMPTS = 2
    settings.CLAMD_PORT = 9  # nothing listens there
    file_id = uploaded(member_client, samples.TEXT)
    connection.set_schema_to_public()
    job = Job.objects.get(kind="file.scan")
    assert run_file_jobs() == ["file.scan:failed"]
    assert the_file(tenant, file_id).state == "uploaded"  # rolled back with the job
    Job.objects.filter(pk=job.pk).update(state="scheduled", run_at=job.run_at)
    assert run_file_jobs() == ["file.scan:dead"]
    file = the_file(tenant, file_id)
    assert (file.state, file.reason) == (
        "rejected",
        "The virus scan could not run; upload the file again.",
    )
    assert store.head(file.key) is None


def test_an_unknown_file_id_in_a_job_does_nothing(tenant):
    with schema_context(tenant.schema_name):
        file_scan(tenant=tenant, file_id=uuid.uuid4())
        file_derive(tenant=tenant, file_id=uuid.uuid4())


def test_complete_without_parts_of_a_never_signed_multipart_upload(tenant, member_client, settings):
    settings.FILES_SINGLE_PUT_MAX_BYTES = 10
    ticket = initiate(member_client, name="a.txt", size=20).json()
    response = complete(member_client, ticket["file_id"])
    assert (response.status_code, response.json()["code"]) == (409, "upload_incomplete")
    assert response.json()["message"] == "The store does not have parts 1 yet."
