"""What an upload must be: checks of its name, declared type, real type and pixels, before
any byte is sent (`declared_type`, `may_be_allowed`) and on the first bytes of what landed
in the store (`head_refusal`). The store and the upload's states are apps.files.services'."""

import io
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

from apps.files import images, sniffing
from apps.files.models import File

# Formats whose header Pillow reads without decoding anything.
HEADER_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP"})
# A MIME type (RFC 6838's characters; a top-level type short enough that the whole fits the
# 100 characters of File.declared_type), and a Content-Type as upload_initiate takes it: one,
# any case, with parameters or not, around whitespace, or only whitespace (none); never
# empty, which the schema offers on its own. Read with re.search, as JSON Schema's pattern.
_MIME_TYPE = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,30}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}"
_MIME = re.compile(_MIME_TYPE)
CONTENT_TYPE_PATTERN = rf"^(?:\s+|\s*{_MIME_TYPE}\s*(?:;[^\u0000]*)?)$"


def extension(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def declared_type(content_type: str) -> str:
    """The type the client declares, without parameters; none (a browser that does not know
    the type) is application/octet-stream."""
    mime = content_type.split(";", 1)[0].strip().lower() or "application/octet-stream"
    declared_max = File._meta.get_field("declared_type").max_length or 0  # noqa: SLF001
    if len(mime) > declared_max or not _MIME.fullmatch(mime):
        raise ValidationError({"content_type": [_("Give a MIME type such as image/jpeg.")]})
    return mime


def allowed_extensions() -> list[str]:
    """The name extensions an upload may have (those of the allowed types), in the order of
    sniffing.EXTENSIONS: what the upload page lists next to its drop zone."""
    allowed = set(settings.KURA_UPLOAD_ALLOWED_TYPES)
    found = (e for mime, names in sniffing.EXTENSIONS.items() if mime in allowed for e in names)
    return list(dict.fromkeys(found))


def may_be_allowed(declared: str, extension: str) -> bool:
    """Before any byte is seen: the name's extension is one an allowed type goes by, and the
    declared type is not one never allowed. Browsers declare types of their own for many
    files (text/csv, application/x-zip-compressed), so it is not held to the allowed list:
    the real type decides at completion."""
    if declared in sniffing.MARKUP or declared in sniffing.EXECUTABLES:
        return False
    return any(
        sniffing.allowed_type(mime, extension) for mime in settings.KURA_UPLOAD_ALLOWED_TYPES
    )


def head_refusal(head: bytes, name: str) -> tuple[str | None, str | None]:
    """The real type of a file's first bytes (None: not recognised), and why a file named
    `name` with them is refused (None: it is not): a type not recognised, not allowed or not
    the type of the name's extension, the start of two kinds of file, too many pixels."""
    detected = sniffing.detect(head)
    if detected is None:
        return None, _("The type of this file is not recognised.")
    if not sniffing.allowed_type(detected, extension(name)):
        return detected, _(
            "This file is %(type)s, which is not allowed here with the name %(name)s."
        ) % {"type": detected, "name": name}
    if sniffing.polyglot(head):
        return detected, _("This file is %(type)s and also the start of another kind of file.") % {
            "type": detected
        }
    return detected, _pixels_refusal(head, detected)


def _pixels_refusal(head: bytes, detected: str) -> str | None:
    """A decompression bomb (a few KB that decode to gigabytes) is refused here, from the
    header, before anything decodes it; the derivatives job checks again (apps.files.images)
    and decides for headers beyond the first bytes."""
    decoder = images.DECODERS.get(detected)
    if decoder not in HEADER_FORMATS:
        return None
    try:
        # Pillow may warn on the way (DecompressionBombWarning); the warnings filters are
        # left alone (changing them is not thread-safe): the check below refuses anyway.
        with Image.open(io.BytesIO(head), formats=[decoder]) as image:
            width, height = image.size
    except Image.DecompressionBombError:
        width, height = Image.MAX_IMAGE_PIXELS or 0, 2
    except Exception:  # noqa: BLE001 - not readable from the head: the job decides
        return None
    if width * height > images.max_pixels():
        return _("This image has too many pixels: the limit is %(megapixels)s megapixels.") % {
            "megapixels": f"{images.max_pixels() / 1_000_000:.3g}"
        }
    return None
