"""Previews of documents, from PDFs and office files made here (pure: no services; PDFium
runs in its child process as in the worker)."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image

from apps.files import documents, images
from apps.files.errors import PreviewRefusedError
from apps.files.pdfpage import Limits, render_scale, rendered_size
from tests.files import samples

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LIMITS = Limits(pages=2000, points=14400, pixels=50_000_000, box=(800, 600), thumbnail=200)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def write(tmp_path):
    def make(data: bytes) -> Path:
        path = tmp_path / "document"
        path.write_bytes(data)
        return path

    return make


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image


def near(pixel, colour, slack=12) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel, colour, strict=True))


def refusal(path: Path, detected_type: str = documents.PDF) -> str:
    with pytest.raises(PreviewRefusedError) as refused:
        documents.previews(path, detected_type=detected_type)
    assert (refused.value.status_code, refused.value.code) == (400, "preview_refused")
    return refused.value.message


def test_the_first_page_of_a_pdf_fills_the_display_box(write):
    made = documents.previews(write(samples.pdf(pages=3)), detected_type=documents.PDF)

    display, thumbnail = opened(made.display), opened(made.thumbnail)
    # A4, 595x842 points, drawn to fill 800x600: 424x600 pixels.
    assert (made.width, made.height) == (424, 600)
    assert display.size == (424, 600)
    assert thumbnail.size == (200, 200)
    assert near(display.getpixel((10, 300)), RED)
    assert near(display.getpixel((414, 300)), BLUE)
    assert near(thumbnail.getpixel((10, 100)), RED)
    assert near(thumbnail.getpixel((190, 100)), BLUE)


def test_a_small_page_is_drawn_large_enough_and_a_turned_page_turned(write):
    # A business card (252x144 points) is drawn to fill the box, not at one pixel a point.
    card = opened(documents.pdf_derivatives(write(samples.pdf(size=(252, 144)))).display)
    assert card.size == (800, 458)  # 457.1, rounded up

    # /Rotate 90: the page is shown turned a quarter clockwise, its left half on top.
    turned = opened(documents.pdf_derivatives(write(samples.pdf(rotate=90))).display)
    assert turned.size == (800, 566)
    assert near(turned.getpixel((400, 10)), RED)
    assert near(turned.getpixel((400, 556)), BLUE)


def test_a_pdf_over_the_page_limit_is_refused(write, settings):
    settings.KURA_PDF_MAX_PAGES = 3

    assert refusal(write(samples.pdf(pages=4))) == (
        "This PDF has 4 pages; Kura previews PDFs of up to 3."
    )
    assert documents.pdf_derivatives(write(samples.pdf(pages=3))).width == 424


def test_a_page_over_the_size_limit_in_points_is_refused(write):
    too_wide = "The first page of this PDF is too large to preview."
    assert refusal(write(samples.pdf(size=(14401, 800)))) == too_wide
    assert refusal(write(samples.pdf(size=(500, 20000)))) == too_wide
    # 14,400 points is the limit itself: drawn 3600x200, its thumbnail's height deciding.
    assert opened(
        documents.pdf_derivatives(write(samples.pdf(size=(14400, 800)))).display
    ).size == (
        800,
        44,
    )


def test_a_strip_of_a_page_that_would_be_too_many_pixels_is_refused(write, settings):
    # 14000x10 points: its 200-pixel thumbnail needs 280,000x200 pixels, 56 megapixels.
    assert rendered_size((14000, 10), render_scale((14000, 10), LIMITS)) == (280_000, 200)
    assert refusal(write(samples.pdf(size=(14000, 10)))) == (
        "The first page of this PDF is too large to preview."
    )
    settings.KURA_IMAGE_MAX_PIXELS = 250_000  # the same setting as images'
    # A square page fills 600x600 (360,000 pixels); a wide one 800x300 (240,000).
    assert refusal(write(samples.pdf(size=(400, 400)))).endswith("too large to preview.")
    assert documents.pdf_derivatives(write(samples.pdf(size=(800, 300)))).height == 300


def test_render_scale():
    assert render_scale((595, 842), LIMITS) == pytest.approx(600 / 842)
    assert render_scale((842, 595), LIMITS) == pytest.approx(800 / 842)
    # A long strip: its shorter side must cover the thumbnail's 200 pixels.
    assert render_scale((5000, 100), LIMITS) == 2.0
    assert rendered_size((595, 842), 600 / 842) == (424, 600)


@pytest.mark.serial
def test_a_pdf_that_takes_too_long_to_draw_is_stopped(write, settings):
    settings.KURA_PREVIEW_SECONDS = 1
    # 20,000 fills of the whole page: a 340 KB file PDFium takes seconds to draw.
    slow = write(samples.pdf(content=b"0 0 595 842 re f " * 20_000))
    started = time.perf_counter()

    assert refusal(slow) == "This PDF takes too long to draw (over 1 seconds)."
    assert time.perf_counter() - started < 3


def test_a_pdf_bomb_stops_at_the_memory_limit(write, settings):
    settings.KURA_PREVIEW_SECONDS = 120
    settings.KURA_PREVIEW_MEMORY_BYTES = 256 * 1024 * 1024
    bomb = samples.pdf_bomb(levels=6)  # a million squares, drawn from forms of forms
    assert len(bomb) < 5000

    assert refusal(write(bomb)) == "This PDF could not be drawn."


@pytest.mark.parametrize(
    "data",
    [samples.PDF, b"%PDF-1.7\n" + b"\0" * 100, samples.pdf()[:300], b""],
    ids=["no-pages", "garbage", "truncated", "empty"],
)
def test_a_damaged_pdf_is_refused(write, data):
    assert refusal(write(data)) == "This PDF is damaged or incomplete."


def office_file(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def png(size, colour=RED, mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, "PNG")
    return out.getvalue()


def test_an_opendocument_file_shows_the_picture_it_carries(write):
    odt = office_file({"mimetype": ODT.encode(), "Thumbnails/thumbnail.png": png((181, 256))})

    made = documents.previews(write(odt), detected_type=ODT)

    assert opened(made.display).size == (181, 256)  # never enlarged, as an image
    assert near(opened(made.thumbnail).getpixel((90, 90)), RED)


def test_an_office_file_without_a_picture_of_itself_has_no_preview(write):
    docx = office_file({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert refusal(write(docx), DOCX) == "This document carries no picture of itself."
    assert (
        refusal(write(b"PK\x03\x04 not a zip"), DOCX) == "This document is damaged or incomplete."
    )


def test_an_office_files_picture_has_the_limits_of_an_image(write, settings):
    settings.KURA_IMAGE_MAX_PIXELS = 10_000
    big = office_file({"docProps/thumbnail.jpeg": png((101, 100))})
    assert refusal(write(big), DOCX) == (
        "This image has too many pixels: the limit is 0.01 megapixels."
    )
    huge = office_file({"Thumbnails/thumbnail.png": b"\0" * (3 * 1024 * 1024)})
    assert refusal(write(huge), ODT) == "This document's picture of itself is too large."


def test_other_types_get_no_preview(write):
    assert (
        refusal(write(samples.TEXT), "text/plain") == "Kura makes no preview of text/plain files."
    )
    assert sorted(documents.PREVIEWED - set(images.DECODERS)) == [
        "application/pdf",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
