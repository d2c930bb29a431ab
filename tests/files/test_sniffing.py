"""Real types from first bytes, the allowed list, polyglots and display names (pure)."""

import io
import struct
import unicodedata
import zipfile

import pillow_heif
import pytest
from django.utils import translation
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from apps.files.errors import FileNameRefusedError
from apps.files.sniffing import (
    DOCX,
    EXTENSIONS,
    PPTX,
    XLSX,
    allowed_type,
    detect,
    polyglot,
    safe_display_name,
)

# The anti-virus test file, split so this source is not flagged (tests/core/test_antivirus.py).
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CONTENT_TYPES = "[Content_Types].xml"


@pytest.fixture(autouse=True)
def _english():
    """Refusals are asserted in English; the product's default language is Japanese."""
    with translation.override("en"):
        yield


def picture(fmt: str, **params) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, fmt, **params)
    return out.getvalue()


def heic() -> bytes:
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (200, 30, 30))).save(out, quality=50)
    return out.getvalue()


def zipped(entries: list[tuple[str, bytes]], *, stored: bool = False) -> bytes:
    out = io.BytesIO()
    compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, body in entries:
            archive.writestr(name, body)
    return out.getvalue()


def office(main_part: str, *, before: list[tuple[str, bytes]] = ()) -> bytes:
    """An OOXML package in Office's order: content types, relationships, then the parts."""
    return zipped(
        [
            (CONTENT_TYPES, b'<?xml version="1.0"?><Types/>'),
            ("_rels/.rels", b"<Relationships/>"),
            *before,
            (main_part, b"<document/>"),
        ]
    )


def elf() -> bytes:
    ident = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    return ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x401000, 64, 0, 0, 64, 56, 0, 64, 0, 0)


def pe() -> bytes:
    exe = bytearray(512)
    exe[:2] = b"MZ"
    struct.pack_into("<I", exe, 0x3C, 0x80)
    exe[0x80:0x84] = b"PE\0\0"
    struct.pack_into("<H", exe, 0x84, 0x8664)
    return bytes(exe)


MACH_O = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00" + b"\0" * 200
MP4 = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41" + b"\0\0\0\x08free" + b"\0" * 64
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (picture("JPEG"), "image/jpeg"),
        (picture("PNG"), "image/png"),
        (picture("WEBP"), "image/webp"),
        (picture("GIF"), "image/gif"),
        (picture("AVIF"), "image/avif"),
        (heic(), "image/heic"),
        (PDF, "application/pdf"),
        (zipped([("notes.txt", b"hello")]), "application/zip"),
        (office("word/document.xml"), DOCX),
        (office("xl/workbook.xml"), XLSX),
        (office("ppt/presentation.xml"), PPTX),
        (MP4, "video/mp4"),
        ("請求書 2026-11\nplain text\n".encode(), "text/plain"),
        (b"name,qty\nrice,2\n", "text/plain"),
        (EICAR, "text/plain"),
        (elf(), "application/x-executable"),
        (pe(), "application/vnd.microsoft.portable-executable"),
        (MACH_O, "application/x-mach-binary"),
        (b"  \n<!DOCTYPE html><html><body>hi</body></html>", "text/html"),
        (b"<script>alert(1)</script>", "text/html"),
        (SVG, "image/svg+xml"),
    ],
    ids=[
        "jpeg", "png", "webp", "gif", "avif", "heic", "pdf", "zip", "docx", "xlsx", "pptx",
        "mp4", "text", "csv", "eicar", "elf", "pe", "mach-o", "html", "script", "svg",
    ],
)  # fmt: skip
def test_detect(head, mime):
    assert detect(head) == mime


@pytest.mark.parametrize("extra", [3, 5])
def test_office_parts_past_libmagics_reach_are_still_told_apart(extra):
    # libmagic checks only a few entries after the first: it says zip (3 docProps parts
    # before ppt/) or octet-stream (5); the part names are still within the head.
    parts = [(f"docProps/part{n}.xml", b"<p/>") for n in range(extra)]
    late = office("ppt/presentation.xml", before=parts)
    assert detect(late) == PPTX


def test_a_word_folder_further_on_does_not_make_a_zip_an_office_document():
    plain = zipped([("notes.txt", b"hi"), ("word/readme.txt", b"hi")])
    assert detect(plain) == "application/zip"


@pytest.mark.parametrize(
    "head",
    [
        b"",
        "シフトJISのテキストです".encode("shift_jis"),
        b"text with a \0 NUL",
        "utf-16 text".encode("utf-16"),
        b"\x7fELF" + b"\0" * 60,
        bytes(range(1, 256)) * 4,
        b"\xde\xad\xbe\xef" * 256,  # libmagic: text/plain; not UTF-8
    ],
    ids=["empty", "shift-jis", "nul", "utf-16", "elf-magic-only", "binary", "not-utf-8"],
)
def test_detect_recognises_nothing(head):
    assert detect(head) is None


def test_detect_reads_only_the_first_4_kib():
    assert detect(b"a" * 4096 + b"\0") == "text/plain"
    # A UTF-8 character cut at the 4 KiB boundary is still text.
    assert detect(b"a" * 4095 + "é".encode()) == "text/plain"


