"""Uploads through the API against the real S3 server: one PUT, multipart in parallel and
resumed, completion checks, and every refusal in the one error shape with nothing left
behind."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from apps.accounts.principal import Principal
from apps.accounts.services import api_key_create
from apps.files import store
from apps.files.models import File
from apps.files.services import SweepCounts, files_sweep_tenant, part_layout
from apps.jobs.models import Job
from apps.tenants.models import Tenant
from tests.accounts.factories import MembershipFactory
from tests.api import api_client
from tests.files import samples
from tests.files.uploading import (
    chunks,
    complete,
    initiate,
    md5,
    multipart,
    put,
    put_part,
    run_file_jobs,
    sign,
    tenant_prefix,
    upload,
    video,
)
from tests.tenants.factories import PlanFactory

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


def files_of(tenant) -> list[File]:
    with schema_context(tenant.schema_name):
        return list(File.objects.order_by("created_at"))


def in_store(tenant) -> list[str]:
    """The tenant's objects, as keys under its prefix."""
    prefix = f"{tenant_prefix(tenant)}/"
    return sorted(obj.key.removeprefix(prefix) for obj in store.objects(prefix=prefix))


def downloaded(client, file_id: str) -> requests.Response:
    answer = client.get(f"/api/files/{file_id}/download")
    assert answer.status_code == 200, answer.content
    return requests.get(answer.json()["url"], timeout=10)


def sweep(tenant, *, after: timedelta = timedelta(0)) -> SweepCounts:
    with tenant_context(tenant):
        return files_sweep_tenant(tenant=tenant, now=timezone.now() + after)


def scan_jobs(tenant) -> list[tuple[str, dict]]:
    return list(Job.objects.filter(tenant=tenant, kind="file.scan").values_list("kind", "payload"))


# --- one PUT ------------------------------------------------------------------------------


def test_small_file_one_put_then_complete(tenant, member, member_client):
    ticket = initiate(member_client, name="請求書.txt", size=len(samples.TEXT))
    assert ticket.status_code == 201
    body = ticket.json()
    assert set(body) == {
        "file_id",
        "method",
        "url",
        "headers",
        "part_size",
        "part_count",
        "expires_at",
    }
    assert (body["method"], body["part_size"], body["part_count"]) == ("put", None, None)
    assert body["headers"] == {"Content-Type": "text/plain"}
    [file] = files_of(tenant)
    assert str(file.pk) == body["file_id"]
    assert (file.state, file.name, file.size, file.uploader_id) == (
        "uploading",
        "請求書.txt",
        len(samples.TEXT),
        member.user_id,
    )
    assert file.key == f"{tenant_prefix(tenant)}/incoming/{file.pk}"
    # The name is never part of the key or the URL.
    assert "請求書" not in body["url"]
    assert "%E8%AB%8B" not in body["url"]

    assert put(body, samples.TEXT).status_code == 200
    done = complete(member_client, body["file_id"])
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "uploaded"
    assert done.json()["detected_type"] == "text/plain"
    [file] = files_of(tenant)
    assert file.state == "uploaded"
    assert file.etag == store.head(file.key)[1].strip('"')
    assert scan_jobs(tenant) == [("file.scan", {"file_id": str(file.pk)})]


def test_complete_twice_answers_the_same_and_schedules_one_scan(tenant, member_client):
    first = upload(member_client, samples.TEXT)
    again = complete(member_client, first.json()["id"])
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert len(scan_jobs(tenant)) == 1


def test_complete_before_the_bytes_arrive_leaves_the_upload_open(tenant, member_client):
    ticket = initiate(member_client, name="a.txt", size=len(samples.TEXT)).json()
    early = complete(member_client, ticket["file_id"])
    assert early.status_code == 409
    assert early.json() == {
        "status": 409,
        "code": "upload_incomplete",
        "message": "The file has not reached the store yet.",
        "errors": {},
    }
    assert put(ticket, samples.TEXT).status_code == 200
    assert complete(member_client, ticket["file_id"]).json()["state"] == "uploaded"


