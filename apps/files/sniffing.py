"""What an uploaded file really is, from its first bytes, and whether Kura accepts it.

The type comes from libmagic (the `file` command's library, Debian's libmagic1) through
python-magic. It was chosen over the pure-Python `filetype` and `puremagic` because,
tried on the same samples, it alone recognised everything the upload checks need:
plain text and its encoding, HTML and SVG even after leading text or whitespace, ELF, PE
and Mach-O executables, and docx/xlsx/pptx told apart. `filetype` knows no text, HTML,
SVG or Mach-O; `puremagic` named a plain zip and an xlsx "docx". libmagic reads only its
compiled database on disk (no network), is patched by Debian's security updates, and
python-magic is a thin ctypes binding to it installed from PyPI.
"""

import codecs
import struct
import unicodedata

import magic
from django.conf import settings
from django.utils.translation import gettext as _

from apps.files.errors import FileNameRefusedError

HEAD_SIZE = 4096  # bytes of a file that detect() looks at

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# Every type Kura can accept, with the file name extensions that may carry it.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/webp": ("webp",),
    "image/gif": ("gif",),
    "image/heic": ("heic", "heif"),
    "image/heif": ("heif", "heic"),
    "image/avif": ("avif",),
    "application/pdf": ("pdf",),
    DOCX: ("docx",),
    XLSX: ("xlsx",),
    PPTX: ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
    "text/plain": ("txt", "text", "csv", "md", "log"),
    "application/zip": ("zip",),
    "video/mp4": ("mp4", "m4v"),
}
DEFAULT_ALLOWED: tuple[str, ...] = tuple(EXTENSIONS)
# The allowed types when this module was loaded (an upload form's accept list, say);
# allowed_type() reads the setting on each call.
ALLOWED: tuple[str, ...] = tuple(getattr(settings, "KURA_UPLOAD_ALLOWED_TYPES", DEFAULT_ALLOWED))

EXECUTABLES = frozenset(
    {
        "application/x-executable",
        "application/x-pie-executable",
        "application/x-sharedlib",
        "application/x-mach-binary",
        "application/vnd.microsoft.portable-executable",
        "application/x-dosexec",
        "application/x-msdownload",
    }
)
# Types a browser would run script in if it were ever served inline.
MARKUP = frozenset({"text/html", "image/svg+xml", "text/xml", "application/xhtml+xml"})
_UNKNOWN = frozenset({"application/octet-stream", "application/x-empty", "inode/x-empty"})
_ZIP_LOCAL_HEADER = b"PK\x03\x04"
_ZIP_TYPES = frozenset({"application/zip", DOCX, XLSX, PPTX}) | {
    t for t in EXTENSIONS if t.startswith("application/vnd.oasis.opendocument.")
}
_OOXML_FOLDERS = {b"word/": DOCX, b"xl/": XLSX, b"ppt/": PPTX}
_SCRIPT_MARKERS = (b"<script", b"<html", b"<!doctype html", b"<svg", b"<iframe", b"<?php")
_BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
# Control codes, line and paragraph separators, and lone surrogates (undecodable bytes).
_CONTROL_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})
_OOXML_MARKERS = (b"[Content_Types].xml", b"_rels/.rels", b"docProps/")
MAX_NAME_LENGTH = 255

_magic = magic.Magic(mime=True)  # python-magic serialises calls on it with a lock


def detect(head: bytes) -> str | None:
    """The MIME type of a file from its first bytes (at most HEAD_SIZE are read), or None
    when nothing is recognised.

    Text is "text/plain" only when it is UTF-8 without NUL bytes (CSV, Markdown and source
    code included); text in another encoding is None. HTML, SVG and XML keep their own
    types (and are not allowed); executables get one of EXECUTABLES.
    """
    head = head[:HEAD_SIZE]
    if not head:
        return None
    mime = _magic.from_buffer(head)
    if head.startswith(_ZIP_LOCAL_HEADER) and mime in {"application/zip", *_UNKNOWN}:
        # libmagic looks at the first few entries only; an Office file may name its
        # word/, xl/ or ppt/ parts a little further on.
        return _ooxml_kind(head) or "application/zip"
    if mime.startswith("text/") and mime not in MARKUP:
        return "text/plain" if _is_utf8_text(head) else None
    return None if mime in _UNKNOWN else mime


