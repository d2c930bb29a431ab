"""The files page: the uploader for those who may write, a grid of thumbnails and states
(polled while the server works on a file), a file's page with its display image, download
and a delete confirmation; and the upload API through the web session with its CSRF header."""

import json
import re

import pytest
import requests
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from apps.files import store
from apps.files.models import File
from apps.files.selectors import PAGE_SIZE
from apps.notifications.models import Notification
from apps.tenants.models import Tenant
from tests.accounts.test_views import signed_in
from tests.conftest import host_of
from tests.files import samples
from tests.files.uploading import initiate, run_file_jobs, upload
from tests.tenants.factories import PlanFactory

pytestmark = pytest.mark.django_db


def cards(body: str) -> list[tuple[str, str]]:
    """(state, name) of each card of the grid, in order."""
    return re.findall(
        r'data-testid="file-card" data-state="([a-z]+)">.*?<span class="file-name">([^<]+)</span>',
        body,
        re.S,
    )


@pytest.fixture
def member_client(member, client_of):
    return client_of(member)


def uploaded(client, data, **kwargs) -> str:
    response = upload(client, data, **kwargs)
    assert response.status_code == 200, response.content
    return str(response.json()["id"])


def the_file(tenant, file_id) -> File:
    with schema_context(tenant.schema_name):
        return File.objects.get(pk=file_id)


def test_first_run_shows_the_uploader_and_the_empty_state(tenant, member):
    body = signed_in(tenant, member).get("/files").content.decode()
    assert 'data-testid="uploader"' in body
    assert 'data-single-put-max="16777216"' in body
    assert 'data-part-bytes="8388608"' in body
    assert (
        "No files yet. Files uploaded here or through the API show up here, each checked for "
        "viruses before anyone can download it." in body
    )
    assert (
        '<dd data-testid="allowed-types">jpg, jpeg, png, webp, gif, heic, heif, avif, pdf, docx, '
        "xlsx, pptx, odt, ods, odp, txt, text, csv, md, log, zip, mp4, m4v</dd>" in body
    )
    assert '<dd data-testid="largest-file">5.0\xa0GB</dd>' in body
    # Nothing is being worked on: the grid waits for an upload, it does not poll.
    assert 'hx-trigger="files-changed from:body"' in body
    assert '<a href="/files" aria-current="page">Files</a>' in body


def uploader_words(body: str) -> dict:
    found = re.search(r'<script id="uploader-words" type="application/json">(.*?)</script>', body)
    assert found is not None
    return json.loads(found.group(1))


@override_settings(KURA_UPLOAD_ALLOWED_TYPES=["image/png", "application/pdf"])
def test_a_japanese_page_gives_uppy_japanese_words_and_the_limits_of_its_plan(tenant, member):
    """Uppy's ja_JP leaves the restored session's words in English and says "2 of 3 files
    uploaded" as "3 個のファイルのアップロードが2": the page hands it Kura's own."""
    with schema_context("public"):
        plan = PlanFactory(max_file_bytes=200 * 1024 * 1024)
        Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
    client = signed_in(tenant, member)
    client.cookies["django_language"] = "ja"
    body = client.get("/files").content.decode()
    assert '<dt>使える種類</dt><dd data-testid="allowed-types">png, pdf</dd>' in body
    assert '<dt>最大サイズ</dt><dd data-testid="largest-file">200.0\xa0MB</dd>' in body
    words = uploader_words(body)
    assert {
        k: words["uppy"][k] for k in ("sessionRestored", "reSelect", "filesUploadedOfTotal")
    } == {
        "sessionRestored": "アップロードを復元しました",
        "reSelect": "もう一度選ぶ",
        "filesUploadedOfTotal": {
            "0": "%{smart_count} 個中 %{complete} 個のファイルをアップロードしました",
            "1": "%{smart_count} 個中 %{complete} 個のファイルをアップロードしました",
        },
    }
    assert words["uppy"]["recoveredXFiles"]["1"] == (
        "%{smart_count} 個のファイルを完全には復元できませんでした。"
        "続けるには、もう一度選んでください。"
    )
    assert (words["refused"], words["typeRefused"]) == (
        "アップロードできなかったファイル",
        "この種類のファイルはここにはアップロードできません。使える種類: png, pdf。",
    )
    # Every string Kura gives Uppy has its Japanese.
    english = uploader_words(signed_in(tenant, member).get("/files").content.decode())
    assert english["uppy"]["sessionRestored"] == "Your uploads were restored"
    untranslated = [k for k, v in words["uppy"].items() if v == english["uppy"][k]]
    assert untranslated == []