def test_a_put_longer_or_of_another_type_than_declared_is_refused_by_the_store(
    tenant, member_client
):
    ticket = initiate(member_client, name="a.txt", size=len(samples.TEXT)).json()
    longer = requests.put(ticket["url"], data=samples.TEXT + b"!", headers=ticket["headers"])
    other_type = requests.put(
        ticket["url"], data=samples.TEXT, headers={"Content-Type": "text/html"}
    )
    assert (longer.status_code, other_type.status_code) == (403, 403)
    assert store.head(files_of(tenant)[0].key) is None


def test_the_put_url_lives_five_minutes(tenant, member_client):
    """A pre-signed PUT cannot be revoked: it lives as long as a client needs to begin."""
    before = timezone.now()
    ticket = initiate(member_client, name="a.txt", size=len(samples.TEXT)).json()
    query = parse_qs(urlsplit(ticket["url"]).query)
    assert query["X-Amz-Expires"] == ["300"]
    expires_at = datetime.fromisoformat(ticket["expires_at"])
    assert before + timedelta(seconds=300) <= expires_at <= timezone.now() + timedelta(seconds=300)


def test_an_expired_url_is_refused_by_the_store(tenant, member_client, settings):
    settings.FILES_PUT_URL_EXPIRE = 1
    ticket = initiate(member_client, name="late.txt", size=len(samples.TEXT)).json()
    time.sleep(2.1)
    assert put(ticket, samples.TEXT).status_code == 403
    assert store.head(files_of(tenant)[0].key) is None


# --- after completion: the bytes checked are the bytes kept ------------------------------


def html_as_long_as(data: bytes) -> bytes:
    html = b"<html><script>alert(document.cookie)</script></html>"
    assert len(data) >= len(html)
    return html + b" " * (len(data) - len(html))


@pytest.mark.parametrize("when", ["before its scan", "once it is ready"])
def test_a_put_after_complete_changes_nothing_kept_and_the_sweep_removes_it(
    tenant, member_client, when
):
    """The pre-signed PUT stays good on its key until it expires: what it sends after the
    completion's check is never read, and the sweep removes it."""
    data = samples.TEXT * 4
    ticket = initiate(member_client, name="note.txt", size=len(data)).json()
    file_id = ticket["file_id"]
    assert put(ticket, data).status_code == 200
    done = complete(member_client, file_id)
    assert (done.status_code, done.json()["state"]) == (200, "uploaded")
    if when == "once it is ready":
        assert run_file_jobs() == ["file.scan:succeeded"]

    swapped = html_as_long_as(data)
    assert put(ticket, swapped).status_code == 200  # the store takes it on the same key
    run_file_jobs()

    file = files_of(tenant)[0]
    assert (file.state, file.detected_type, file.reason) == ("ready", "text/plain", "")
    got = downloaded(member_client, file_id)
    assert (got.content, got.headers["Content-Type"]) == (data, "text/plain")
    # What the second PUT wrote is a stray in the quarantine, outside the quota.
    assert in_store(tenant) == [f"files/{file_id}", f"incoming/{file_id}"]
    assert sweep(tenant) == SweepCounts(strays=1)
    assert in_store(tenant) == [f"files/{file_id}"]
    assert downloaded(member_client, file_id).content == data


def test_a_put_after_complete_is_removed_with_the_file(tenant, member_client):
    data = samples.TEXT * 4
    ticket = initiate(member_client, name="note.txt", size=len(data)).json()
    assert put(ticket, data).status_code == 200
    assert complete(member_client, ticket["file_id"]).status_code == 200
    assert put(ticket, html_as_long_as(data)).status_code == 200
    assert member_client.delete(f"/api/files/{ticket['file_id']}").status_code == 204
    assert in_store(tenant) == []
    assert run_file_jobs() == ["file.scan:succeeded"]
    assert in_store(tenant) == []


def test_a_rejected_upload_leaves_nothing_in_the_store(tenant, member_client):
    response = upload(member_client, html_as_long_as(samples.TEXT * 4))
    assert response.json()["code"] == "upload_rejected"
    assert in_store(tenant) == []


