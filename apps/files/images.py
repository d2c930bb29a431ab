"""The two pictures Kura shows for an uploaded image: a display image that fits inside
800x600 and a 200x200 centre-cropped thumbnail, both JPEG.

The original is untrusted bytes, so it is decoded as little as the outputs need:

- Its pixel count is read from the header and refused above `KURA_IMAGE_MAX_PIXELS`
  (default 50 megapixels) before any pixel is allocated. Pillow's own decompression-bomb
  check stays as a second wall and becomes the same refusal: its error (over twice its
  limit) always, its warning where the process makes warnings errors. The warnings
  filters are not changed here (that is not thread-safe); the setting is capped at
  Pillow's limit, so whatever Pillow warns about is refused by Kura's check anyway.
- Only the formats Kura shows are decoded (Pillow would otherwise try some twenty
  others, EPS through Ghostscript among them); with `declared_type`, only that one.
- A JPEG is decoded in draft mode: libjpeg scales by 1/2, 1/4 or 1/8 while decoding, to
  the smallest size that still covers both outputs, so a 12-megapixel photo never
  exists in memory at full size.
- EXIF orientation is applied; an ICC profile is converted to sRGB and then dropped, like
  EXIF (GPS included), XMP and comments: the outputs carry pixels only.
- Transparent and palette images are flattened onto white (JPEG has no alpha).

HEIC/HEIF comes through pi-heif, the decode-only build of pillow-heif (libheif with the
LGPL libde265 decoder; it leaves out the GPL x265 encoder that pillow-heif bundles). AVIF
is read by Pillow itself.
"""

import io
import math
import struct
from dataclasses import dataclass
from typing import BinaryIO

import pi_heif
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from apps.files.errors import ImageRefusedError

pi_heif.register_heif_opener()

DISPLAY_BOX = (800, 600)
THUMBNAIL_SIDE = 200
DEFAULT_MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85
# The types Kura makes pictures of, and the Pillow decoder each may be opened with.
DECODERS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
    "image/avif": "AVIF",
    "image/heic": "HEIF",
    "image/heif": "HEIF",
}
# Orientations 5-8 turn the picture a quarter: its width is the stored height.
_QUARTER_TURNS = {5, 6, 7, 8}
_ORIENTATION_TAG = 0x0112
# A reduce() by an integer factor before the Lanczos pass: much faster, no visible loss.
_REDUCING_GAP = 3.0
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, struct.error)
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class Derivatives:
    """JPEG bytes of both pictures, and the size of the original as a person sees it
    (after EXIF orientation)."""

    display: bytes
    thumbnail: bytes
    width: int
    height: int