def test_an_upload_not_finished_is_not_a_card(tenant, member, member_client):
    """Its uploader follows it in the uploader; one given up on said "Uploading" for good."""
    begun = initiate(member_client, name="big.zip", size=40 * 1024 * 1024)
    assert begun.status_code == 201, begun.content
    uploaded(member_client, samples.TEXT, name="note.txt")
    body = signed_in(tenant, member).get("/files").content.decode()
    assert cards(body) == [("uploaded", "note.txt")]


def test_viewers_see_the_files_without_the_uploader(tenant, viewer, member_client):
    uploaded(member_client, samples.TEXT, name="note.txt")
    run_file_jobs()
    body = signed_in(tenant, viewer).get("/files").content.decode()
    assert "Your role in this company may only read, so you cannot upload files here." in body
    assert 'data-testid="uploader"' not in body
    assert cards(body) == [("ready", "note.txt")]


def test_the_grid_shows_thumbnails_and_states_and_polls_while_scanning(
    tenant, member, member_client
):
    photo_id = uploaded(
        member_client, samples.jpeg((640, 480)), name="photo.jpg", content_type="image/jpeg"
    )
    run_file_jobs()
    uploaded(member_client, samples.EICAR, name="eicar.txt")
    run_file_jobs()
    uploaded(member_client, samples.PDF, name="quote.pdf", content_type="application/pdf")
    client = signed_in(tenant, member)
    body = client.get("/files").content.decode()
    # The infected file is deleted: not a card, but said above the grid, as its uploader's
    # notification and its page say it.
    assert cards(body) == [("uploaded", "quote.pdf"), ("ready", "photo.jpg")]
    assert (
        '<ul class="file-alerts" role="status" data-testid="infected">\n  '
        "<li>⚠ A virus was found in eicar.txt; the file was deleted.</li>\n</ul>" in body
    )
    assert 'hx-trigger="files-changed from:body, every 2s"' in body
    thumbnails = re.findall(r'<img src="([^"]+)" alt="" width="200" height="200"', body)
    assert len(thumbnails) == 1
    got = requests.get(thumbnails[0].replace("&amp;", "&"), timeout=10)
    assert (got.status_code, got.headers["Content-Type"]) == (200, "image/jpeg")
    assert the_file(tenant, photo_id).thumbnail_key in thumbnails[0]

    run_file_jobs()
    grid = client.get("/files/grid").content.decode()
    assert grid.startswith('<div id="file-grid" hx-get="/files/grid?page=1"')
    assert 'hx-trigger="files-changed from:body"' in grid
    assert cards(grid)[0] == ("ready", "quote.pdf")


def test_the_grid_is_paged(tenant, member, member_client):
    for n in range(PAGE_SIZE + 1):
        uploaded(member_client, samples.TEXT, name=f"note-{n:02}.txt")
    client = signed_in(tenant, member)
    first = client.get("/files").content.decode()
    assert len(cards(first)) == PAGE_SIZE
    assert cards(first)[0] == ("uploaded", f"note-{PAGE_SIZE:02}.txt")
    assert '<a href="?page=2" rel="next">Next</a>' in first
    second = client.get("/files?page=2").content.decode()
    assert cards(second) == [("uploaded", "note-00.txt")]
    assert '<a href="?page=1" rel="prev">Previous</a>' in second


