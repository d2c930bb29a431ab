"""Uploads, measured side by side (issue 8).

(a) Bytes/s of a 256 MiB file through initiate -> parallel pre-signed part PUTs -> complete,
    against boto3's upload_file with the same part size and concurrency: joins this file
    with the upload API (goal: Kura / boto3 >= 0.8).

(b) The derivatives of a 12-megapixel photo (`derivatives()` below): Kura's
    apps.files.images.derivatives, one call making the 800x600 display image and the
    200x200 thumbnail, against libvips: pyvips `thumbnail` of the same JPEG bytes to
    800x600 and to a centre-cropped 200x200 (two calls, each with libvips's shrink-on-load),
    saved as JPEG at the same quality with metadata stripped. The photo is made here
    (seeded): 4000x3000, smooth colour gradients under grain, quality 90, EXIF orientation
    6 and GPS, so it decodes and compresses like a phone's. libvips runs with its thread
    pool (as it would in a worker) and its operation cache off (a cache hit would time
    nothing); its single-thread time is printed too. Goal: Kura / vips <= 1.5 (medians).
    Then the memory of one image: a fresh process (as a Celery worker handling one file)
    loads Django and Kura, decodes one photo and exits; its peak resident set (VmHWM:
    getrusage's ru_maxrss, but not carried over from the parent across exec) and the peak
    of Python's own allocations (tracemalloc; Pillow's pixel buffers are C allocations it
    does not see) are printed. Goal: peak < 200 MB.
    Needs Debian's libvips and pyvips: scripts/bench.sh installs both. No server.

    .venv/bin/python bench/upload_throughput.py --rounds 15
"""

import argparse
import io
import json
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
PHOTO_SIZE = (4000, 3000)
SEED = 8
JPEG_QUALITY = 85  # apps.files.images.JPEG_QUALITY
GOAL_RATIO, GOAL_PEAK_MB = 1.5, 200


def photo(size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A photo-like JPEG: gradients (sky, light falloff) under seeded sensor grain."""
    from PIL import Image

    width, height = size
    rng = random.Random(SEED)
    scene = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize(size),
            Image.radial_gradient("L").resize(size),
            Image.linear_gradient("L").rotate(90).resize(size),
        ),
    )
    grain = Image.frombytes("RGB", size, rng.randbytes(width * height * 3))
    picture = Image.blend(scene, grain, 0.12)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: shot upright on a phone
    exif[0x8825] = {2: (35.0, 39.0, 29.0), 4: (139.0, 41.0, 30.0)}  # GPS
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def kura(data: bytes) -> tuple[bytes, bytes]:
    from apps.files.images import derivatives

    result = derivatives(io.BytesIO(data), declared_type="image/jpeg")
    return result.display, result.thumbnail


def vips(data: bytes) -> tuple[bytes, bytes]:
    import pyvips

    logging.getLogger("pyvips").setLevel(logging.WARNING)  # it logs each step at INFO
    save = {"Q": JPEG_QUALITY, "strip": True}
    display = pyvips.Image.thumbnail_buffer(data, 800, height=600)
    thumbnail = pyvips.Image.thumbnail_buffer(data, 200, height=200, crop="centre")
    return display.jpegsave_buffer(**save), thumbnail.jpegsave_buffer(**save)


def timed(make: Callable[[bytes], tuple[bytes, bytes]], data: bytes, rounds: int) -> list[float]:
    make(data)  # warm up: imports, plugin registration, libvips start-up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        make(data)
        times.append(time.perf_counter() - started)
    return times


def sizes(outputs: tuple[bytes, bytes]) -> str:
    from PIL import Image

    return " + ".join("x".join(map(str, Image.open(io.BytesIO(o)).size)) for o in outputs)


def one_image(path: str, engine: str) -> None:
    """Child process: one image, then the memory figures as JSON on stdout."""
    import django

    django.setup()
    if engine == "vips":
        import pyvips

        pyvips.cache_set_max(0)
    data = Path(path).read_bytes()
    baseline = peak_rss()
    tracemalloc.start()
    (kura if engine == "kura" else vips)(data)
    python_peak = tracemalloc.get_traced_memory()[1] / 2**20
    print(json.dumps({"baseline": baseline, "peak": peak_rss(), "python": python_peak}))


def peak_rss() -> float:
    """MB: the process's peak resident set. getrusage's ru_maxrss would do, but Linux keeps
    it across exec, so a child would inherit the bench's own peak; VmHWM starts afresh."""
    status = Path("/proc/self/status")
    if status.exists():
        (line,) = (x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def memory(path: str, engine: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--one-image", path, "--engine", engine],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def derivatives(rounds: int) -> bool:
    """Part (b): print the figures; True when both goals are met."""
    import PIL
    import pyvips

    data = photo()
    pyvips.cache_set_max(0)
    ours = timed(kura, data, rounds)
    theirs = timed(vips, data, rounds)
    threads = pyvips.concurrency_get()
    pyvips.concurrency_set(1)
    theirs_one_thread = timed(vips, data, rounds)
    pyvips.concurrency_set(threads)

    with tempfile.NamedTemporaryFile(suffix=".jpg") as file:
        file.write(data)
        file.flush()
        ours_memory, theirs_memory = memory(file.name, "kura"), memory(file.name, "vips")

    k, v, v1 = (statistics.median(t) * 1000 for t in (ours, theirs, theirs_one_thread))
    ratio = k / v
    version = ".".join(str(pyvips.version(n)) for n in range(3))
    print(
        f"(b) derivatives of a {PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} JPEG ({len(data) / 2**20:.1f} MiB, "
        f"quality 90, orientation 6), {rounds} rounds, medians (min); {os.cpu_count()} CPUs; "
        f"Pillow {PIL.__version__}, libvips {version} with {threads} threads"
    )
    rows = [
        ("Kura derivatives()", k, min(ours), sizes(kura(data))),
        ("vips thumbnail x2", v, min(theirs), sizes(vips(data))),
        ("vips thumbnail x2, 1 thread", v1, min(theirs_one_thread), ""),
    ]
    for name, median, fastest, made in rows:
        print(f"  {name:28}: {median:7.1f} ms ({fastest * 1000:.1f})  {made}")
    fast = ratio <= GOAL_RATIO
    print(f"  ratio Kura/vips             : {ratio:7.2f}   (goal <= {GOAL_RATIO}: {verdict(fast)})")
    print(f"  ratio Kura/vips on 1 thread : {k / v1:7.2f}")
    peak = ours_memory["peak"]
    print("  one image in a fresh process (peak RSS; over the process before the image):")
    print(
        f"    Kura {peak:.0f} MB (+{peak - ours_memory['baseline']:.0f}; Python allocations "
        f"{ours_memory['python']:.1f} MB)   vips {theirs_memory['peak']:.0f} MB "
        f"(+{theirs_memory['peak'] - theirs_memory['baseline']:.0f})"
    )
    small = peak < GOAL_PEAK_MB
    print(f"  goal Kura peak < {GOAL_PEAK_MB} MB: {verdict(small)}")
    return fast and small


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--one-image", help=argparse.SUPPRESS)
    parser.add_argument("--engine", choices=["kura", "vips"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_image:
        one_image(args.one_image, args.engine)
        return
    import django

    django.setup()
    sys.exit(0 if derivatives(args.rounds) else 1)


if __name__ == "__main__":
    main()