# --- refused at initiate ------------------------------------------------------------------


NAME = "file_name_refused"
TYPE = "file_type_not_allowed"


@pytest.mark.parametrize(
    ("name", "content_type", "refusal"),
    [
        ("../../etc/passwd.txt", "text/plain", (NAME, "A file name cannot contain / or \\.")),
        ("a\nb.txt", "text/plain", (NAME, "A file name cannot contain control characters.")),
        (
            "invoice\u202etxt.exe",
            "text/plain",
            (NAME, "A file name cannot contain characters that reverse the direction of text."),
        ),
        (
            "x" * 296 + ".txt",
            "text/plain",
            (NAME, "A file name can be at most 255 characters long."),
        ),
        ("   ", "text/plain", (NAME, "The file needs a name.")),
        ("page.html", "text/html", (TYPE, None)),
        ("logo.svg", "image/svg+xml", (TYPE, None)),
        ("setup.exe", "application/x-msdownload", (TYPE, None)),
        # An allowed extension does not make markup allowed.
        ("photo.jpg", "text/html", (TYPE, None)),
        ("noextension", "text/plain", (TYPE, None)),
    ],
)
def test_bad_names_and_types_are_refused_and_nothing_is_written(
    tenant, member_client, name, content_type, refusal
):
    code, message = refusal
    if code == TYPE:
        message = f"Files of type {content_type} named {name} cannot be uploaded here."
    response = initiate(member_client, name=name, size=10, content_type=content_type)
    assert response.status_code == 422
    assert response.json() == {"status": 422, "code": code, "message": message, "errors": {}}
    assert files_of(tenant) == []


def test_a_nul_in_the_name_is_refused_by_the_field(tenant, member_client):
    response = initiate(member_client, name="a\x00b.txt", size=10)
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["Null characters are not allowed."]}
    assert files_of(tenant) == []


def test_browsers_own_types_and_none_are_taken_for_allowed_extensions(tenant, member_client):
    for name, declared in [
        ("table.csv", "text/csv"),
        ("archive.zip", "application/x-zip-compressed"),
        ("IMG_0001.HEIC", ""),
        ("notes.md", "text/markdown; charset=utf-8"),
    ]:
        response = initiate(member_client, name=name, size=10, content_type=declared)
        assert response.status_code == 201, (name, response.content)
    assert [f.declared_type for f in files_of(tenant)] == [
        "text/csv",
        "application/x-zip-compressed",
        "application/octet-stream",
        "text/markdown",
    ]


def test_a_malformed_type_is_a_field_error(tenant, member_client):
    response = initiate(member_client, name="a.txt", size=10, content_type="not a type")
    assert response.status_code == 400
    assert response.json()["errors"] == {"content_type": ["Give a MIME type such as image/jpeg."]}


@pytest.fixture
def small_plan(tenant):
    plan = PlanFactory(name="small", max_file_bytes=1000, storage_quota_bytes=2500)
    Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
    return plan


def test_a_file_over_the_plans_largest_is_refused(tenant, member_client, small_plan):
    response = initiate(member_client, name="big.txt", size=1001)
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "code": "file_too_large",
        "message": "This file is larger than 1000\xa0bytes, the largest your plan takes.",
        "errors": {},
    }
    assert initiate(member_client, name="ok.txt", size=1000).status_code == 201


def test_the_quota_counts_files_stored_and_still_uploading(tenant, member_client, small_plan):
    stored = upload(member_client, b"x" * 1000)
    assert stored.json()["state"] == "uploaded"
    assert initiate(member_client, name="b.txt", size=1000).status_code == 201  # uploading
    over = initiate(member_client, name="c.txt", size=501)
    assert over.status_code == 422
    assert over.json() == {
        "status": 422,
        "code": "quota_exceeded",
        "message": (
            "This file does not fit: 2.0\xa0KB of 2.4\xa0KB are in use, 1000\xa0bytes of it "
            "held by uploads not finished yet. Finish or cancel them (DELETE "
            "/api/upload/{id}), or delete files, to make room."
        ),
        "errors": {},
    }
    assert initiate(member_client, name="d.txt", size=500).status_code == 201
    assert len(files_of(tenant)) == 3


