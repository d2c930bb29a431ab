"""The files page in a real browser: a 20 MiB picture and a small photo given to Uppy's
dashboard together go up in parallel straight to the store (in parts, and in one PUT), the
real worker scans them and makes their thumbnails, and the grid shows them ready with their
thumbnails without a reload."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from PIL import Image
from playwright.sync_api import expect

from apps.files.models import File
from tests.browser.conftest import sign_in
from tests.browser.test_every_page import AXE, AXE_RUN
from tests.files import samples
from tests.files.factories import store_left_clean

MIB = 1024 * 1024

pytestmark = pytest.mark.usefixtures("celery_worker_process", "celery_beat_process")


@pytest.fixture
def files_left_clean(committed, tenant) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The committed files and their objects in the store are gone afterwards."""
    with store_left_clean(tenant):
        yield
        with schema_context(tenant.schema_name):
            File.objects.all().delete()
        connection.set_schema_to_public()


@pytest.fixture
def big_picture(tmp_path: Path) -> Path:
    """A PNG of noise, stored uncompressed: 20 MiB, a multipart upload of three parts."""
    width, height = 2560, 2731
    path = tmp_path / "big picture.png"
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(
        path, compress_level=0
    )
    assert path.stat().st_size >= 20 * MIB
    return path


def test_a_20_mib_picture_uploads_through_uppy_and_shows_its_thumbnail(  # noqa: PLR0917
    page, committed_person, files_left_clean, big_picture, tenant, tmp_path
):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(samples.jpeg((640, 480)))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, committed_person.user.email)
    page.get_by_role("link", name="Files").click()
    expect(page.get_by_test_id("no-files")).to_be_visible()
    expect(page.locator(".uppy-Dashboard")).to_be_visible()

    page.locator("input.uppy-Dashboard-input").first.set_input_files([big_picture, photo])

    card = page.get_by_test_id("file-card").filter(has_text="big picture.png")
    expect(card).to_have_attribute("data-state", "ready", timeout=60_000)
    expect(card.get_by_test_id("thumbnail")).to_be_visible()
    assert card.get_by_test_id("thumbnail").evaluate("img => img.naturalWidth") == 200
    expect(card.get_by_test_id("file-state")).to_have_text("Ready · 20.0 MB")
    small = page.get_by_test_id("file-card").filter(has_text="photo.jpg")
    expect(small).to_have_attribute("data-state", "ready")
    expect(small.get_by_test_id("thumbnail")).to_be_visible()
    with schema_context(tenant.schema_name):
        files = {
            f.name: (f.method, f.part_count, f.size, f.width, f.height) for f in File.objects.all()
        }
    connection.set_schema_to_public()
    assert files == {
        "big picture.png": ("multipart", 3, big_picture.stat().st_size, 2560, 2731),
        "photo.jpg": ("put", None, photo.stat().st_size, 640, 480),
    }
    assert errors == []

    card.get_by_role("link").click()
    expect(page.get_by_test_id("display-image")).to_be_visible()
    assert page.get_by_test_id("display-image").evaluate("img => img.naturalWidth") == 562
    page.set_viewport_size({"width": 390, "height": 800})
    page.add_script_tag(path=AXE)
    assert page.evaluate(AXE_RUN) == []
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0

    page.get_by_test_id("delete").click()
    expect(page.get_by_role("heading", name="Delete big picture.png?")).to_be_visible()
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_text("big picture.png was deleted.")).to_be_visible()
    expect(page.get_by_test_id("file-card")).to_have_count(1)
    assert errors == []


def part_number(url: str) -> int:
    return int(url.split("partNumber=")[1].split("&", maxsplit=1)[0])


def test_an_upload_cut_off_by_a_reload_carries_on_from_the_parts_the_store_has(
    page, committed_person, files_left_clean, tenant, tmp_path
):
    """Parts 1 and 2 reach the store; the others fail before they leave the browser (no
    half-written part: S3Proxy cannot list uploads past one). After a reload, choosing the
    same file again asks the store what it has and sends only the rest."""
    path = tmp_path / "archive.pdf"
    path.write_bytes(b"%PDF-1.4\n" + os.urandom(40 * MIB - 9))
    sent: list[int] = []

    def only_two(route):  # type: ignore[no-untyped-def]
        if part_number(route.request.url) > 2:
            route.abort()
            return
        sent.append(part_number(route.request.url))
        route.continue_()

    sign_in(page, committed_person.user.email)
    page.goto("/files")
    page.route("**/*partNumber=*", only_two)
    stored: list[int] = []
    page.on("response", lambda r: stored.append(1) if "partNumber=" in r.url else None)
    page.locator("input.uppy-Dashboard-input").first.set_input_files(path)
    # Both parts stored before the reload (one cut off half-way would break S3Proxy).
    for _ in range(300):
        if len(stored) == 2:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)  # Uppy notes the parts
    page.reload()  # parts 3 and up still fail until the page is gone
    expect(page.get_by_text("Session restored")).to_be_visible()
    page.unroute("**/*partNumber=*")
    resent: list[int] = []
    page.on(
        "request",
        lambda r: resent.append(part_number(r.url)) if "partNumber=" in r.url else None,
    )
    page.get_by_role("button", name="Add more").click()
    page.locator("input.uppy-Dashboard-input").first.set_input_files(path)
    page.get_by_role("button", name="Upload 1 file").click()
    card = page.get_by_test_id("file-card").filter(has_text="archive.pdf")
    expect(card).to_have_attribute("data-state", "ready", timeout=60_000)
    assert (sorted(sent), sorted(resent)) == ([1, 2], [3, 4, 5])
    with schema_context(tenant.schema_name):
        assert File.objects.count() == 1
    connection.set_schema_to_public()
