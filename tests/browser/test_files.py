"""The files page in a real browser: a 20 MiB picture and a small photo given to Uppy's
dashboard together go up in parallel straight to the store (in parts, and in one PUT), the
real worker scans them and makes their thumbnails, and the grid shows them ready with their
thumbnails without a reload. Then the journeys that broke (issue 20), each once, in English
or Japanese at 1280 or 390 px: three files of which one is refused, a 60 MB file paused and
resumed, a reload half-way, the network cut mid-part; and the drop zone in all four.

KURA_SCREENSHOTS=<folder> keeps a screenshot of each journey's end there, to look at."""

import os
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from PIL import Image
from playwright.sync_api import Browser, Page, Request, expect

from apps.files.models import File
from tests.browser.conftest import sign_in, signed_in_context
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


@pytest.fixture
def files_page(
    browser: Browser, base_port, tenant, committed_person
) -> Iterator[Callable[..., Page]]:  # type: ignore[no-untyped-def]
    """The files page of a signed-in member, in `language`, `width` px wide."""
    base = f"http://{tenant.slug}.localhost:{base_port}"
    contexts = []

    def open_page(language: str, width: int) -> Page:
        context = signed_in_context(
            browser, base, committed_person.user.email, language=language, width=width
        )
        contexts.append(context)
        page = context.new_page()
        page.goto("/files")
        expect(page.locator(".uppy-Dashboard")).to_be_visible()
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("KURA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def stored_zip(path: Path, size: int) -> Path:
    """A zip of random bytes stored as they are: `size` bytes and more, a real type."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("data.bin", os.urandom(size))
    return path


def part_puts(page: Page) -> list[int]:
    """The part numbers of every part PUT the page sends from now on, in order."""
    sent: list[int] = []

    def on_request(request: Request) -> None:
        if request.method == "PUT" and "partNumber=" in request.url:
            sent.append(part_number(request.url))

    page.on("request", on_request)
    return sent


def throttle(page: Page, bytes_per_second: int) -> None:
    """Chromium sends at most this fast (its DevTools network conditions)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_drop_zone_says_what_may_be_uploaded(files_page, language, width):
    page = files_page(language, width)
    limits = page.get_by_test_id("upload-limits")
    expect(limits.get_by_test_id("allowed-types")).to_contain_text("jpg, jpeg, png")
    expect(limits.get_by_test_id("largest-file")).to_have_text("5.0\xa0GB")
    hint = {"en": "Drop files here or browse", "ja": "ここにファイルをドロップするか"}[language]
    expect(page.locator(".uppy-Dashboard-AddFiles-title")).to_contain_text(hint)
    box = page.get_by_test_id("uploader").bounding_box()
    assert box is not None
    assert (box["x"] >= 0, box["x"] + box["width"] <= width, box["height"] >= 400) == (
        True,
        True,
        True,
    )
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    shot(page, f"drop-zone-{language}-{width}")


@pytest.mark.slow
def test_an_upload_cut_off_by_a_reload_carries_on_from_the_parts_the_store_has(
    files_page, files_left_clean, tenant, tmp_path
):
    """In Japanese, on a phone. Parts 1 and 2 reach the store; the others fail before they
    leave the browser. After a reload the restored file and the link to choose it again show
    (in Japanese: Uppy's ja_JP has no words for them), and choosing the same file again asks
    the store what it has and sends only the rest."""
    path = stored_zip(tmp_path / "archive.zip", 40 * MIB)
    sent: list[int] = []

    def only_two(route):  # type: ignore[no-untyped-def]
        if part_number(route.request.url) > 2:
            route.abort()
            return
        sent.append(part_number(route.request.url))
        route.continue_()

    page = files_page("ja", 390)
    page.route("**/*partNumber=*", only_two)
    stored: list[int] = []
    page.on("response", lambda r: stored.append(1) if "partNumber=" in r.url else None)
    page.locator("input.uppy-Dashboard-input").first.set_input_files(path)
    for _ in range(300):
        if len(stored) == 2:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)  # Uppy notes the parts
    page.reload()  # parts 3 and up still fail until the page is gone
    dashboard = page.locator(".uppy-Dashboard-inner")
    expect(dashboard.get_by_text("アップロードを復元しました")).to_be_visible()
    expect(dashboard.get_by_text("1 個のファイルを完全には復元できませんでした。")).to_be_visible()
    restored = page.locator(".uppy-Dashboard-Item").filter(has_text="archive.zip")
    again = restored.get_by_role("button", name="もう一度選ぶ")
    expect(again).to_be_visible()
    # The box shows the restored file and its link whole, not cut off by its own height.
    inner = dashboard.bounding_box()
    link = again.bounding_box()
    assert inner is not None
    assert link is not None
    assert link["y"] + link["height"] <= inner["y"] + inner["height"]
    shot(page, "restored-ja-390")
    page.unroute("**/*partNumber=*")
    resent = part_puts(page)
    again.click()
    page.locator("input.uppy-Dashboard-input").first.set_input_files(path)
    page.get_by_role("button", name="1 ファイルをアップロード").click()
    card = page.get_by_test_id("file-card").filter(has_text="archive.zip")
    expect(card).to_have_attribute("data-state", "ready", timeout=60_000)
    # 40 MiB and the zip's own bytes: six parts of 8 MiB.
    assert (sorted(sent), sorted(resent)) == ([1, 2], [3, 4, 5, 6])
    with schema_context(tenant.schema_name):
        assert File.objects.count() == 1
    connection.set_schema_to_public()