def test_the_quota_message_without_uploads_in_progress(tenant, member_client, small_plan):
    for _ in range(2):
        assert upload(member_client, b"x" * 1000).json()["state"] == "uploaded"
    over = initiate(member_client, name="c.txt", size=501)
    assert (over.status_code, over.json()["code"]) == (422, "quota_exceeded")
    assert over.json()["message"] == "This file does not fit: 2.0\xa0KB of 2.4\xa0KB are in use."


def test_uploads_nothing_was_sent_to_give_their_room_back_within_the_hour(
    tenant, member_client, small_plan
):
    """Two uploads begun and never sent hold the company's whole quota only until the
    sweep after an hour."""
    held = [initiate(member_client, name=f"{n}.txt", size=1000).json() for n in (1, 2)]
    over = initiate(member_client, name="c.txt", size=1000)
    assert (over.status_code, over.json()["code"]) == (422, "quota_exceeded")

    assert sweep(tenant, after=timedelta(minutes=59)) == SweepCounts()
    assert sweep(tenant, after=timedelta(minutes=61)) == SweepCounts(unstarted=2)
    assert [(f.state, f.reason) for f in files_of(tenant)] == [
        ("aborted", "Abandoned: nothing was sent within 60 minutes.")
    ] * 2
    assert initiate(member_client, name="c.txt", size=1000).status_code == 201
    late = complete(member_client, held[0]["file_id"])
    assert (late.status_code, late.json()["message"]) == (409, "This upload is aborted.")


@pytest.fixture
def two_open(settings):
    settings.FILES_MAX_OPEN_UPLOADS = 2


TOO_MANY = {
    "status": 409,
    "code": "too_many_open_uploads",
    "message": (
        "You have 2 uploads not finished, the most one person or API key may have. Finish "
        "or cancel them (DELETE /api/upload/{id}) before you start another."
    ),
    "errors": {},
}


def test_a_person_has_a_bounded_number_of_open_uploads(tenant, member, owner, client_of, two_open):
    mine = client_of(member)
    first, second = (initiate(mine, name=f"{n}.txt", size=len(samples.TEXT)).json() for n in "ab")
    refused = initiate(mine, name="c.txt", size=10)
    assert refused.status_code == 409
    assert refused.json() == TOO_MANY
    assert len(files_of(tenant)) == 2
    # Someone else's, and a key's, are theirs.
    assert initiate(client_of(owner), name="d.txt", size=10).status_code == 201
    _key, secret = api_key_create(
        tenant=tenant, name="w", scope="write", actor=Principal.of_membership(owner)
    )
    as_key = api_client(tenant)
    as_key.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert initiate(as_key, name="e.txt", size=10).status_code == 201
    assert initiate(as_key, name="f.txt", size=10).status_code == 201
    assert initiate(as_key, name="g.txt", size=10).json() == TOO_MANY
    in_japanese = api_client(tenant, "ja")
    in_japanese.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert initiate(in_japanese, name="g.txt", size=10).json()["message"] == (
        "終わっていないアップロードが 2 件あり、1 人または 1 つの API キーが同時に持てる上限に"
        "達しています。それらを終えるか取り消して (DELETE /api/upload/{id}) から、次のアップ"
        "ロードを始めてください。"
    )

    # Finishing one, or cancelling one, makes room for another.
    assert put(first, samples.TEXT).status_code == 200
    assert complete(mine, first["file_id"]).json()["state"] == "uploaded"
    assert initiate(mine, name="h.txt", size=10).status_code == 201
    assert initiate(mine, name="i.txt", size=10).json() == TOO_MANY
    assert mine.delete(f"/api/upload/{second['file_id']}").json()["state"] == "aborted"
    assert initiate(mine, name="i.txt", size=10).status_code == 201