def test_a_files_page_shows_its_display_image_and_downloads(tenant, member, member_client):
    file_id = uploaded(
        member_client, samples.jpeg((1600, 1200)), name="IMG_0001.JPG", content_type="image/jpeg"
    )
    client = signed_in(tenant, member)
    scanning = client.get(f"/files/{file_id}").content.decode()
    assert "This file is being checked. Reload the page in a moment." in scanning
    assert 'data-testid="download"' not in scanning
    refused = client.get(f"/files/{file_id}/download", follow=True)
    assert [str(m) for m in refused.context["messages"]] == [
        "This file is uploaded; only ready files can be downloaded."
    ]

    run_file_jobs()
    body = client.get(f"/files/{file_id}").content.decode()
    display = re.search(r'<img src="([^"]+)" alt="IMG_0001.JPG" width="800" height="600"', body)
    assert display is not None, re.findall(r"<img [^>]+>", body)
    assert the_file(tenant, file_id).display_key in display.group(1)
    assert f'<a role="button" href="/files/{file_id}/download" data-testid="download">' in body
    download = client.get(f"/files/{file_id}/download")
    assert download.status_code == 302
    got = requests.get(download["Location"], timeout=10)
    assert got.content == samples.jpeg((1600, 1200))
    assert got.headers["Content-Disposition"] == 'attachment; filename="IMG_0001.JPG"'


def test_an_infected_file_says_so_as_its_notification_does(tenant, member, member_client):
    file_id = uploaded(member_client, samples.EICAR, name="eicar.txt")
    run_file_jobs()
    body = signed_in(tenant, member).get(f"/files/{file_id}").content.decode()
    said = "A virus was found in eicar.txt; the file was deleted."
    assert f'<p role="alert" data-testid="file-infected"><strong>{said}</strong></p>' in body
    assert 'data-testid="download"' not in body
    assert 'data-testid="delete"' not in body
    with schema_context(tenant.schema_name):
        assert [n.title for n in Notification.objects.filter(kind="file_infected")] == [said]


def test_deleting_asks_first_then_deletes(tenant, member, member_client):
    file_id = uploaded(member_client, samples.PDF, name="quote.pdf", content_type="application/pdf")
    run_file_jobs()
    key = the_file(tenant, file_id).key
    client = signed_in(tenant, member)
    page = client.get(f"/files/{file_id}/delete").content.decode()
    assert "Delete quote.pdf?" in page
    assert f'<a role="button" class="secondary" href="/files/{file_id}">Keep it</a>' in page
    done = client.post(f"/files/{file_id}/delete", follow=True)
    assert done.redirect_chain == [("/files", 302)]
    assert [str(m) for m in done.context["messages"]] == ["quote.pdf was deleted."]
    assert store.head(key) is None
    with schema_context(tenant.schema_name):
        assert not File.objects.filter(pk=file_id).exists()


def test_a_viewer_may_not_delete(tenant, viewer, member_client):
    file_id = uploaded(member_client, samples.TEXT, name="note.txt")
    client = signed_in(tenant, viewer)
    assert 'data-testid="delete"' not in client.get(f"/files/{file_id}").content.decode()
    assert client.post(f"/files/{file_id}/delete").status_code == 403
    assert the_file(tenant, file_id).name == "note.txt"


def test_the_session_uploads_with_the_csrf_header_and_not_without(tenant, member):
    """What the page's Uppy does: the API through the web session, CSRF enforced."""
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    client.force_login(member.user)
    client.get("/files")
    body = {"name": "a.txt", "size": 5, "content_type": "text/plain"}
    refused = client.post("/api/upload/initiate", body, content_type="application/json")
    assert refused.status_code == 403
    token = client.cookies["csrftoken"].value
    ticket = client.post(
        "/api/upload/initiate", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert ticket.status_code == 201, ticket.content
    assert ticket.json()["method"] == "put"
