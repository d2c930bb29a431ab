"""Display images and thumbnails, from pictures made here with Pillow (pure: no services)."""

import io
import struct
import time
import warnings
import zlib

import pillow_heif
import pytest
from django.utils import translation
from PIL import Image, ImageCms

from apps.files import images
from apps.files.errors import ImageRefusedError
from apps.files.images import Derivatives, derivatives

RED, BLUE, WHITE, BLACK = (255, 0, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)
ORIENTATION, GPS_IFD, GPS_LATITUDE = 0x0112, 0x8825, 2
DAMAGED = "This image is damaged or incomplete."
UNREADABLE = "This file is not an image Kura can read (JPEG, PNG, WebP, GIF, AVIF or HEIC)."
TOO_LARGE = "This image has too many pixels: the limit is 50 megapixels."


@pytest.fixture(autouse=True)
def _english():
    """Refusals are asserted in English; the product's default language is Japanese."""
    with translation.override("en"):
        yield


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def halves(size: tuple[int, int]) -> Image.Image:
    """Left half red, right half blue: shows which way a picture was turned."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return image


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image


def near(pixel: tuple[int, ...], colour: tuple[int, int, int], slack: int = 12) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel, colour, strict=True))


def png_header_only(width: int, height: int) -> bytes:
    """A 1-bit PNG claiming width x height whose IDAT holds a few rows: a few hundred bytes
    that would be 200 MB of pixels at 40000x40000."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (1 + (width + 7) // 8) * 4)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def photo() -> bytes:
    """4000x3000 stored, EXIF orientation 6 (shown turned a quarter clockwise: 3000x4000),
    with GPS, a comment and XMP that must not reach the outputs."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[GPS_IFD] = {GPS_LATITUDE: (35.0, 39.0, 29.0)}
    return encode(
        halves((4000, 3000)),
        "JPEG",
        exif=exif,
        comment=b"secret comment",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret xmp</x:xmpmeta>',
        quality=90,
    )


def test_a_landscape_photo_fits_800x600_and_its_thumbnail_is_200x200():
    result = derivatives(io.BytesIO(encode(halves((4000, 3000)), "JPEG")))

    assert (result.width, result.height) == (4000, 3000)
    display, thumbnail = opened(result.display), opened(result.thumbnail)
    assert display.size == (800, 600)
    assert thumbnail.size == (200, 200)
    assert near(display.getpixel((10, 300)), RED)
    assert near(display.getpixel((790, 300)), BLUE)


def test_exif_orientation_is_applied_before_sizing(photo):
    result = derivatives(io.BytesIO(photo))

    assert (result.width, result.height) == (3000, 4000)
    display, thumbnail = opened(result.display), opened(result.thumbnail)
    assert display.size == (450, 600)
    assert thumbnail.size == (200, 200)
    # Orientation 6: the stored left edge is the top; red above, blue below.
    assert near(display.getpixel((225, 10)), RED)
    assert near(display.getpixel((225, 590)), BLUE)
    # The thumbnail is the centred 3000x3000 square: half red, half blue.
    assert near(thumbnail.getpixel((100, 20)), RED)
    assert near(thumbnail.getpixel((100, 180)), BLUE)


def test_outputs_carry_no_exif_gps_comment_or_xmp(photo):
    result = derivatives(io.BytesIO(photo))

    for data in (result.display, result.thumbnail):
        image = opened(data)
        assert dict(image.getexif()) == {}
        assert set(image.info) == {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
        assert b"Exif" not in data
        assert b"secret" not in data
        assert b"xmpmeta" not in data


def test_a_jpeg_is_decoded_at_the_smallest_draft_size_covering_both_outputs():
    # 4000x3000 needs 800x600 for display (the thumbnail needs only 267x200): libjpeg
    # then decodes at 1/4, 1000x750.
    assert images._decode_size((4000, 3000)) == (800, 600)
    # A panorama: the thumbnail's 200-pixel height decides, not the 800x120 display.
    assert images._decode_size((8000, 1200)) == (1334, 200)
    assert images._decode_size((150, 100)) == (150, 100)


def test_a_multi_picture_jpeg_is_read_as_a_jpeg():
    # Cameras write MPO (a JPEG with a second picture after it); Pillow opens it as MPO.
    data = encode(halves((1600, 1200)), "MPO", save_all=True, append_images=[halves((160, 120))])
    assert Image.open(io.BytesIO(data)).format == "MPO"

    result = derivatives(io.BytesIO(data), declared_type="image/jpeg")

    assert (result.width, result.height) == (1600, 1200)
    assert opened(result.display).size == (800, 600)


def test_a_tall_png_fits_by_its_height():
    result = derivatives(io.BytesIO(encode(halves((300, 2000)), "PNG")))

    assert (result.width, result.height) == (300, 2000)
    assert opened(result.display).size == (90, 600)
    assert opened(result.thumbnail).size == (200, 200)


def test_a_small_picture_is_never_enlarged():
    result = derivatives(io.BytesIO(encode(halves((150, 100)), "PNG")))

    assert (result.width, result.height) == (150, 100)
    assert opened(result.display).size == (150, 100)
    # The centred square of its shorter side, not enlarged to 200.
    assert opened(result.thumbnail).size == (100, 100)


def test_transparency_is_flattened_onto_white():
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    image.paste((0, 0, 0, 255), (150, 150, 250, 250))

    result = derivatives(io.BytesIO(encode(image, "PNG")))

    display = opened(result.display)
    assert display.mode == "RGB"
    assert display.size == (400, 400)
    assert near(display.getpixel((10, 10)), WHITE)
    assert near(display.getpixel((200, 200)), BLACK)


@pytest.mark.parametrize(
    ("fmt", "mime", "params"),
    [
        ("PNG", "image/png", {}),
        ("WEBP", "image/webp", {"lossless": True}),
        ("WEBP", "image/webp", {"quality": 80}),
        ("GIF", "image/gif", {}),
        ("AVIF", "image/avif", {}),
    ],
    ids=["png", "webp-lossless", "webp-lossy", "gif", "avif"],
)
def test_transparent_pictures_are_previewed_on_white_not_black(fmt, mime, params):
    # Transparent black around an opaque red square: flattened as JPEG would (dropping the
    # alpha), the surround would be black.
    image = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (200, 200, 400, 400))

    result = derivatives(io.BytesIO(encode(image, fmt, **params)), declared_type=mime)

    display, thumbnail = opened(result.display), opened(result.thumbnail)
    assert near(display.getpixel((20, 20)), WHITE, slack=4)
    assert near(display.getpixel((300, 300)), RED, slack=20)
    assert near(thumbnail.getpixel((5, 5)), WHITE, slack=4)
    assert near(thumbnail.getpixel((100, 100)), RED, slack=20)


def test_a_grey_png_with_alpha_is_previewed_on_white():
    image = Image.new("LA", (100, 100), (0, 0))
    image.paste((0, 255), (40, 40, 60, 60))

    display = opened(derivatives(io.BytesIO(encode(image, "PNG"))).display)

    assert display.getpixel((5, 5)) == WHITE
    assert near(display.getpixel((50, 50)), BLACK)


def test_an_animated_gif_gives_its_first_frame():
    frames = [Image.new("P", (300, 200), 0), Image.new("P", (300, 200), 1)]
    palette = [*RED, *BLUE] + [0] * (256 * 3 - 6)
    for frame in frames:
        frame.putpalette(palette)
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert Image.open(io.BytesIO(data)).n_frames == 2

    result = derivatives(io.BytesIO(data), declared_type="image/gif")

    display = opened(result.display)
    assert display.size == (300, 200)
    assert near(display.getpixel((150, 100)), RED)


def test_a_palette_png_with_a_transparent_index_is_flattened_onto_white():
    image = Image.new("P", (100, 100), 1)
    image.putpalette([*BLACK, *BLUE] + [0] * (256 * 3 - 6))
    image.paste(0, (0, 0, 50, 100))
    data = encode(image, "PNG", transparency=1)

    display = opened(derivatives(io.BytesIO(data)).display)

    assert near(display.getpixel((25, 50)), BLACK)
    assert near(display.getpixel((75, 50)), WHITE)


@pytest.mark.parametrize(("fmt", "mime"), [("WEBP", "image/webp"), ("AVIF", "image/avif")])
def test_webp_and_avif(fmt, mime):
    result = derivatives(io.BytesIO(encode(halves((1600, 900)), fmt)), declared_type=mime)

    assert (result.width, result.height) == (1600, 900)
    assert opened(result.display).size == (800, 450)
    assert opened(result.thumbnail).size == (200, 200)


def test_heic():
    heic = io.BytesIO()
    pillow_heif.from_pillow(halves((1200, 1600))).save(heic, quality=60)

    result = derivatives(io.BytesIO(heic.getvalue()), declared_type="image/heic")

    assert (result.width, result.height) == (1200, 1600)
    display = opened(result.display)
    assert display.size == (450, 600)
    assert near(display.getpixel((10, 300)), RED, slack=30)


def test_cmyk_and_16_bit_grey_become_rgb():
    cmyk = derivatives(io.BytesIO(encode(Image.new("CMYK", (640, 480), (0, 255, 255, 0)), "JPEG")))
    assert near(opened(cmyk.display).getpixel((320, 240)), RED, slack=20)

    grey = Image.new("I;16", (640, 480))
    grey.paste(65535, (0, 0, 640, 480))
    display = opened(derivatives(io.BytesIO(encode(grey, "PNG"))).display)
    assert display.mode == "RGB"
    assert near(display.getpixel((320, 240)), WHITE)


def test_an_icc_profile_is_applied_and_dropped():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(halves((800, 600)), "JPEG", icc_profile=srgb)
    assert Image.open(io.BytesIO(data)).info["icc_profile"] == srgb

    result = derivatives(io.BytesIO(data))

    assert "icc_profile" not in opened(result.display).info
    assert near(opened(result.display).getpixel((10, 300)), RED)


def test_a_truncated_jpeg_is_refused():
    data = encode(halves((1200, 900)), "JPEG")

    with pytest.raises(ImageRefusedError) as refused:
        derivatives(io.BytesIO(data[: len(data) // 2]))

    assert refused.value.message == DAMAGED
    assert (refused.value.status_code, refused.value.code) == (400, "image_refused")


def test_a_png_with_a_damaged_pixel_stream_is_refused():
    data = bytearray(encode(Image.effect_noise((300, 300), 50), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 40 : idat + 200] = b"\xff" * 160

    with pytest.raises(ImageRefusedError, match=DAMAGED):
        derivatives(io.BytesIO(bytes(data)))


def test_a_png_signature_before_garbage_is_damaged():
    with pytest.raises(ImageRefusedError, match=DAMAGED):
        derivatives(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10))


def test_a_decompression_bomb_is_refused_from_its_header_without_allocating_pixels():
    bomb = png_header_only(40000, 40000)
    assert len(bomb) < 1000
    Image.core.reset_stats()
    started = time.perf_counter()

    with pytest.raises(ImageRefusedError) as refused:
        derivatives(io.BytesIO(bomb))

    assert time.perf_counter() - started < 1
    assert Image.core.get_stats()["new_count"] == 0  # no image memory was created
    assert refused.value.message == TOO_LARGE


def test_an_image_between_the_limit_and_pillows_own_is_refused_too():
    # 60 megapixels: under Pillow's 89-megapixel warning, over Kura's 50.
    Image.core.reset_stats()
    with pytest.raises(ImageRefusedError, match=TOO_LARGE):
        derivatives(io.BytesIO(png_header_only(10000, 6000)))
    assert Image.core.get_stats()["new_count"] == 0


def test_pillows_own_limit_caps_a_higher_setting(settings):
    settings.KURA_IMAGE_MAX_PIXELS = 500_000_000
    assert images.max_pixels() == Image.MAX_IMAGE_PIXELS == 89_478_485
    with (
        pytest.warns(Image.DecompressionBombWarning),
        pytest.raises(ImageRefusedError, match=r"the limit is 89\.5 megapixels\.$"),
    ):
        derivatives(io.BytesIO(png_header_only(10000, 10000)))


def test_pillows_bomb_warning_made_an_error_is_the_same_refusal():
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with pytest.raises(ImageRefusedError, match=TOO_LARGE):
            derivatives(io.BytesIO(png_header_only(10000, 10000)))


def test_the_limit_comes_from_settings(settings):
    settings.KURA_IMAGE_MAX_PIXELS = 1_000_000
    data = encode(Image.new("L", (1001, 1000)), "PNG")

    with pytest.raises(ImageRefusedError, match=r"the limit is 1 megapixels\.$"):
        derivatives(io.BytesIO(data))
    assert derivatives(io.BytesIO(encode(Image.new("L", (1000, 1000)), "PNG"))).width == 1000


@pytest.mark.parametrize(
    "data",
    [
        encode(Image.new("RGB", (10, 10)), "BMP"),
        encode(Image.new("RGB", (10, 10)), "TIFF"),
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
        b"",
    ],
    ids=["bmp", "tiff", "eps", "empty"],
)
def test_other_formats_and_garbage_are_refused_as_unreadable(data):
    with pytest.raises(ImageRefusedError) as refused:
        derivatives(io.BytesIO(data))
    assert refused.value.message == UNREADABLE


def test_a_file_is_decoded_only_as_its_declared_type():
    jpeg = encode(halves((100, 100)), "JPEG")

    with pytest.raises(ImageRefusedError, match="not an image Kura can read"):
        derivatives(io.BytesIO(jpeg), declared_type="image/png")
    with pytest.raises(ImageRefusedError) as refused:
        derivatives(io.BytesIO(jpeg), declared_type="application/pdf")
    assert refused.value.message == "Kura makes no preview of application/pdf files."


def test_derivatives_are_frozen():
    result = derivatives(io.BytesIO(encode(halves((10, 10)), "PNG")))
    assert isinstance(result, Derivatives)
    with pytest.raises(AttributeError):
        result.width = 1  # type: ignore[misc]