def test_open_uploads_are_bounded_at_ten_by_default(tenant, member_client):
    for n in range(10):
        assert initiate(member_client, name=f"{n}.txt", size=10).status_code == 201
    refused = initiate(member_client, name="x.txt", size=10)
    assert (refused.status_code, refused.json()["code"]) == (409, "too_many_open_uploads")
    assert refused.json()["message"].startswith("You have 10 uploads not finished")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "a.txt", "size": 0, "content_type": "text/plain"}, "size"),
        ({"name": "a.txt", "size": -5, "content_type": "text/plain"}, "size"),
        ({"name": "a.txt", "size": 2**63, "content_type": "text/plain"}, "size"),
        ({"size": 5, "content_type": "text/plain"}, "name"),
        ({"name": "a.txt", "size": 5}, "content_type"),
        ({"name": "a.txt", "size": "5", "content_type": ""}, "size"),
        ({"name": 5, "size": 5, "content_type": ""}, "name"),
        ({"name": "a.txt", "size": 5, "content_type": None}, "content_type"),
    ],
)
def test_malformed_initiate_is_a_field_error(tenant, member_client, payload, field):
    response = member_client.post("/api/upload/initiate", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


# --- refused at complete: the file is rejected and its object deleted --------------------


@pytest.mark.parametrize(
    ("data", "named", "reason"),
    [
        (
            samples.ELF,
            ("holiday.jpg", "image/jpeg"),
            (
                "This file is application/x-executable, which is not allowed here with the "
                "name holiday.jpg."
            ),
        ),
        (
            samples.png(),
            ("photo.jpg", "image/jpeg"),
            "This file is image/png, which is not allowed here with the name photo.jpg.",
        ),
        (
            "テキスト".encode("shift_jis") * 50,
            ("notes.txt", "text/plain"),
            "The type of this file is not recognised.",
        ),
        (
            b"<html><script>alert(1)</script></html>",
            ("notes.txt", "text/plain"),
            "This file is text/html, which is not allowed here with the name notes.txt.",
        ),
        (
            samples.jpeg((64, 64), comment=b"<script>alert(document.cookie)</script>"),
            ("photo.jpg", "image/jpeg"),
            "This file is image/jpeg and also the start of another kind of file.",
        ),
        (
            samples.png_bomb(),
            ("huge.png", "image/png"),
            "This image has too many pixels: the limit is 50 megapixels.",
        ),
    ],
    ids=["executable-as-jpg", "png-as-jpg", "unknown", "html-as-txt", "polyglot", "bomb"],
)
def test_a_file_that_is_not_what_it_says_is_rejected_and_deleted(
    tenant, member_client, data, named, reason
):
    name, declared = named
    response = upload(member_client, data, name=name, content_type=declared)
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "code": "upload_rejected",
        "message": reason,
        "errors": {},
    }
    [file] = files_of(tenant)
    assert (file.state, file.reason) == ("rejected", reason)
    assert store.head(file.key) is None
    assert scan_jobs(tenant) == []
    # Completing again says what it is.
    again = complete(member_client, str(file.pk))
    assert (again.status_code, again.json()["code"]) == (409, "conflict")


# --- multipart ----------------------------------------------------------------------------


def test_part_layout_keeps_parts_at_least_5_mib_and_at_most_10000():
    assert part_layout(16 * MIB + 1) == (8 * MIB, 3)
    assert part_layout(5 * 1024 * MIB) == (8 * MIB, 640)
    # 100 GiB would be 12,800 parts of 8 MiB: the parts grow (in whole MiB) instead.
    assert part_layout(100 * 1024 * MIB) == (11 * MIB, 9310)


