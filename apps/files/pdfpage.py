"""The first page of a PDF as pixels, in a process of its own (apps.files.documents starts
it): PDFium is a large C library reading untrusted bytes, and a call into it cannot be
interrupted, so the process that makes it is one the job can kill when it takes too long,
and whose memory is capped by the kernel.

Run as `python -I pdfpage.py PATH MAX_PAGES MAX_POINTS MAX_PIXELS BOX_WIDTH BOX_HEIGHT
THUMBNAIL_SIDE MAX_BYTES_OF_MEMORY`. It writes one line of JSON, then, when it rendered the
page, its pixels (8-bit RGB, row after row):

    {"width": 424, "height": 600}        the page, rendered that size
    {"refused": "pages", "pages": 1200}  over a limit, or "points", "pixels", "damaged",
                                         "password"

It imports nothing of Kura or Django: `-I` keeps the folder it lives in off the path.
"""

import json
import math
import resource
import sys
from dataclasses import dataclass

import pypdfium2 as pdfium


@dataclass(frozen=True)
class Limits:
    pages: int
    points: float
    pixels: int
    box: tuple[int, int]
    thumbnail: int


def render_scale(size: tuple[float, float], limits: Limits) -> float:
    """Pixels per point: the page fills the display box (a page is drawn at whatever size
    it is shown, unlike a photo, which is never enlarged), and its shorter side covers the
    thumbnail's square."""
    width, height = size
    fill = min(limits.box[0] / width, limits.box[1] / height)
    return max(fill, limits.thumbnail / min(width, height))


def rendered_size(size: tuple[float, float], scale: float) -> tuple[int, int]:
    """The bitmap PDFium makes of a page of `size` points at `scale` (it rounds up)."""
    return math.ceil(size[0] * scale), math.ceil(size[1] * scale)


def _answer(head: dict[str, object], pixels: bytes = b"") -> None:
    sys.stdout.buffer.write(json.dumps(head).encode() + b"\n" + pixels)
    sys.stdout.buffer.flush()


def main(argv: list[str]) -> None:
    path = argv[0]
    limits = Limits(
        pages=int(argv[1]),
        points=float(argv[2]),
        pixels=int(argv[3]),
        box=(int(argv[4]), int(argv[5])),
        thumbnail=int(argv[6]),
    )
    memory = int(argv[7])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        password = "password" in str(exc).lower()
        _answer({"refused": "password" if password else "damaged"})
        return
    pages = len(pdf)
    if pages == 0:
        _answer({"refused": "damaged"})
        return
    if pages > limits.pages:
        _answer({"refused": "pages", "pages": pages})
        return
    page = pdf[0]
    size = page.get_size()  # /Rotate applied: the page as it is shown
    if min(size) <= 0:
        _answer({"refused": "damaged"})
        return
    if max(size) > limits.points:
        _answer({"refused": "points", "points": round(max(size))})
        return
    scale = render_scale(size, limits)
    width, height = rendered_size(size, scale)
    if width * height > limits.pixels:
        _answer({"refused": "pixels", "pixels": width * height})
        return
    picture = page.render(scale=scale, fill_color=(255, 255, 255, 255)).to_pil().convert("RGB")
    _answer({"width": picture.width, "height": picture.height}, picture.tobytes())


if __name__ == "__main__":
    main(sys.argv[1:])