def allowed_type(mime: str | None, extension: str) -> bool:
    """True when `mime` is an allowed type and `extension` (with or without its dot, any
    case) is one of that type's extensions.

    The real type decides and the name must agree with it: an executable named `.jpg` is
    refused, and so is a PNG named `.jpg`, so a file is never served as a type it is not.
    """
    if mime is None:
        return False
    allowed = getattr(settings, "KURA_UPLOAD_ALLOWED_TYPES", DEFAULT_ALLOWED)
    return mime in allowed and extension.lower().lstrip(".") in EXTENSIONS.get(mime, ())


def polyglot(head: bytes) -> bool:
    """True when the first bytes are one recognised type but also carry another's start.

    Three checks on the head of a file that is not a ZIP (whose entries may be anything),
    each cheap and with no false alarm on ordinary files: an HTML/SVG/PHP opening tag
    anywhere in it (a JPEG comment or PNG text chunk holding a script, a PDF or a text
    that turns into an HTML page); a ZIP entry header after the start (an image with a
    JAR or archive glued to it); a PDF header after the start of anything but a PDF or a
    text (PDF readers accept one within the first kilobyte). What lies beyond the head
    is left to the virus scan and the image decoder.
    """
    head = head[:HEAD_SIZE]
    mime = detect(head)
    if mime is None or mime in MARKUP:
        return False  # nothing to be two of; markup is refused on its own
    if mime in _ZIP_TYPES:
        return False  # its entries may well be HTML, stored as they are
    lowered = head.lower()
    if any(marker in lowered for marker in _SCRIPT_MARKERS):
        return True
    if _ZIP_LOCAL_HEADER in head[1:]:
        return True
    return mime not in {"application/pdf", "text/plain"} and b"%PDF-" in head[1:]


def safe_display_name(name: str) -> str:
    """The name shown for a file: NFC-normalised, surrounding whitespace trimmed.

    Refused (FileNameRefusedError): an empty name, `/` or `\\`, a name that is `.` or
    `..`, control characters (NUL, newlines, other C0/C1 codes, line and paragraph
    separators), the bidi embedding, override and isolate characters that could make
    `gpj.exe` read as `exe.jpg`, and names over 255 characters. Without separators `..`
    can climb nowhere, so `report..v2.pdf` is kept. The name is only ever shown and sent
    in Content-Disposition: object keys never contain it.
    """
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not cleaned:
        raise FileNameRefusedError(_("The file needs a name."))
    if "/" in cleaned or "\\" in cleaned:
        raise FileNameRefusedError(_("A file name cannot contain / or \\."))
    if cleaned in {".", ".."}:
        raise FileNameRefusedError(_("A file name cannot be . or .."))
    if any(unicodedata.category(c) in _CONTROL_CATEGORIES for c in cleaned):
        raise FileNameRefusedError(_("A file name cannot contain control characters."))
    if any(c in _BIDI_CONTROLS for c in cleaned):
        raise FileNameRefusedError(
            _("A file name cannot contain characters that reverse the direction of text.")
        )
    if len(cleaned) > MAX_NAME_LENGTH:
        raise FileNameRefusedError(
            _("A file name can be at most %(max)d characters long.") % {"max": MAX_NAME_LENGTH}
        )
    return cleaned


def _is_utf8_text(head: bytes) -> bool:
    """UTF-8 without NUL; a character cut at the end of the head is allowed."""
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _ooxml_kind(head: bytes) -> str | None:
    """docx, xlsx or pptx from the part names of the ZIP entries within the head, if one of
    them is an Office package's own ([Content_Types].xml, _rels/.rels, docProps/)."""
    names = []
    start = 0
    while (start := head.find(_ZIP_LOCAL_HEADER, start)) != -1 and start + 30 <= len(head):
        (name_length,) = struct.unpack_from("<H", head, start + 26)
        names.append(head[start + 30 : start + 30 + name_length])
        start += 4
    if not any(name.startswith(_OOXML_MARKERS) for name in names):
        return None
    for name in names:
        for folder, mime in _OOXML_FOLDERS.items():
            if name.startswith(folder):
                return mime
    return None