def test_multipart_in_parallel(tenant, member_client, small_parts):
    data = video(12 * MIB)
    ticket = multipart(member_client, data)
    assert (ticket["method"], ticket["url"], ticket["part_size"], ticket["part_count"]) == (
        "multipart",
        None,
        5 * MIB,
        3,
    )
    parts = chunks(data, ticket["part_size"])
    signed = sign(member_client, ticket["file_id"], [1, 2, 3])
    assert signed.status_code == 200, signed.content
    urls = {p["part_number"]: p for p in signed.json()["parts"]}
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda n: put_part(urls[n], parts[n]), [1, 2, 3]))
    assert [a.status_code for a in answers] == [200, 200, 200]
    etags = [
        {"part_number": n, "etag": a.headers["ETag"]}
        for n, a in zip([1, 2, 3], answers, strict=True)
    ]
    done = complete(member_client, ticket["file_id"], etags)
    assert done.status_code == 200, done.content
    assert (done.json()["state"], done.json()["detected_type"]) == ("uploaded", "video/mp4")
    [file] = files_of(tenant)
    assert store.head(file.key)[0] == len(data)
    assert file.part_etags == [e["etag"].strip('"') for e in etags]


def test_multipart_resumed_from_another_page_load(tenant, member, client_of, small_parts):
    data = video(11 * MIB)
    first_page = client_of(member)
    ticket = multipart(first_page, data)
    parts = chunks(data, ticket["part_size"])
    signed = sign(first_page, ticket["file_id"], [1, 2]).json()["parts"]
    for part in signed:
        assert put_part(part, parts[part["part_number"]]).status_code == 200

    # The laptop was closed; another page load (a new token) asks what the store has.
    later = client_of(member)
    listed = later.get(f"/api/upload/{ticket['file_id']}/parts")
    assert listed.status_code == 200
    body = listed.json()
    assert (body["file_id"], body["part_size"], body["part_count"]) == (
        ticket["file_id"],
        5 * MIB,
        3,
    )
    assert [(p["part_number"], p["size"]) for p in body["parts"]] == [(1, 5 * MIB), (2, 5 * MIB)]
    missing = [n for n in range(1, body["part_count"] + 1) if n not in {1, 2}]
    assert missing == [3]
    [third] = sign(later, ticket["file_id"], missing).json()["parts"]
    assert put_part(third, parts[3]).status_code == 200
    assert complete(later, ticket["file_id"]).json()["state"] == "uploaded"
    assert store.head(files_of(tenant)[0].key)[0] == len(data)


def test_complete_with_missing_or_wrong_parts_leaves_the_upload_open(
    tenant, member_client, small_parts
):
    data = video(11 * MIB)
    ticket = multipart(member_client, data)
    parts = chunks(data, ticket["part_size"])
    signed = {
        p["part_number"]: p
        for p in sign(member_client, ticket["file_id"], [1, 2, 3]).json()["parts"]
    }
    etags = {n: put_part(signed[n], parts[n]).headers["ETag"] for n in (1, 3)}

    missing = complete(member_client, ticket["file_id"])
    assert missing.status_code == 409
    assert missing.json()["code"] == "upload_incomplete"
    assert missing.json()["message"] == "The store does not have parts 2 yet."

    etags[2] = put_part(signed[2], parts[2]).headers["ETag"]
    wrong = [{"part_number": n, "etag": etags[n]} for n in (1, 2)] + [
        {"part_number": 3, "etag": '"0123456789abcdef0123456789abcdef"'}
    ]
    refused = complete(member_client, ticket["file_id"], wrong)
    assert refused.status_code == 409
    assert refused.json()["message"] == "Parts 3 are not the ones the store has."
    assert files_of(tenant)[0].state == "uploading"

    right = [{"part_number": n, "etag": etags[n]} for n in (1, 2, 3)]
    assert complete(member_client, ticket["file_id"], right).json()["state"] == "uploaded"


