"""Uploads, measured side by side (issue 8).

(a) Bytes/s of a 256 MiB file through Kura's upload API: POST /api/upload/initiate, the
    part URLs (POST /api/upload/{id}/parts, one call), the 32 parts of 8 MiB PUT to their
    pre-signed URLs 4 at a time, POST /api/upload/complete (which checks the stored object's
    size and type); the API served by gunicorn on loopback, on a database of its own, as an
    API key. Against boto3's upload_file of the same file to the same S3Proxy with 8 MiB
    parts and max_concurrency 4 (create, parts, complete; no checks of its own). Rounds
    alternate (Kura, boto3, ...), each file read from the page cache; medians (fastest).
    Goal: Kura / boto3 >= 0.8. The scan job that completing schedules is not run (no
    worker): it is not part of the upload.
    Then the same file resumed (issue 20): the first 16 parts sent, the 17th cut after
    4 MiB (a connection reset mid-PUT: the upload at 50 %), then, on a new connection as
    after a reload, GET /api/upload/{id}/parts, the 16 parts it does not list sent and the
    upload completed. Goal: part bytes sent in all / file size <= 1.05 (here 1.0156: the
    half part is all that is sent twice).

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

    .venv/bin/python bench/upload_throughput.py --rounds 15 --upload-rounds 5
    (--only a or --only b for one part)
"""

import argparse
import concurrent.futures
import http.client
import io
import json
import logging
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import servers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
DB = "kura_bench_upload"
UPLOAD_BYTES = 256 * 2**20
PART_BYTES = 8 * 2**20
CONCURRENCY = 4
GOAL_THROUGHPUT = 0.8
GOAL_RESENT = 1.05  # bytes sent in all for an upload resumed half-way, over its size
SLUG = "bench-upload"
KEY_PREFIX = "bench-tenants"  # objects of this bench, apart from development's and tests'
LOG = servers.LOGS / "upload-gunicorn.log"
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


def upload_setup() -> tuple[str, Any]:
    """A fresh database with one company and a write API key: the key's secret, the
    company."""
    from django.core.management import call_command

    from apps.accounts.models import ApiKey, Membership
    from apps.accounts.principal import Principal
    from apps.accounts.services import api_key_create, user_create
    from apps.tenants.services import tenant_create

    call_command("migrate_all", verbosity=0)
    tenant = tenant_create(name="Bench upload", slug=SLUG)
    user = user_create(
        email="owner@bench.example", password=secrets.token_urlsafe(16), validate=False
    )
    owner = Membership.objects.create(user=user, tenant=tenant, role=Membership.Role.OWNER)
    _key, secret = api_key_create(
        tenant=tenant, name="bench", scope=ApiKey.Scope.WRITE, actor=Principal.of_membership(owner)
    )
    return secret, tenant


