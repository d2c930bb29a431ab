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