def test_a_part_url_after_complete_changes_nothing_kept(tenant, member_client, small_parts):
    """Completing a multipart upload ends its upload id. S3 then refuses the part URLs
    (NoSuchUpload); S3Proxy takes a late part aside, where no listing or completion reaches
    it (tests/files/test_store.py): the object checked is untouched and is the one scanned
    and served."""
    data = video(6 * MIB)
    ticket = multipart(member_client, data)
    file_id = ticket["file_id"]
    parts = chunks(data, ticket["part_size"])
    signed = sign(member_client, file_id, [1, 2]).json()["parts"]
    for part in signed:
        assert put_part(part, parts[part["part_number"]]).status_code == 200
    assert complete(member_client, file_id).json()["state"] == "uploaded"
    file = files_of(tenant)[0]
    checked = store.head(file.key)

    late = put_part(signed[0], html_as_long_as(parts[1]))
    assert late.status_code in (200, 404)  # S3Proxy takes it aside; S3 answers NoSuchUpload
    assert store.head(file.key) == checked
    assert complete(member_client, file_id).json()["state"] == "uploaded"
    assert run_file_jobs() == ["file.scan:succeeded"]
    file = files_of(tenant)[0]
    assert (file.state, file.detected_type) == ("ready", "video/mp4")
    assert downloaded(member_client, file_id).content == data
    assert in_store(tenant) == [f"files/{file_id}"]


def test_a_corrupted_part_is_refused_by_the_store_through_its_content_md5(
    tenant, member_client, small_parts
):
    data = video(6 * MIB)
    ticket = multipart(member_client, data)
    parts = chunks(data, ticket["part_size"])
    signed = sign(member_client, ticket["file_id"], [1, 2], [md5(parts[1]), md5(parts[2])])
    assert signed.status_code == 200
    one, two = signed.json()["parts"]
    assert one["headers"] == {"Content-MD5": md5(parts[1])}
    corrupted = bytearray(parts[1])
    corrupted[1000] ^= 0xFF
    refused = put_part(one, bytes(corrupted))
    assert refused.status_code == 400
    assert "<Code>BadDigest</Code>" in refused.text
    # Without the header it was signed with, the store refuses the signature.
    unsigned = requests.put(one["url"], data=parts[1], timeout=30)
    assert unsigned.status_code == 403
    assert put_part(one, parts[1]).status_code == 200
    assert put_part(two, parts[2]).status_code == 200
    assert complete(member_client, ticket["file_id"]).json()["state"] == "uploaded"


def test_a_part_longer_than_agreed_is_refused_by_the_store(tenant, member_client, small_parts):
    data = video(6 * MIB)
    ticket = multipart(member_client, data)
    [one] = sign(member_client, ticket["file_id"], [1]).json()["parts"]
    assert put_part(one, data[: 5 * MIB + 1]).status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "errors"),
    [
        (
            {"part_numbers": [0]},
            400,
            {"part_numbers": ["item 1: Ensure this value is greater than or equal to 1."]},
        ),
        ({"part_numbers": ["1"]}, 400, {"part_numbers": ["item 1: Must be a whole number."]}),
        ({"part_numbers": [1, 1]}, 400, {"part_numbers": ["Ask for each part once."]}),
        (
            {"part_numbers": []},
            400,
            {"part_numbers": ["Ensure this field has at least 1 elements."]},
        ),
        (
            {"part_numbers": [1], "md5s": ["bm90IGFuIG1kNQ=="]},
            400,
            {"md5s": ["item 1: Give each MD5 as the base64 of its 16 bytes."]},
        ),
        # Of the form the schema describes; this upload has three parts.
        ({"part_numbers": [4]}, 422, {"part_numbers": ["This upload has parts 1 to 3."]}),
        (
            {"part_numbers": [1, 2], "md5s": [md5(b"")]},
            422,
            {"md5s": ["Give one MD5 for each part number, or none."]},
        ),
    ],
)
@pytest.mark.usefixtures("tenant", "small_parts")
def test_bad_part_requests_are_field_errors(member_client, body, status, errors):
    ticket = multipart(member_client, video(11 * MIB))
    response = member_client.post(f"/api/upload/{ticket['file_id']}/parts", body, format="json")
    assert response.status_code == status
    assert response.json()["errors"] == errors


def test_bad_parts_given_to_complete_are_flat_field_errors(tenant, member_client):
    ticket = initiate(member_client, name="a.txt", size=5).json()
    response = complete(
        member_client, ticket["file_id"], [{"part_number": 1, "etag": "x"}, {"etag": 0}]
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "parts": [
            "item 2: part_number: This field is required.",
            "item 2: etag: Must be a string.",
        ]
    }


