"""Uploading as a browser does: the API for tickets, `requests` for the bytes."""

import base64
import hashlib
import socket
import struct
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from apps.files.services import FILE_DERIVE, FILE_SCAN
from apps.jobs.models import Job
from apps.jobs.services import job_run
from apps.tenants.models import Tenant


def tenant_prefix(tenant: Tenant) -> str:
    """Where the test run keeps `tenant`'s objects (config/settings/test.py)."""
    return f"{settings.KURA_OBJECT_KEY_PREFIX}/{tenant.schema_name}"


def initiate(client: APIClient, *, name: str, size: int, content_type: str = "text/plain") -> Any:
    return client.post(
        "/api/upload/initiate",
        {"name": name, "size": size, "content_type": content_type},
        format="json",
    )


def put(ticket: dict[str, Any], data: bytes) -> requests.Response:
    return requests.put(ticket["url"], data=data, headers=ticket["headers"], timeout=30)


def complete(client: APIClient, file_id: str, parts: list[dict] | None = None) -> Any:
    body: dict[str, Any] = {"file_id": file_id}
    if parts is not None:
        body["parts"] = parts
    return client.post("/api/upload/complete", body, format="json")


def upload(
    client: APIClient, data: bytes, *, name: str = "note.txt", content_type: str = "text/plain"
) -> Any:
    """initiate -> PUT -> complete of a small file; the complete response."""
    ticket = initiate(client, name=name, size=len(data), content_type=content_type)
    assert ticket.status_code == 201, ticket.content
    assert ticket.json()["method"] == "put"
    assert put(ticket.json(), data).status_code == 200
    return complete(client, ticket.json()["file_id"])


def multipart(
    client: APIClient, data: bytes, name: str = "video.mp4", content_type: str = "video/mp4"
) -> Any:
    """The ticket of a multipart upload of `data` (begun; no part sent)."""
    ticket = initiate(client, name=name, size=len(data), content_type=content_type)
    assert ticket.status_code == 201, ticket.content
    assert ticket.json()["method"] == "multipart"
    return ticket.json()


MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00\x00\x00\x08free"


def video(size: int) -> bytes:
    """`size` bytes that are an MP4 to the type sniffing (a type Kura takes)."""
    body = MP4 + b"\x00\x00\x00\x08mdat"
    return body + bytes(i % 251 for i in range(size - len(body)))


def md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 - S3's Content-MD5


def sign(client: APIClient, file_id: str, numbers: list[int], md5s: list[str] | None = None) -> Any:
    body: dict[str, Any] = {"part_numbers": numbers}
    if md5s is not None:
        body["md5s"] = md5s
    return client.post(f"/api/upload/{file_id}/parts", body, format="json")


def put_part(signed: dict[str, Any], data: bytes) -> requests.Response:
    return requests.put(signed["url"], data=data, headers=signed["headers"], timeout=60)


def put_part_cut(signed: dict[str, Any], data: bytes, *, sent: int) -> None:
    """A PUT of the part cut after `sent` bytes of `data`, as a dropped connection cuts it:
    the request line, the headers (the full Content-Length) and the first bytes, then a
    reset (SO_LINGER 0: RST, not FIN), with no answer read."""
    url = urlsplit(signed["url"])
    headers = {"Host": url.netloc, "Content-Length": str(len(data)), **signed["headers"]}
    head = f"PUT {url.path}?{url.query} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with socket.create_connection((url.hostname, url.port or 80), timeout=10) as sock:
        sock.sendall(f"{head}\r\n".encode() + data[:sent])
        time.sleep(0.5)  # the store has taken the bytes in before the reset
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def chunks(data: bytes, part_size: int) -> dict[int, bytes]:
    return {n + 1: data[i : i + part_size] for n, i in enumerate(range(0, len(data), part_size))}


def run_file_jobs() -> list[str]:
    """Run the scan and derivatives jobs due, in this process, as the worker would (each
    in the tenant, in its own transaction), until none is left; their outcomes."""
    connection.set_schema_to_public()
    outcomes = []
    while True:
        due = list(
            Job.objects.filter(
                kind__in=[FILE_SCAN, FILE_DERIVE], state__in=["scheduled", "enqueued"]
            ).order_by("pk")
        )
        if not due:
            return outcomes
        outcomes += [f"{job.kind}:{job_run(job_id=job.pk)}" for job in due]
        connection.set_schema_to_public()
