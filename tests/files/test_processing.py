"""After an upload, the jobs run here in-process as the worker runs them (each in the
tenant, in its own transaction) against the real S3 server and clamd: scan, quarantine,
promotion, derivatives, and each step run again has one effect."""

import hashlib
import io
import uuid
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context
from PIL import Image

from apps.core.objectstore import s3_client
from apps.files import images, store
from apps.files.models import File
from apps.files.selectors import image_url
from apps.files.services import file_derive, file_previews_remake, file_scan
from apps.files.store import IMMUTABLE
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
    file_id = uploaded(member_client, samples.TEXT, name="見積書.txt")
    incoming = the_file(tenant, file_id).key
    assert run_file_jobs() == ["file.scan:succeeded"]
    file = the_file(tenant, file_id)
    assert (file.state, file.reason, file.scanned_bytes) == ("ready", "", len(samples.TEXT))
    assert file.key == f"{tenant_prefix(tenant)}/files/{file_id}"
    assert store.head(incoming) is None
    assert store.head(file.key)[0] == len(samples.TEXT)
    assert (file.display_key, file.thumbnail_key) == ("", "")
    assert file.processed_at is not None


def test_the_original_is_an_attachment_no_cache_keeps(tenant, member_client):
    pdf = samples.pdf()
    file_id = uploaded(member_client, pdf, name="見積書.pdf", content_type="application/pdf")
    run_file_jobs()

    download = member_client.get(f"/api/files/{file_id}/download")
    assert download.status_code == 200
    assert set(download.json()) == {"url", "expires_at"}
    got = requests.get(download.json()["url"], timeout=10)
    assert got.status_code == 200
    assert got.content == pdf
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf"
    )
    assert got.headers["Cache-Control"] == "private, no-store"
    query = parse_qs(urlsplit(download.json()["url"]).query)
    assert query["X-Amz-Expires"] == ["300"]


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

    detail = member_client.get(f"/api/files/{file_id}").json()
    display = requests.get(detail["display_url"], timeout=10)
    thumbnail = requests.get(detail["thumbnail_url"], timeout=10)
    assert file.display_key == preview_key(tenant, "display", file_id, display.content)
    assert file.thumbnail_key == preview_key(tenant, "thumbs", file_id, thumbnail.content)
    assert display.headers["Content-Type"] == thumbnail.headers["Content-Type"] == "image/jpeg"
    for got, size in ((display, (450, 600)), (thumbnail, (200, 200))):
        image = Image.open(io.BytesIO(got.content))
        assert (image.format, image.size) == ("JPEG", size)
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    # The original is what was uploaded, EXIF and all.
    original = requests.get(member_client.get(f"/api/files/{file_id}/download").json()["url"])
    assert original.content == photo


def preview_key(tenant, folder: str, file_id: str, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()[:24]
    return f"{tenant_prefix(tenant)}/{folder}/{file_id}-{digest}.jpg"


def test_previews_are_stored_to_be_cached_for_a_year(tenant, member_client):
    file_id = uploaded(
        member_client, samples.png((640, 480)), name="a.png", content_type="image/png"
    )
    run_file_jobs()
    file = the_file(tenant, file_id)

    for key in (file.display_key, file.thumbnail_key):
        stored = s3_client().head_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=key)
        assert (stored["CacheControl"], stored["ContentType"]) == (IMMUTABLE, "image/jpeg")
    url = member_client.get(f"/api/files/{file_id}").json()["display_url"]
    got = requests.get(url, timeout=10)
    assert (got.status_code, got.headers["Cache-Control"]) == (200, IMMUTABLE)


def test_a_preview_url_keeps_its_path_and_may_name_a_cdn(tenant, member_client, settings):
    file_id = uploaded(
        member_client, samples.png((640, 480)), name="a.png", content_type="image/png"
    )
    run_file_jobs()
    file = the_file(tenant, file_id)
    first = urlsplit(image_url(file=file, key=file.display_key))
    later = urlsplit(store.derivative_url(key=file.display_key, expires_in=60))
    # A CDN caches by path: the same path every time; only the signature's query changes.
    assert first.path == later.path == f"/{settings.AWS_STORAGE_BUCKET_NAME}/{file.display_key}"
    assert first.query != later.query
    assert sorted(parse_qs(first.query)) == [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
    ]

    settings.FILES_DERIVATIVES_URL = "https://cdn.example.com"
    cdn = urlsplit(image_url(file=file, key=file.display_key))
    assert (cdn.scheme, cdn.netloc, cdn.path) == ("https", "cdn.example.com", first.path)
    # What the CDN does on a miss: the same path and query to the store, with its Host.
    store_url = urlunsplit((*urlsplit(settings.AWS_S3_ENDPOINT_URL)[:2], cdn.path, cdn.query, ""))
    got = requests.get(store_url, timeout=10)
    assert (got.status_code, got.headers["Cache-Control"]) == (200, IMMUTABLE)
    # The original never goes through the CDN.
    download = urlsplit(member_client.get(f"/api/files/{file_id}/download").json()["url"])
    assert download.netloc == urlsplit(settings.AWS_S3_ENDPOINT_URL).netloc