def test_one_put_uploads_have_no_parts(tenant, member_client):
    ticket = initiate(member_client, name="a.txt", size=5).json()
    for response in (
        sign(member_client, ticket["file_id"], [1]),
        member_client.get(f"/api/upload/{ticket['file_id']}/parts"),
    ):
        assert response.status_code == 409
        assert response.json()["message"] == "This upload is one PUT; it has no parts."


def test_abort_drops_the_parts_and_closes_the_upload(tenant, member_client, small_parts):
    data = video(6 * MIB)
    ticket = multipart(member_client, data)
    [one] = sign(member_client, ticket["file_id"], [1]).json()["parts"]
    assert put_part(one, data[: 5 * MIB]).status_code == 200
    [file] = files_of(tenant)
    aborted = member_client.delete(f"/api/upload/{ticket['file_id']}")
    assert aborted.status_code == 200
    assert aborted.json()["state"] == "aborted"
    assert store.parts_list(key=file.key, upload_id=file.upload_id) in (None, [])
    assert list(store.multipart_pending(prefix=file.key)) == []
    assert member_client.delete(f"/api/upload/{ticket['file_id']}").status_code == 200
    for response in (
        complete(member_client, ticket["file_id"]),
        sign(member_client, ticket["file_id"], [2]),
    ):
        assert response.status_code == 409
        assert response.json()["message"] == "This upload is aborted."


def test_a_completed_upload_cannot_be_aborted(tenant, member_client):
    done = upload(member_client, samples.TEXT)
    response = member_client.delete(f"/api/upload/{done.json()['id']}")
    assert response.status_code == 409
    assert response.json()["message"] == "This upload is already complete; delete the file instead."


# --- who ----------------------------------------------------------------------------------


def test_viewers_and_read_only_keys_cannot_upload_write_keys_can(tenant, owner, viewer, client_of):
    assert initiate(client_of(viewer), name="a.txt", size=5).status_code == 403
    _key, read = api_key_create(
        tenant=tenant, name="r", scope="read", actor=Principal.of_membership(owner)
    )
    _key, write = api_key_create(
        tenant=tenant, name="w", scope="write", actor=Principal.of_membership(owner)
    )
    as_read, as_write = api_client(tenant), api_client(tenant)
    as_read.credentials(HTTP_AUTHORIZATION=f"Api-Key {read}")
    as_write.credentials(HTTP_AUTHORIZATION=f"Api-Key {write}")
    refused = initiate(as_read, name="a.txt", size=5)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    done = upload(as_write, samples.TEXT)
    assert done.status_code == 200
    assert (done.json()["uploader"], done.json()["state"]) == (None, "uploaded")
    assert files_of(tenant)[0].api_key_id == _key.pk


def test_someone_elses_upload_is_not_found(tenant, member, client_of, small_parts):
    ticket = multipart(client_of(member), video(6 * MIB))
    colleague = client_of(MembershipFactory(tenant=tenant, role="admin"))
    for response in (
        sign(colleague, ticket["file_id"], [1]),
        colleague.get(f"/api/upload/{ticket['file_id']}/parts"),
        colleague.delete(f"/api/upload/{ticket['file_id']}"),
        complete(colleague, ticket["file_id"]),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert files_of(tenant)[0].state == "uploading"


def test_another_companys_upload_is_not_found(tenant, other_tenant, member, client_of, small_parts):
    stranger = MembershipFactory(tenant=other_tenant, role="owner")
    outsider = client_of(stranger, on=other_tenant)
    outsider_here = client_of(stranger)
    ticket = multipart(client_of(member), video(6 * MIB))
    for response in (
        sign(outsider, ticket["file_id"], [1]),
        outsider.get(f"/api/upload/{ticket['file_id']}/parts"),
        outsider.delete(f"/api/upload/{ticket['file_id']}"),
        complete(outsider, ticket["file_id"]),
        outsider.get(f"/api/files/{ticket['file_id']}"),
    ):
        assert response.status_code == 404
    # Their token on this company's host is refused before anything is read.
    assert sign(outsider_here, ticket["file_id"], [1]).status_code == 403