def test_of_three_files_one_refused_the_two_others_go_up_and_the_refused_one_says_why(
    files_page, files_left_clean, tmp_path
):
    """In Japanese, on a wide screen: the refusal is written out (not behind a "?"), in plain
    words and the page's language; the status says how many went up, whole."""
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(samples.jpeg((640, 480)))
    note = tmp_path / "note.txt"
    note.write_text("見積もりのメモ\n", encoding="utf-8")
    refused = tmp_path / "data.bin"
    refused.write_bytes(os.urandom(4096))
    page = files_page("ja", 1280)
    page.locator("input.uppy-Dashboard-input").first.set_input_files([photo, note, refused])

    box = page.get_by_test_id("upload-refused")
    expect(box).to_be_visible()
    expect(box.get_by_role("heading")).to_have_text("アップロードできなかったファイル")
    expect(box.locator("li")).to_have_text(
        "data.bin: この種類のファイルはここにはアップロードできません。使える種類: jpg, jpeg, "
        "png, webp, gif, heic, heif, avif, pdf, docx, xlsx, pptx, odt, ods, odp, txt, text, "
        "csv, md, log, zip, mp4, m4v。"
    )
    # It leaves the dashboard (sending it again cannot help): the two others say done.
    expect(page.locator(".uppy-Dashboard-Item.is-complete")).to_have_count(2, timeout=30_000)
    expect(page.locator(".uppy-Dashboard-Item")).to_have_count(2)
    expect(page.locator(".uppy-DashboardContent-title")).to_have_text("アップロード完了")
    expect(page.locator(".uppy-StatusBar-statusPrimary")).to_have_text("完了しました")
    grid = page.get_by_test_id("file-card")
    expect(grid).to_have_count(2)
    expect(grid.filter(has_text="photo.jpg")).to_have_attribute(
        "data-state", "ready", timeout=60_000
    )
    expect(grid.filter(has_text="note.txt")).to_have_attribute("data-state", "ready")
    shot(page, "three-files-ja-1280")


