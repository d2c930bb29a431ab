"""Previews of documents, the same two pictures as an image's (apps.files.images): the first
page of a PDF, and the picture an OpenDocument or Office Open XML file carries of itself.

A PDF is rendered by PDFium (pypdfium2) in a child process (apps/files/pdfpage.py) with the
walls an image has, and one more, since a page is a program rather than pixels (the
settings are in config/settings/storages.py):

- at most KURA_PDF_MAX_PAGES pages (default 2,000: a larger file is refused before its first
  page is read);
- a first page of at most KURA_PDF_MAX_POINTS points on its longer side (default 14,400, the
  200 inches PDF itself allows);
- at most KURA_IMAGE_MAX_PIXELS rendered, as for an image (the page is drawn to fill
  800x600, so only a strip of a page can come near it);
- at most KURA_PREVIEW_SECONDS of time (default 20): the child is killed after that, and
  KURA_PREVIEW_MEMORY_BYTES of memory (default 1 GiB, the kernel's limit on the child).

Office files: no renderer of Word, Excel or PowerPoint files runs here (LibreOffice is not
installed). OpenDocument files always carry a picture of their first page
(`Thumbnails/thumbnail.png`), and Office Open XML files when saved with one
(`docProps/thumbnail.jpeg`): that picture, through the image path and its limits, is the
preview; a file without one has none (the page shows its type).
"""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

from apps.files import images
from apps.files.errors import ImageRefusedError, PreviewRefusedError

PDF = "application/pdf"
OFFICE = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# The types the previews job makes pictures of: images, and the documents here.
PREVIEWED = frozenset({*images.DECODERS, PDF, *OFFICE})
# Where a document's picture of itself is, most usual first; larger than this is no
# thumbnail (LibreOffice writes 256 pixels, a few kilobytes).
_EMBEDDED = ("Thumbnails/thumbnail.png", "docProps/thumbnail.jpeg", "docProps/thumbnail.png")
_EMBEDDED_MAX_BYTES = 2 * 1024 * 1024
_RENDERER = Path(__file__).with_name("pdfpage.py")


def previews(path: Path, *, detected_type: str) -> images.Derivatives:
    """The display image and thumbnail of the document at `path`, or PreviewRefusedError
    saying why there is none."""
    if detected_type == PDF:
        return pdf_derivatives(path)
    if detected_type in OFFICE:
        return embedded_derivatives(path)
    raise PreviewRefusedError(
        _("Kura makes no preview of %(type)s files.") % {"type": detected_type}
    )


def pdf_derivatives(path: Path) -> images.Derivatives:
    """The first page of the PDF at `path`, rendered to fill 800x600 (see the module)."""
    seconds = settings.KURA_PREVIEW_SECONDS
    command = [
        sys.executable,
        "-I",
        str(_RENDERER),
        str(path),
        str(settings.KURA_PDF_MAX_PAGES),
        str(settings.KURA_PDF_MAX_POINTS),
        str(images.max_pixels()),
        *(str(side) for side in images.DISPLAY_BOX),
        str(images.THUMBNAIL_SIDE),
        str(settings.KURA_PREVIEW_MEMORY_BYTES),
    ]
    try:
        done = subprocess.run(command, capture_output=True, timeout=seconds, check=False)  # noqa: S603 - our own script, no shell
    except subprocess.TimeoutExpired as exc:
        raise PreviewRefusedError(
            _("This PDF takes too long to draw (over %(seconds)d seconds).") % {"seconds": seconds}
        ) from exc
    head, _newline, pixels = done.stdout.partition(b"\n")
    try:
        answer = json.loads(head)
    except ValueError:  # killed, out of memory, or PDFium crashed: no answer at all
        answer = {"refused": "crashed"}
    if "refused" in answer:
        raise PreviewRefusedError(_refusal(answer))
    picture = Image.frombytes("RGB", (answer["width"], answer["height"]), pixels)
    return images.picture_derivatives(picture)


def _refusal(answer: dict[str, object]) -> str:
    match answer["refused"]:
        case "pages":
            return _("This PDF has %(pages)s pages; Kura previews PDFs of up to %(limit)s.") % {
                "pages": answer["pages"],
                "limit": settings.KURA_PDF_MAX_PAGES,
            }
        case "points" | "pixels":
            return _("The first page of this PDF is too large to preview.")
        case "password":
            return _("This PDF is protected by a password.")
        case "crashed":
            return _("This PDF could not be drawn.")
        case _:
            return _("This PDF is damaged or incomplete.")


def embedded_derivatives(path: Path) -> images.Derivatives:
    """The picture an office file carries of its first page, as an image's derivatives."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            name = next((n for n in _EMBEDDED if n in names), None)
            if name is None:
                raise PreviewRefusedError(_("This document carries no picture of itself."))
            with archive.open(name) as member:
                data = member.read(_EMBEDDED_MAX_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise PreviewRefusedError(_("This document is damaged or incomplete.")) from exc
    if len(data) > _EMBEDDED_MAX_BYTES:
        raise PreviewRefusedError(_("This document's picture of itself is too large."))
    try:
        return images.derivatives(io.BytesIO(data))
    except ImageRefusedError as exc:
        raise PreviewRefusedError(exc.message) from exc