def test_a_pdf_gets_its_first_page_as_its_preview(tenant, member_client):
    file_id = uploaded(
        member_client, samples.pdf(pages=2), name="見積書.pdf", content_type="application/pdf"
    )
    assert run_file_jobs() == ["file.scan:succeeded", "file.derive:succeeded"]
    file = the_file(tenant, file_id)
    assert (file.state, file.reason, file.width, file.height) == ("ready", "", None, None)

    detail = member_client.get(f"/api/files/{file_id}").json()
    display = Image.open(io.BytesIO(requests.get(detail["display_url"], timeout=10).content))
    thumbnail = Image.open(io.BytesIO(requests.get(detail["thumbnail_url"], timeout=10).content))
    assert (display.size, thumbnail.size) == ((424, 600), (200, 200))
    assert display.getpixel((10, 300))[0] > 240  # the page's left half is red
    assert display.getpixel((414, 300))[2] > 240  # and its right half blue


def test_a_pdf_over_the_limits_is_ready_without_a_preview(tenant, member_client, settings):
    settings.KURA_PDF_MAX_PAGES = 2
    pdf = samples.pdf(pages=3)
    file_id = uploaded(member_client, pdf, name="big.pdf", content_type="application/pdf")
    assert run_file_jobs() == ["file.scan:succeeded", "file.derive:succeeded"]
    file = the_file(tenant, file_id)
    assert (file.state, file.reason) == (
        "ready",
        "This PDF has 3 pages; Kura previews PDFs of up to 2.",
    )
    assert (file.display_key, file.thumbnail_key) == ("", "")
    detail = member_client.get(f"/api/files/{file_id}").json()
    assert (detail["display_url"], detail["thumbnail_url"]) == (None, None)
    download = member_client.get(f"/api/files/{file_id}/download").json()["url"]
    assert requests.get(download, timeout=10).content == pdf


def test_remade_previews_get_new_keys_and_the_old_objects_go(tenant, member_client, monkeypatch):
    file_id = uploaded(
        member_client, samples.jpeg((800, 600)), name="a.jpg", content_type="image/jpeg"
    )
    run_file_jobs()
    before = the_file(tenant, file_id)
    with schema_context(tenant.schema_name):
        # The same drawing again: the same bytes, the same keys.
        assert file_previews_remake(file_id=before.pk) is False
        monkeypatch.setattr(images, "JPEG_QUALITY", 40)  # a change to how previews are drawn
        assert file_previews_remake(file_id=before.pk) is True
    after = the_file(tenant, file_id)
    assert after.display_key != before.display_key
    assert after.thumbnail_key != before.thumbnail_key
    assert store.head(before.display_key) is None
    assert store.head(before.thumbnail_key) is None
    for key in (after.display_key, after.thumbnail_key):
        stored = s3_client().head_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=key)
        assert stored["CacheControl"] == IMMUTABLE
    got = requests.get(image_url(file=after, key=after.display_key), timeout=10)
    assert hashlib.sha256(got.content).hexdigest()[:24] in after.display_key


def test_previews_of_before_are_still_served_and_the_command_remakes_them(
    tenant, member_client, settings
):
    photo_id = uploaded(
        member_client, samples.jpeg((800, 600)), name="a.jpg", content_type="image/jpeg"
    )
    settings.KURA_PDF_MAX_PAGES = 0  # as before Kura previewed PDFs: no preview
    pdf_id = uploaded(member_client, samples.pdf(), name="a.pdf", content_type="application/pdf")
    run_file_jobs()
    # The photo's previews as they were stored before: display/<id>.jpg, no Cache-Control.
    photo = the_file(tenant, photo_id)
    old = (
        store.display_key(photo.pk, schema_name=tenant.schema_name),
        store.thumbnail_key(photo.pk, schema_name=tenant.schema_name),
    )
    for new_key, old_key in zip((photo.display_key, photo.thumbnail_key), old, strict=True):
        store.copy(source=new_key, target=old_key)
        store.delete(new_key)
    with schema_context(tenant.schema_name):
        File.objects.filter(pk=photo.pk).update(display_key=old[0], thumbnail_key=old[1])
    photo = the_file(tenant, photo_id)
    assert requests.get(image_url(file=photo, key=photo.display_key), timeout=10).status_code == 200
    assert the_file(tenant, pdf_id).display_key == ""

    settings.KURA_PDF_MAX_PAGES = 2000
    out = io.StringIO()
    call_command("files_previews", stdout=out)

    assert f"{tenant.schema_name}: 2 of 2 remade" in out.getvalue().splitlines()
    photo, pdf = the_file(tenant, photo_id), the_file(tenant, pdf_id)
    assert photo.display_key.startswith(f"{tenant_prefix(tenant)}/display/{photo_id}-")
    assert (store.head(old[0]), store.head(old[1])) == (None, None)
    assert pdf.display_key.startswith(f"{tenant_prefix(tenant)}/display/{pdf_id}-")
    assert pdf.reason == ""
    out = io.StringIO()
    call_command("files_previews", stdout=out)
    assert f"{tenant.schema_name}: 0 of 0 remade" in out.getvalue().splitlines()


def test_deleting_a_file_deletes_its_previews(tenant, member_client):
    file_id = uploaded(member_client, samples.png((64, 48)), name="a.png", content_type="image/png")
    run_file_jobs()
    file = the_file(tenant, file_id)
    assert store.head(file.display_key) is not None

    assert member_client.delete(f"/api/files/{file_id}").status_code == 204

    assert (store.head(file.display_key), store.head(file.thumbnail_key)) == (None, None)


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