def derivatives(source: BinaryIO, *, declared_type: str | None = None) -> Derivatives:
    """The display image and thumbnail of `source`, or ImageRefusedError.

    `source` should be seekable (a temporary file); anything else is read into memory
    first. `declared_type` is the type the first bytes were found to be (sniffing): the
    file is then decoded as that format only.

    The display image keeps the aspect ratio inside 800x600 and is never enlarged. The
    thumbnail is the centred square of the picture scaled to 200x200; a picture smaller
    than 200 on a side is not enlarged either: its thumbnail is the centred square of its
    shorter side (a 150x100 picture gives 100x100).
    """
    if declared_type is not None and declared_type not in DECODERS:
        raise ImageRefusedError(
            _("Kura makes no preview of %(type)s files.") % {"type": declared_type}
        )
    formats = [DECODERS[declared_type]] if declared_type else sorted(set(DECODERS.values()))
    try:
        with Image.open(source, formats=formats) as image:
            return _derive(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefusedError(_too_large_message()) from exc
    except UnidentifiedImageError as exc:
        raise ImageRefusedError(
            _("This file is not an image Kura can read (JPEG, PNG, WebP, GIF, AVIF or HEIC).")
        ) from exc
    except ImageRefusedError:
        raise
    except _DAMAGED as exc:
        raise ImageRefusedError(_("This image is damaged or incomplete.")) from exc


def max_pixels() -> int:
    """KURA_IMAGE_MAX_PIXELS, capped by Pillow's own bomb limit (about 89 megapixels), which
    refuses larger images whatever the setting says."""
    limit = int(getattr(settings, "KURA_IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS))
    return min(limit, Image.MAX_IMAGE_PIXELS) if Image.MAX_IMAGE_PIXELS else limit


def _too_large_message() -> str:
    return _("This image has too many pixels: the limit is %(megapixels)s megapixels.") % {
        "megapixels": f"{max_pixels() / 1_000_000:.3g}"
    }


def _derive(image: Image.Image) -> Derivatives:
    stored = image.size  # from the header: nothing is decoded yet
    if stored[0] * stored[1] > max_pixels():
        raise ImageRefusedError(_too_large_message())
    if image.format in {"JPEG", "MPO"}:
        # A JPEG's EXIF comes before its pixels, so the orientation is known already.
        turned = image.getexif().get(_ORIENTATION_TAG) in _QUARTER_TURNS
        upright_size = (stored[1], stored[0]) if turned else stored
        wanted = _decode_size(upright_size)
        image.draft("RGB", (wanted[1], wanted[0]) if turned else wanted)
    image.load()
    decoded = image.size
    ImageOps.exif_transpose(image, in_place=True)  # a PNG's eXIf may follow its pixels
    width, height = (stored[1], stored[0]) if image.size != decoded else stored
    return picture_derivatives(_to_srgb(image), size=(width, height))


def picture_derivatives(
    picture: Image.Image, *, size: tuple[int, int] | None = None
) -> Derivatives:
    """Both pictures of an 8-bit RGB `picture` (decoded, turned upright), which shows
    something of `size` (by default its own: a draft-decoded JPEG is smaller than its
    original)."""
    width, height = size or picture.size
    display = _fit_inside((width, height), DISPLAY_BOX)
    side = min(THUMBNAIL_SIDE, width, height)
    return Derivatives(
        display=_jpeg(
            picture.resize(display, Image.Resampling.LANCZOS, reducing_gap=_REDUCING_GAP)
        ),
        thumbnail=_jpeg(_centre_square(picture, side)),
        width=width,
        height=height,
    )


def display_size(size: tuple[int, int]) -> tuple[int, int]:
    """The display image's size for an image of `size` (upright): a page reserves it."""
    return _fit_inside(size, DISPLAY_BOX)


def _fit_inside(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """`size` scaled down (never up) to fit inside `box`, keeping its aspect ratio."""
    scale = min(box[0] / size[0], box[1] / size[1], 1.0)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _decode_size(size: tuple[int, int]) -> tuple[int, int]:
    """The smallest size covering both the display image and the thumbnail's square (draft
    mode then decodes at the first 1/8, 1/4 or 1/2 step at least that large)."""
    display = _fit_inside(size, DISPLAY_BOX)
    cover = min(THUMBNAIL_SIDE, *size) / min(size)
    return (
        max(display[0], math.ceil(size[0] * cover)),
        max(display[1], math.ceil(size[1] * cover)),
    )


def _to_srgb(image: Image.Image) -> Image.Image:
    """The picture as 8-bit sRGB: colour profile applied, transparency on white."""
    if image.mode.startswith("I;16"):
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode == "P" or "transparency" in image.info or image.mode.endswith(("A", "a")):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    icc = image.info.get("icc_profile")
    if icc and image.mode in {"RGB", "CMYK"}:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # a broken profile: show the numbers as they are
        if converted is not None:
            image = converted
    return image.convert("RGB") if image.mode != "RGB" else image


def _centre_square(image: Image.Image, side: int) -> Image.Image:
    width, height = image.size
    crop = min(width, height)
    left, top = (width - crop) / 2, (height - crop) / 2
    box = (left, top, left + crop, top + crop)
    return image.resize((side, side), Image.Resampling.LANCZOS, box=box, reducing_gap=_REDUCING_GAP)


def _jpeg(image: Image.Image) -> bytes:
    """JPEG bytes with no metadata: Pillow writes EXIF, XMP and ICC only when asked, but
    copies a source JPEG's comment unless `info` is empty."""
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
