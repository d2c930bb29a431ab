"""Files to upload, made here: photos, documents, an executable, a bomb, EICAR."""

import io
import struct
import zlib
from functools import cache

from PIL import Image

# The standard anti-virus test file (harmless by design), split so this source file itself
# is not flagged by scanners.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
TEXT = "請求書 2026-11 / invoice\n".encode()
# Only a PDF's first bytes: its type, and no page to preview.
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
# The start of a 64-bit Linux executable.
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\0" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\0" * 200
ORIENTATION, GPS_IFD = 0x0112, 0x8825


def jpeg(
    size: tuple[int, int] = (1600, 1200), *, orientation: int | None = None, **params
) -> bytes:
    """Left half red, right half blue (shows which way a picture was turned); with an
    orientation and a GPS position in its EXIF when asked."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
        exif.get_ifd(GPS_IFD)[2] = (35.0, 39.0, 29.0)  # latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=80, **params)
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 128, 0)).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@cache
def png_bomb(side: int = 40_000) -> bytes:
    """A whole 1-bit side x side PNG, all black: about 200 KB that decode to 200 MB (and
    1.6 gigapixels: Pillow would allocate far more to work on it)."""
    row = b"\0" * (1 + (side + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def pdf(
    *, pages: int = 1, size: tuple[float, float] = (595, 842), rotate: int = 0, content: bytes = b""
) -> bytes:
    """A whole PDF written by hand: `pages` pages of `size` points (A4 by default) that all
    draw `content`, by default the left half red and the right half blue."""
    width, height = size
    half = width / 2
    content = content or (
        f"1 0 0 rg 0 0 {half} {height} re f 0 0 1 rg {half} 0 {half} {height} re f".encode()
    )
    kids = " ".join(f"{4 + n} 0 R" for n in range(pages))
    page = (
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Rotate {rotate} "
        "/Contents 3 0 R /Resources << >> >>"
    )
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
            _stream(content),
            *[page.encode()] * pages,
        ]
    )


def pdf_bomb(levels: int = 9, fanout: int = 10) -> bytes:
    """A PDF of under 2 KB whose one page draws fanout**levels squares: each form draws the
    one below it `fanout` times (billion laughs, drawn)."""
    draws = " ".join(["q 1 0 0 1 0.01 0 cm /X Do Q"] * fanout).encode()
    forms = [_stream(b"0 0 1 1 re f", b"/Type /XObject /Subtype /Form /BBox [0 0 1000 1000]")]
    for level in range(1, levels + 1):
        below = 4 + level - 1
        forms.append(
            _stream(
                draws,
                b"/Type /XObject /Subtype /Form /BBox [0 0 1000 1000] "
                b"/Resources << /XObject << /X %d 0 R >> >>" % below,
            )
        )
    top = 4 + levels
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /XObject << /X %d 0 R >> >> >>" % (top + 1, top),
            *forms,
            _stream(b"/X Do"),
        ]
    )


def _stream(content: bytes, dictionary: bytes = b"") -> bytes:
    return b"<< %b /Length %d >>\nstream\n%b\nendstream" % (dictionary, len(content), content)


def _pdf(bodies: list[bytes]) -> bytes:
    """Objects 1, 2, ... and the cross-reference table that finds them."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)