@pytest.mark.slow
def test_a_60_mb_file_paused_and_resumed_sends_only_the_parts_the_store_lacks(
    files_page, files_left_clean, tenant, tmp_path
):
    """In English, on a wide screen. Pausing cuts the parts in flight half-way; resuming asks
    the server which parts the store has (it answered 500 before) and sends the others."""
    path = stored_zip(tmp_path / "archive.zip", 60 * 1000 * 1000)
    page = files_page("en", 1280)
    throttle(page, 12 * MIB)  # about 5 s: time to pause
    sent = part_puts(page)
    done: list[int] = []
    page.on(
        "response",
        lambda r: done.append(part_number(r.url)) if "partNumber=" in r.url and r.ok else None,
    )
    page.locator("input.uppy-Dashboard-input").first.set_input_files(path)
    for _ in range(300):
        if done:
            break
        page.wait_for_timeout(50)
    # No time estimate (Uppy's said "40 s left" for 4 s), the share sent.
    expect(page.locator(".uppy-StatusBar-status")).to_have_text(re.compile(r"^Uploading: \d+%$"))
    page.get_by_role("button", name="Pause upload").click()
    expect(page.locator(".uppy-StatusBar-statusPrimary")).to_have_text(
        re.compile(r"^Paused: \d+%$")
    )
    confirmed = sorted(done)
    before = len(sent)
    page.wait_for_timeout(1500)
    assert len(sent) == before  # nothing goes while paused
    throttle(page, -1)
    page.get_by_role("button", name="Resume upload").click()
    card = page.get_by_test_id("file-card").filter(has_text="archive.zip")
    expect(card).to_have_attribute("data-state", "ready", timeout=90_000)
    resumed = sent[before:]
    assert confirmed
    assert not set(resumed) & set(confirmed)
    assert sorted(set(confirmed) | set(resumed)) == list(range(1, 9))
    with schema_context(tenant.schema_name):
        assert [(f.state, f.size) for f in File.objects.all()] == [("ready", path.stat().st_size)]
    connection.set_schema_to_public()
    shot(page, "paused-and-resumed-en-1280")


@pytest.mark.slow
def test_an_upload_carries_on_by_itself_after_the_network_is_cut_mid_part(
    files_page, files_left_clean, tenant, tmp_path
):
    """In English, on a phone: offline for three seconds while parts are on their way."""
    path = stored_zip(tmp_path / "travel.zip", 30 * MIB)
    page = files_page("en", 390)
    throttle(page, 8 * MIB)
    sent = part_puts(page)
    page.locator("input.uppy-Dashboard-input").first.set_input_files(path)
    for _ in range(300):
        if sent:
            break
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)  # the first parts are half-way
    page.context.set_offline(True)
    page.wait_for_timeout(3000)
    page.context.set_offline(False)
    card = page.get_by_test_id("file-card").filter(has_text="travel.zip")
    expect(card).to_have_attribute("data-state", "ready", timeout=90_000)
    expect(page.locator(".uppy-Dashboard-Item.is-complete")).to_have_count(1)
    expect(page.get_by_test_id("upload-refused")).to_be_hidden()
    shot(page, "network-cut-en-390")


def test_a_file_whose_one_put_failed_goes_up_on_retry_and_holds_its_room_once(
    files_page, files_left_clean, tenant, tmp_path
):
    """In Japanese, on a phone: the store drops the first PUT; Retry sends it again as a new
    upload and gives the failed one up, so the company's storage counts the file once (each
    try used to keep its reservation until the hourly sweep)."""
    note = tmp_path / "memo.txt"
    note.write_text("打ち合わせのメモ\n" * 100, encoding="utf-8")
    page = files_page("ja", 390)
    dropped: list[str] = []

    def drop_the_first_put(route):  # type: ignore[no-untyped-def]
        if route.request.method == "PUT" and not dropped:
            dropped.append(route.request.url)
            route.abort()
            return
        route.continue_()

    page.route(re.compile(r".*/incoming/.*"), drop_the_first_put)
    page.locator("input.uppy-Dashboard-input").first.set_input_files(note)
    retry = page.locator(".uppy-StatusBar-actionBtn--retry")
    expect(retry).to_be_visible(timeout=30_000)
    assert len(dropped) == 1
    # The failed try is given up at once, not kept until the hourly sweep.
    for _ in range(100):
        if states_of(tenant) == [File.State.ABORTED]:
            break
        page.wait_for_timeout(100)
    assert states_of(tenant) == [File.State.ABORTED]
    retry.click()
    card = page.get_by_test_id("file-card").filter(has_text="memo.txt")
    expect(card).to_have_attribute("data-state", "ready", timeout=60_000)
    assert states_of(tenant) == [File.State.ABORTED, File.State.READY]


def states_of(tenant) -> list[str]:  # type: ignore[no-untyped-def]
    with schema_context(tenant.schema_name):
        states = sorted(File.objects.values_list("state", flat=True))
    connection.set_schema_to_public()
    return states