class KuraApi:
    """The upload API as the company's API key calls it, on one kept-alive connection."""

    def __init__(self, port: int, secret: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.auth = {"Authorization": f"Api-Key {secret}"}

    def __call__(self, method: str, url: str, body: dict | None = None) -> dict:
        status, data = servers.call(
            self.conn, method, url, host=f"{SLUG}.localhost", headers=self.auth, body=body
        )
        if status not in {200, 201}:
            raise SystemExit(f"{method} {url}: {status} {data[:500]!r}")
        return json.loads(data)

    def initiate(self, path: Path) -> dict:
        size = path.stat().st_size
        body = {"name": "bench.pdf", "size": size, "content_type": "application/pdf"}
        ticket = self("POST", "/api/upload/initiate", body)
        assert ticket["part_size"] == PART_BYTES, ticket  # noqa: S101 - the comparison needs it
        return ticket

    def complete(self, file_id: str, parts: list[dict]) -> None:
        done = self("POST", "/api/upload/complete", {"file_id": file_id, "parts": parts})
        if done["state"] != "uploaded":
            raise SystemExit(f"the upload ended {done['state']}: {done['reason']}")
        self.conn.close()


def part_of(path: Path, number: int) -> bytes:
    with path.open("rb") as source:
        source.seek((number - 1) * PART_BYTES)
        return source.read(PART_BYTES)


def parts_put(signed: list[dict], path: Path) -> list[dict]:
    """PUT the parts to their URLs, CONCURRENCY at once; their numbers and ETags."""
    import requests

    sessions = [requests.Session() for _ in range(CONCURRENCY)]

    def put(part: dict) -> dict:
        number = part["part_number"]
        answer = sessions[number % CONCURRENCY].put(
            part["url"], data=part_of(path, number), headers=part["headers"], timeout=60
        )
        answer.raise_for_status()
        return {"part_number": number, "etag": answer.headers["ETag"]}

    with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
        return list(pool.map(put, signed))


def kura_upload(port: int, secret: str, path: Path) -> str:
    """One upload through the API; the file's id."""
    api = KuraApi(port, secret)
    ticket = api.initiate(path)
    file_id, count = ticket["file_id"], ticket["part_count"]
    urls = api("POST", f"/api/upload/{file_id}/parts", {"part_numbers": list(range(1, count + 1))})
    api.complete(file_id, parts_put(urls["parts"], path))
    return str(file_id)


@dataclass
class Resumed:
    file_id: str = ""
    sent: int = 0  # bytes of part bodies sent, the cut part's first half included
    again: int = 0  # parts sent after the listing
    state: str = ""
    stored: int = 0  # the object's size in the store


def file_delete_as_bench(tenant: Any, file_id: str) -> None:
    from django.db import connection
    from django_tenants.utils import schema_context

    from apps.accounts.principal import SystemActor
    from apps.files.models import File
    from apps.files.services import file_delete

    with schema_context(tenant.schema_name):
        file_delete(file=File.objects.get(pk=file_id), actor=SystemActor(tenant, "benchmark"))
    connection.set_schema_to_public()


def kura_resume(port: int, secret: str, path: Path) -> Resumed:
    """One upload interrupted half-way and resumed as a page does after a reload: the first
    half of the parts sent, the next one cut half-way (a dropped connection), then, on a
    new connection, the parts the store has (GET /api/upload/{id}/parts), the others sent
    and the upload completed."""
    from tests.files.uploading import put_part_cut

    first = KuraApi(port, secret)
    ticket = first.initiate(path)
    file_id, count = ticket["file_id"], ticket["part_count"]
    half = count // 2
    signed = first(
        "POST", f"/api/upload/{file_id}/parts", {"part_numbers": list(range(1, count + 1))}
    )
    parts_put(signed["parts"][:half], path)
    cut = signed["parts"][half]
    put_part_cut(cut, part_of(path, cut["part_number"]), sent=PART_BYTES // 2)
    sent = half * PART_BYTES + PART_BYTES // 2
    first.conn.close()

    later = KuraApi(port, secret)
    listed = later("GET", f"/api/upload/{file_id}/parts")
    have = {p["part_number"] for p in listed["parts"]}
    missing = [n for n in range(1, count + 1) if n not in have]
    urls = later("POST", f"/api/upload/{file_id}/parts", {"part_numbers": missing})
    parts_put(urls["parts"], path)
    sent += sum(len(part_of(path, n)) for n in missing)
    listed = later("GET", f"/api/upload/{file_id}/parts")
    later.complete(
        file_id, [{"part_number": p["part_number"], "etag": p["etag"]} for p in listed["parts"]]
    )
    return Resumed(file_id=str(file_id), sent=sent, again=len(missing))


def boto3_upload(path: Path, key: str) -> None:
    from boto3.s3.transfer import TransferConfig
    from django.conf import settings

    from apps.core.objectstore import s3_client

    config = TransferConfig(
        multipart_threshold=PART_BYTES,
        multipart_chunksize=PART_BYTES,
        max_concurrency=CONCURRENCY,
        use_threads=True,
    )
    s3_client(read_timeout=60).upload_file(
        str(path), settings.AWS_STORAGE_BUCKET_NAME, key, Config=config
    )


def throughput(rounds: int) -> bool:
    """Part (a): print the figures; True when the goal is met."""
    from django_tenants.utils import schema_context

    from apps.files import store
    from apps.files.models import File

    secret, tenant = upload_setup()
    servers.LOGS.mkdir(parents=True, exist_ok=True)
    port = servers.free_port()
    env = {"KURA_OBJECT_KEY_PREFIX": KEY_PREFIX, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    proc = servers.gunicorn(port, LOG, env, workers=2, threads=4)
    ours: list[float] = []
    theirs: list[float] = []
    resumed = Resumed()
    try:
        with tempfile.NamedTemporaryFile(suffix=".bin") as file:
            # Noise after a PDF's header: a type Kura takes, and what libmagic says it is.
            file.write(b"%PDF-1.4\n")
            file.write(os.urandom(UPLOAD_BYTES - file.tell()))
            file.flush()
            path = Path(file.name)
            path.read_bytes()  # into the page cache for both
            key = f"{KEY_PREFIX}/boto3/bench.pdf"
            for _ in range(rounds):
                started = time.perf_counter()
                file_id = kura_upload(port, secret, path)
                ours.append(time.perf_counter() - started)
                file_delete_as_bench(tenant, file_id)
                started = time.perf_counter()
                boto3_upload(path, key)
                theirs.append(time.perf_counter() - started)
                store.delete(key)
            resumed = kura_resume(port, secret, path)
            with schema_context(tenant.schema_name):
                stored = File.objects.get(pk=resumed.file_id)
                resumed.state, resumed.stored = stored.state, (store.head(stored.key) or (0,))[0]
            file_delete_as_bench(tenant, resumed.file_id)
    finally:
        servers.stop(proc)
    mib = UPLOAD_BYTES / 2**20
    k, b = (mib / statistics.median(t) for t in (ours, theirs))
    print(
        f"(a) upload of {mib:.0f} MiB in {PART_BYTES // 2**20} MiB parts, {CONCURRENCY} at once, "
        f"to S3Proxy on loopback; {rounds} rounds each, alternating, medians (fastest); "
        f"{os.cpu_count()} CPUs"
    )
    print(f"  Kura API (initiate, parts, PUTs, complete): {k:7.1f} MiB/s ({mib / min(ours):.1f})")
    print(f"  boto3 upload_file                         : {b:7.1f} MiB/s ({mib / min(theirs):.1f})")
    met = k / b >= GOAL_THROUGHPUT
    print(f"  ratio Kura/boto3 : {k / b:5.2f}   (goal >= {GOAL_THROUGHPUT}: {verdict(met)})")
    return resume_report(resumed) and met


def resume_report(resumed: "Resumed") -> bool:
    """Print the resume case's figures; True when its goal is met."""
    ratio = resumed.sent / UPLOAD_BYTES
    print(
        f"(a) resumed: the same file, part {UPLOAD_BYTES // PART_BYTES // 2 + 1} cut after "
        f"{PART_BYTES // 2 // 2**20} MiB (the upload at 50 %), GET /api/upload/{{id}}/parts on a "
        f"new connection, {resumed.again} parts sent, completed: {resumed.state}, "
        f"{resumed.stored} bytes in the store"
    )
    met = ratio <= GOAL_RESENT and resumed.stored == UPLOAD_BYTES
    print(
        f"  part bytes sent in all / file size: {resumed.sent} / {UPLOAD_BYTES} = {ratio:.4f}"
        f"   (goal <= {GOAL_RESENT}: {verdict(met)})"
    )
    return met


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="(b): photos per engine")
    parser.add_argument("--upload-rounds", type=int, default=5, help="(a): uploads per way")
    parser.add_argument("--only", choices=["a", "b"], help="one part only")
    parser.add_argument("--one-image", help=argparse.SUPPRESS)
    parser.add_argument("--engine", choices=["kura", "vips"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_image:
        one_image(args.one_image, args.engine)
        return
    import django

    met = True
    if args.only != "b":
        servers.own_databases(DB)
        os.environ["KURA_OBJECT_KEY_PREFIX"] = KEY_PREFIX
        servers.databases_reset(DB)
        try:
            django.setup()
            met = throughput(args.upload_rounds)
        finally:
            from django.db import connections

            connections.close_all()
            servers.databases_drop(DB)
    if args.only != "a":
        django.setup()
        met = derivatives(args.rounds) and met
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
