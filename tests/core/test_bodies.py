"""Request bodies: refused over their view's limit before any of it is read, 413 in the
error shape on the API and a 413 page for people; the limit is KURA_MAX_BODY_BYTES unless
the view says otherwise."""

import asyncio
import json
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.asgi import ASGIHandler
from rest_framework.test import APIClient

from apps.accounts.services import auth_token_issue
from tests.api import api_client, bearer, too_large
from tests.conftest import host_of

MB = 1000 * 1000
DEFAULT = settings.KURA_MAX_BODY_BYTES


@pytest.fixture(params=["anonymous sign-in", "anonymous post", "signed-in post"])
def caller(request, tenant, member) -> tuple[APIClient, str]:
    if request.param == "anonymous sign-in":
        return api_client(tenant), "/auth/login"
    if request.param == "anonymous post":  # refused for its size before its credential
        return api_client(tenant), "/api/posts"
    return bearer(tenant, auth_token_issue(membership=member).access_token), "/api/posts"


@pytest.mark.django_db
def test_a_50_mb_body_is_413_before_it_is_read(caller):
    client, path = caller
    client.post(path, b"{}", content_type="application/json")  # the first loads the URLs
    body = b'{"body": "' + b"x" * (50 * MB) + b'"}'
    started = time.perf_counter()
    response = client.post(path, body, content_type="application/json")
    elapsed = time.perf_counter() - started
    assert (response.status_code, response.json()) == (413, too_large(DEFAULT))
    assert response["Content-Type"] == "application/json"
    assert elapsed < 0.5


@pytest.mark.django_db
def test_the_default_limit_is_exact(caller):
    client, path = caller
    field = b'{"nothing": 1}'
    at_limit = field + b" " * (DEFAULT - len(field))
    response = client.post(path, at_limit, content_type="application/json")
    assert response.status_code in (400, 401)  # read, and refused for what it says
    response = client.post(path, at_limit + b" ", content_type="application/json")
    assert (response.status_code, response.json()) == (413, too_large(DEFAULT))


@pytest.mark.django_db
def test_a_view_that_takes_more_says_so(tenant, member):
    """Completing an upload names up to FILES_MAX_PARTS parts: 200 bytes each."""
    client = bearer(tenant, auth_token_issue(membership=member).access_token)
    limit = settings.FILES_MAX_PARTS * 200
    head = b'{"file_id": "00000000-0000-4000-8000-000000000000", "parts": []}'
    response = client.post(
        "/api/upload/complete", head + b" " * (limit - len(head)), content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = client.post(
        "/api/upload/complete",
        head + b" " * (limit + 1 - len(head)),
        content_type="application/json",
    )
    assert (response.status_code, response.json()) == (413, too_large(limit))


def asgi_post(host: str, path: str, body: bytes, *, announced: int) -> tuple[int, dict]:
    """POST through Django's ASGI handler, which buffers the whole body whatever its
    Content-Length says (a chunked body, or a client that understates it)."""
    sent: list[dict] = []

    async def exchange() -> None:
        chunks = [body[at : at + 65536] for at in range(0, len(body), 65536)]
        answered = asyncio.Event()

        async def receive() -> dict:
            if chunks:
                return {"type": "http.request", "body": chunks.pop(0), "more_body": len(chunks) > 0}
            await answered.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                answered.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", host.encode()),
                (b"content-type", b"application/json"),
                (b"content-length", str(announced).encode()),
                (b"accept-language", b"en"),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        await ASGIHandler()(scope, receive, send)

    asyncio.run(exchange())
    return sent[0]["status"], json.loads(b"".join(m.get("body", b"") for m in sent[1:]))


def test_a_body_longer_than_announced_is_refused_as_it_is_read(committed, tenant):
    body = b'{"email": "' + b"x" * (2 * DEFAULT) + b'", "password": "x"}'
    status, answer = asgi_post(host_of(tenant), "/auth/login", body, announced=2)
    assert (status, answer) == (413, too_large(DEFAULT))


def test_a_body_as_long_as_announced_is_read_under_asgi(committed, tenant):
    body = b'{"email": "nobody", "password": "x"}'
    status, answer = asgi_post(host_of(tenant), "/auth/login", body, announced=len(body))
    assert (status, answer["errors"]) == (400, {"email": ["Enter a valid email address."]})


@pytest.fixture
def manager(tenant, owner) -> APIClient:
    return bearer(tenant, auth_token_issue(membership=owner).access_token)


def csv_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("p.csv", b"sku,name,price\nA,a,1\n", content_type="text/csv")


@pytest.mark.django_db
def test_form_fields_over_djangos_limit_are_413_in_the_error_shape(manager):
    """The import takes 10 MiB of file, but its other fields no more than any form."""
    response = manager.post(
        "/api/products/import",
        {"file": csv_file(), "note": "x" * DEFAULT},
        format="multipart",
    )
    assert (response.status_code, response.json()) == (
        413,
        too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
    )


@pytest.mark.django_db
def test_a_body_django_will_not_read_is_400_in_the_error_shape(manager):
    fields = {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = manager.post(
        "/api/products/import", {"file": csv_file(), **fields}, format="multipart"
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "status": 400,
            "code": "bad_request",
            "message": "The request could not be read.",
            "errors": {},
        },
    )


# Pages ------------------------------------------------------------------------------------


def assert_413_page(response, message: str) -> None:
    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "<h1>Too much sent</h1>" in page
    assert f"<p>{message}</p>" in page


@pytest.mark.django_db
def test_an_oversized_form_is_a_413_page_signed_out(tenant_client):
    response = tenant_client.post(
        "/login", {"email": "x" * DEFAULT, "password": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert_413_page(
        response, f"The request body is too large: this accepts at most {DEFAULT} bytes."
    )


@pytest.mark.django_db
def test_an_oversized_form_is_a_413_page_signed_in(page_of, owner):
    response = page_of(owner).post("/catalog/manage/products/new", {"name": "x" * DEFAULT})
    assert_413_page(
        response, f"The request body is too large: this accepts at most {DEFAULT} bytes."
    )


@pytest.mark.django_db
def test_the_import_page_takes_its_file_and_refuses_a_larger_one_unread(page_of, owner):
    page = page_of(owner)
    response = page.post("/catalog/manage", {"action": "import", "file": csv_file()})
    assert response.status_code == 302
    too_big = SimpleUploadedFile("p.csv", b"x" * (11 * 1024 * 1024), content_type="text/csv")
    response = page.post("/catalog/manage", {"action": "import", "file": too_big})
    assert_413_page(response, "A file to import holds at most 10 MiB.")


@pytest.mark.django_db
def test_form_fields_over_djangos_limit_are_a_413_page(page_of, owner):
    """The import page takes a file of 10 MiB, its other fields no more than any form."""
    response = page_of(owner).post(
        "/catalog/manage", {"action": "import", "file": csv_file(), "note": "x" * DEFAULT}
    )
    assert_413_page(
        response,
        "The request body is too large: this accepts at most "
        f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
    )


@pytest.mark.django_db
def test_the_refusal_speaks_the_callers_language(tenant):
    response = api_client(tenant, "ja").post(
        "/auth/login", b" " * (DEFAULT + 1), content_type="application/json"
    )
    assert (response.status_code, response.json()["message"]) == (
        413,
        f"リクエストの本文が大きすぎます。受け付けるのは {DEFAULT} バイトまでです。",
    )