@pytest.mark.parametrize(
    ("mime", "extension", "allowed"),
    [
        ("image/jpeg", "jpg", True),
        ("image/jpeg", ".JPEG", True),
        ("image/png", "png", True),
        ("image/png", "jpg", False),  # a PNG named .jpg is refused too
        ("image/heic", "heic", True),
        ("application/pdf", "pdf", True),
        (DOCX, "docx", True),
        (DOCX, "zip", False),
        ("application/zip", "docx", False),
        ("application/zip", "zip", True),
        ("text/plain", "txt", True),
        ("text/plain", "csv", True),
        ("text/plain", "html", False),
        ("video/mp4", "mp4", True),
        ("application/x-executable", "jpg", False),
        ("application/vnd.microsoft.portable-executable", "exe", False),
        ("text/html", "html", False),
        ("image/svg+xml", "svg", False),
        ("image/bmp", "bmp", False),
        (None, "jpg", False),
    ],
)
def test_allowed_type(mime, extension, allowed):
    assert allowed_type(mime, extension) is allowed


def test_an_executable_named_jpg_is_refused():
    assert allowed_type(detect(elf()), "jpg") is False
    assert allowed_type(detect(pe()), "jpg") is False


def test_the_allowed_list_comes_from_settings(settings):
    settings.KURA_UPLOAD_ALLOWED_TYPES = ["image/png"]
    assert allowed_type("image/png", "png") is True
    assert allowed_type("image/jpeg", "jpg") is False


def test_every_default_type_has_extensions():
    assert all(EXTENSIONS[mime] for mime in EXTENSIONS)
    assert set(EXTENSIONS) >= {"image/jpeg", "application/pdf", DOCX, "text/plain", "video/mp4"}


def test_ordinary_files_are_not_polyglots():
    for head in (picture("JPEG"), picture("PNG"), picture("GIF"), PDF, MP4, EICAR):
        assert polyglot(head) is False
    assert polyglot(office("word/document.xml")) is False
    # A zip of a web page keeps its HTML stored as it is: still only a zip.
    assert polyglot(zipped([("index.html", b"<html><script>x()</script>")], stored=True)) is False


def test_an_image_with_a_script_in_its_comment_is_a_polyglot():
    head = picture("JPEG", comment=b"<SCRIPT>alert(document.cookie)</SCRIPT>")
    assert detect(head) == "image/jpeg"
    assert polyglot(head) is True


def test_an_image_with_an_archive_glued_on_is_a_polyglot():
    head = picture("GIF") + zipped([("Evil.class", b"\xca\xfe\xba\xbe")])
    assert detect(head) == "image/gif"
    assert polyglot(head) is True


def test_an_image_that_is_also_a_pdf_is_a_polyglot():
    head = picture("PNG", pnginfo=_png_text(b"%PDF-1.4 1 0 obj"))
    assert detect(head) == "image/png"
    assert polyglot(head) is True


def test_a_pdf_carrying_html_is_a_polyglot():
    assert polyglot(PDF + b"<html><body onload=x()>") is True


def test_markup_and_unknown_bytes_are_not_polyglots_they_are_refused_by_type():
    assert polyglot(b"<html><script>x()</script></html>") is False
    assert polyglot(b"") is False


def _png_text(text: bytes):
    info = PngInfo()
    info.add_text("Comment", text)
    return info


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("photo.jpg", "photo.jpg"),
        ("  holiday photo.JPG \t", "holiday photo.JPG"),
        (unicodedata.normalize("NFD", "café.pdf"), "café.pdf"),
        (unicodedata.normalize("NFD", "がぎぐ.txt"), "がぎぐ.txt"),
        ("report..v2.pdf", "report..v2.pdf"),
        ("👩\u200d💻 notes.txt", "👩\u200d💻 notes.txt"),
        ("x" * 251 + ".txt", "x" * 251 + ".txt"),
    ],
)
def test_safe_display_name_keeps_ordinary_names(name, shown):
    assert safe_display_name(name) == shown


def test_nfd_is_composed_before_counting():
    assert len(unicodedata.normalize("NFD", "が")) == 2
    assert safe_display_name(unicodedata.normalize("NFD", "が") * 255) == "が" * 255


SEPARATORS = "A file name cannot contain / or \\."
CONTROL = "A file name cannot contain control characters."
BIDI = "A file name cannot contain characters that reverse the direction of text."


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "The file needs a name."),
        ("   ", "The file needs a name."),
        ("../etc/passwd", SEPARATORS),
        ("..\\boot.ini", SEPARATORS),
        ("a/b.txt", SEPARATORS),
        ("..", "A file name cannot be . or .."),
        (".", "A file name cannot be . or .."),
        ("a\0b.txt", CONTROL),
        ("a\nb.txt", CONTROL),
        ("a\rb.txt", CONTROL),
        ("a\x1bb.txt", CONTROL),
        ("a\x7fb.txt", CONTROL),
        ("a\x85b.txt", CONTROL),
        ("a\u2028b.txt", CONTROL),
        ("a\udcffb.txt", CONTROL),
        *[
            (f"invoice{chr(c)}gpj.exe", BIDI)
            for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
        ],
        ("x" * 256, "A file name can be at most 255 characters long."),
        ("x" * 300, "A file name can be at most 255 characters long."),
    ],
)
def test_safe_display_name_refuses(name, message):
    with pytest.raises(FileNameRefusedError) as refused:
        safe_display_name(name)
    assert refused.value.message == message
    assert (refused.value.status_code, refused.value.code) == (422, "file_name_refused")
