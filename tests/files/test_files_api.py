"""The files API: the company's list (a page at a time, filters, pinned queries), one file,
its download, deleting it with its objects; who may do which."""

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from apps.files import store
from apps.files.models import File
from tests.accounts.factories import MembershipFactory
from tests.files import samples
from tests.files.uploading import initiate, run_file_jobs, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(member, client_of):
    return client_of(member)


def ready(client, data: bytes, **kwargs) -> str:
    file_id = upload(client, data, **kwargs).json()["id"]
    run_file_jobs()
    return file_id


def test_the_list_is_the_companys_newest_first_a_page_at_a_time(tenant, member, client_of):
    mine, colleague = client_of(member), client_of(MembershipFactory(tenant=tenant))
    first = ready(mine, samples.TEXT, name="a.txt")
    second = ready(colleague, samples.PDF, name="b.pdf", content_type="application/pdf")
    third = initiate(mine, name="c.txt", size=5).json()["file_id"]
    aborted = initiate(mine, name="d.txt", size=5).json()["file_id"]
    assert mine.delete(f"/api/upload/{aborted}").status_code == 200

    viewer = client_of(MembershipFactory(tenant=tenant, role="viewer"))
    page = viewer.get("/api/files", {"limit": 2})
    assert page.status_code == 200
    body = page.json()
    assert [f["id"] for f in body.pop("results")] == [third, second]
    assert body == {
        "page": 1,
        "limit": 2,
        "total": 3,
        "total_is_estimate": False,
        "total_pages": 2,
        "has_next": True,
        "has_previous": False,
    }
    second_page = viewer.get("/api/files?limit=2&page=2").json()
    assert [f["id"] for f in second_page["results"]] == [first]
    assert (second_page["total"], second_page["has_next"], second_page["has_previous"]) == (
        3,
        False,
        True,
    )
    past = viewer.get("/api/files?page=3&limit=2").json()
    assert (past["results"], past["total"], past["has_next"]) == ([], 3, False)
    assert [f["id"] for f in viewer.get("/api/files?state=aborted").json()["results"]] == [aborted]
    assert [f["id"] for f in viewer.get("/api/files?type=application").json()["results"]] == [
        second
    ]
    assert [f["id"] for f in viewer.get("/api/files?type=text/plain").json()["results"]] == [first]
    assert [f["id"] for f in viewer.get("/api/files?state=uploading").json()["results"]] == [third]


@translation.override("en")
@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"page": "0"}, {"page": ["Enter a whole number from 1 to 1000000."]}),
        ({"limit": "1000"}, {"limit": ["Enter a whole number from 1 to 100."]}),
        ({"limit": "101"}, {"limit": ["Enter a whole number from 1 to 100."]}),
        ({"state": "lost"}, {"state": ['"lost" is not a valid choice.']}),
    ],
)
def test_bad_list_parameters_are_400_naming_the_field(member_client, query, errors):
    response = member_client.get("/api/files", query)
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "invalid",
        "message": "Some fields are not valid.",
        "errors": errors,
    }


def test_one_file_as_the_api_shows_it(tenant, member, member_client):
    file_id = ready(member_client, samples.TEXT, name="メモ.txt")
    body = member_client.get(f"/api/files/{file_id}").json()
    created, processed = body.pop("created_at"), body.pop("processed_at")
    assert created is not None
    assert processed is not None
    assert body.pop("uploaded_at") is not None
    assert body == {
        "id": file_id,
        "name": "メモ.txt",
        "size": len(samples.TEXT),
        "declared_type": "text/plain",
        "detected_type": "text/plain",
        "state": "ready",
        "reason": "",
        "method": "put",
        "width": None,
        "height": None,
        "uploader": {"id": member.user_id, "full_name": member.user.full_name},
        "display_url": None,
        "thumbnail_url": None,
    }


@pytest.mark.parametrize(
    ("count", "query", "queries"),
    [
        # The page alone: shorter than the limit, its length is the total.
        (1, {}, 4),
        (5, {}, 4),
        # The page and a bounded count, since more follow (or came before).
        (5, {"limit": 2}, 5),
        (5, {"limit": 2, "page": 2}, 5),
    ],
)
def test_a_page_takes_the_same_queries_for_one_file_or_many(
    member_client, django_assert_num_queries, count, query, queries
):
    for n in range(count):
        initiate(member_client, name=f"{n}.txt", size=5)
    # The host's tenant and the page with its uploaders (and the count); plus the two
    # `SET search_path` django-tenants issues when the schema changes.
    with django_assert_num_queries(queries):
        response = member_client.get("/api/files", query)
    assert len(response.json()["results"]) == min(count, query.get("limit", 20))


def test_download_is_for_ready_files_only(tenant, member_client):
    waiting = upload(member_client, samples.TEXT).json()["id"]
    response = member_client.get(f"/api/files/{waiting}/download")
    assert response.status_code == 409
    assert response.json()["message"] == (
        "This file is uploaded; only ready files can be downloaded."
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("uploader", 204), ("admin", 204), ("owner", 204), ("member", 403), ("viewer", 403)],
)
def test_the_uploader_or_an_admin_deletes_with_its_objects(tenant, member, client_of, role, status):
    file_id = ready(
        client_of(member), samples.jpeg((400, 300)), name="p.jpg", content_type="image/jpeg"
    )
    with schema_context(tenant.schema_name):
        file = File.objects.get(pk=file_id)
    keys = [file.key, file.display_key, file.thumbnail_key]
    assert all(store.head(key) is not None for key in keys)
    actor = member if role == "uploader" else MembershipFactory(tenant=tenant, role=role)
    response = client_of(actor).delete(f"/api/files/{file_id}")
    assert response.status_code == status
    with schema_context(tenant.schema_name):
        assert File.objects.filter(pk=file_id).exists() is (status == 403)
    assert [store.head(key) is None for key in keys] == [status == 204] * 3
    if role == "member":
        assert response.json()["message"] == "Only its uploader or an admin deletes this file."


def test_deleting_an_upload_in_progress_aborts_it_in_the_store(tenant, member_client, settings):
    settings.FILES_SINGLE_PUT_MAX_BYTES = 10
    ticket = initiate(member_client, name="v.txt", size=6 * 1024 * 1024).json()
    member_client.post(
        f"/api/upload/{ticket['file_id']}/parts", {"part_numbers": [1]}, format="json"
    )
    with schema_context(tenant.schema_name):
        file = File.objects.get(pk=ticket["file_id"])
    assert store.parts_list(key=file.key, upload_id=file.upload_id) == []
    assert [u.upload_id for u in store.multipart_pending(prefix=file.key)] == [file.upload_id]
    assert member_client.delete(f"/api/files/{file.pk}").status_code == 204
    assert list(store.multipart_pending(prefix=file.key)) == []


def test_another_companys_file_is_not_found(tenant, other_tenant, member, client_of):
    stranger = client_of(MembershipFactory(tenant=other_tenant, role="owner"), on=other_tenant)
    file_id = ready(client_of(member), samples.TEXT)
    for path in (f"/api/files/{file_id}", f"/api/files/{file_id}/download"):
        assert stranger.get(path).status_code == 404
    assert stranger.delete(f"/api/files/{file_id}").status_code == 404
    assert stranger.get("/api/files").json()["total"] == 0
