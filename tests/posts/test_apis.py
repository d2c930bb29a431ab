"""The posts API: posting, scheduling, editing and deleting with the access rules; the feed
in three paging styles; bad input as 400 in the one error shape (422 for what the schema
cannot say)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.jobs.models import Job
from apps.notifications.models import Notification
from apps.posts.models import Post
from tests.accounts.factories import MembershipFactory
from tests.posts.factories import posts_insert

pytestmark = pytest.mark.django_db

KEYS = {
    "id",
    "author",
    "body",
    "state",
    "attachments",
    "publish_at",
    "published_at",
    "created_at",
    "edited_at",
}


def later(**kwargs) -> str:
    return (timezone.now() + timedelta(**kwargs)).isoformat()


def test_a_member_posts_and_everyone_reads_it(tenant, member, viewer, client_of):
    response = client_of(member).post("/api/posts", {"body": "  おはよう  "}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == KEYS
    assert (body["body"], body["state"], body["attachments"]) == ("おはよう", "published", [])
    assert body["author"] == {"id": member.user_id, "full_name": member.user.full_name}
    assert body["published_at"] is not None
    feed = client_of(viewer).get("/api/posts").json()
    assert [p["id"] for p in feed["results"]] == [body["id"]]
    assert (feed["has_more"], feed["next_cursor"], feed["previous_cursor"]) == (False, None, None)


def test_a_draft_is_its_authors_alone_until_published(tenant, member, client_of):
    mine, colleague = client_of(member), client_of(MembershipFactory(tenant=tenant))
    draft = mine.post("/api/posts", {"body": "wip", "draft": True}, format="json").json()
    assert draft["state"] == "draft"
    assert draft["published_at"] is None
    assert colleague.get(f"/api/posts/{draft['id']}").status_code == 404
    assert colleague.get("/api/posts", {"state": "draft"}).json()["results"] == []
    assert [p["id"] for p in mine.get("/api/posts", {"state": "draft"}).json()["results"]] == [
        draft["id"]
    ]
    assert mine.get("/api/posts").json()["results"] == []
    published = mine.patch(f"/api/posts/{draft['id']}", {"publish": True}, format="json")
    assert published.json()["state"] == "published"
    assert colleague.get(f"/api/posts/{draft['id']}").status_code == 200
    again = mine.patch(f"/api/posts/{draft['id']}", {"publish": True}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "conflict")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({}, "body"),
        ({"body": "x", "attachment_ids": ["not-a-uuid"]}, "attachment_ids"),
        ({"body": "x\x00"}, "body"),
        ({"body": "x", "draft": 0}, "draft"),
        ({"body": "x", "draft": "false"}, "draft"),
        ({"body": 5}, "body"),
    ],
)
def test_bad_posts_are_400_naming_the_field(tenant, member, client_of, payload, field):
    response = client_of(member).post("/api/posts", payload, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["errors"])) == ("invalid", [field])
    with schema_context(tenant.schema_name):
        assert not Post.objects.exists()


def test_attachments_that_are_not_ready_files_are_422(tenant, member, client_of):
    """Any UUID is of the form the schema describes; what it names is not a ready file."""
    response = client_of(member).post(
        "/api/posts",
        {"body": "x", "attachment_ids": ["8d7c4b3a-1111-4222-8333-944445555666"]},
        format="json",
    )
    assert response.status_code == 422
    assert (response.json()["code"], list(response.json()["errors"])) == (
        "invalid",
        ["attachment_ids"],
    )
    with schema_context(tenant.schema_name):
        assert not Post.objects.exists()


def test_ten_thousand_characters_are_a_post(tenant, member, client_of):
    response = client_of(member).post("/api/posts", {"body": "あ" * 10_000}, format="json")
    assert response.status_code == 201
    assert len(response.json()["body"]) == 10_000


def test_viewers_and_api_keys_read_but_do_not_post(tenant, viewer, client_of):
    response = client_of(viewer).post("/api/posts", {"body": "x"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    scheduled = client_of(viewer).post(
        "/api/posts/schedule", {"body": "x", "publish_at": later(hours=1)}, format="json"
    )
    assert scheduled.status_code == 403
    assert client_of(viewer).get("/api/posts").status_code == 200


def test_authors_change_their_own_admins_any(tenant, member, owner, client_of):
    post = client_of(member).post("/api/posts", {"body": "one"}, format="json").json()
    other = client_of(MembershipFactory(tenant=tenant))
    refused = other.patch(f"/api/posts/{post['id']}", {"body": "two"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert other.delete(f"/api/posts/{post['id']}").status_code == 403
    edited = client_of(member).patch(f"/api/posts/{post['id']}", {"body": "two"}, format="json")
    assert edited.status_code == 200
    assert edited.json()["body"] == "two"
    assert edited.json()["edited_at"] is not None
    admin = client_of(MembershipFactory(tenant=tenant, role="admin"))
    assert admin.patch(f"/api/posts/{post['id']}", {"body": "3"}, format="json").status_code == 200
    assert client_of(owner).delete(f"/api/posts/{post['id']}").status_code == 204
    with schema_context(tenant.schema_name):
        assert not Post.objects.exists()


def test_another_companys_post_is_404(tenant, other_tenant, member, client_of):
    stranger = client_of(MembershipFactory(tenant=other_tenant, role="owner"), on=other_tenant)
    post = client_of(member).post("/api/posts", {"body": "ours"}, format="json").json()
    for call in (stranger.get, stranger.delete):
        assert call(f"/api/posts/{post['id']}").status_code == 404
    assert (
        stranger.patch(f"/api/posts/{post['id']}", {"body": "x"}, format="json").status_code == 404
    )
    assert stranger.get("/api/posts").json()["results"] == []


def test_a_mention_notifies_the_person_once(tenant, other_tenant, member, client_of):
    hanako = MembershipFactory(tenant=tenant, user__email="hanako@example.com")
    MembershipFactory(tenant=tenant, user__email="taro@a.example")
    MembershipFactory(tenant=tenant, user__email="taro@b.example")  # @taro is ambiguous
    stranger = MembershipFactory(tenant=other_tenant, user__email="jiro@example.com")
    body = "会議です @hanako と @taro, @jiro@example.com."
    post = client_of(member).post("/api/posts", {"body": body}, format="json").json()
    client_of(member).patch(f"/api/posts/{post['id']}", {"body": body + "!"}, format="json")
    with schema_context(tenant.schema_name):
        notes = list(Notification.objects.filter(kind="mention").values_list("user_id", "link"))
    assert notes == [(hanako.user_id, f"/feed/{post['id']}")]
    assert stranger.user_id not in [n[0] for n in notes]


def test_scheduling_makes_a_job_and_cancel_cancels_it(tenant, member, client_of):
    at = later(hours=2)
    response = client_of(member).post(
        "/api/posts/schedule", {"body": "朝礼", "publish_at": at}, format="json"
    )
    assert response.status_code == 201
    post = response.json()
    assert (post["state"], post["published_at"]) == ("scheduled", None)
    with schema_context(tenant.schema_name):
        job_id = Post.objects.get(pk=post["id"]).job_id
    job = Job.objects.get(pk=job_id)
    assert (job.kind, job.tenant_id, job.payload) == (
        "post.publish",
        tenant.pk,
        {"post_id": post["id"]},
    )

    moved = later(hours=5)
    response = client_of(member).patch(
        f"/api/posts/schedule/{post['id']}", {"publish_at": moved}, format="json"
    )
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.run_at == datetime.fromisoformat(response.json()["publish_at"])

    cancelled = client_of(member).delete(f"/api/posts/schedule/{post['id']}")
    assert (cancelled.status_code, cancelled.json()["state"]) == (200, "cancelled")
    job.refresh_from_db()
    assert job.state == "cancelled"
    again = client_of(member).delete(f"/api/posts/schedule/{post['id']}")
    assert (again.status_code, again.json()["code"]) == (409, "conflict")


def test_a_published_post_cannot_be_rescheduled_or_cancelled(tenant, member, client_of):
    post = client_of(member).post("/api/posts", {"body": "now"}, format="json").json()
    url = f"/api/posts/schedule/{post['id']}"
    assert client_of(member).delete(url).status_code == 409
    response = client_of(member).patch(url, {"publish_at": later(hours=1)}, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("publish_at", "status"),
    [
        ("2020-01-01T09:00:00+09:00", 422),  # a time, but past
        ("later-400", 422),
        ("not a time", 400),
        ("", 400),
        (1767225600, 400),
    ],
)
def test_publish_at_in_the_past_or_too_far_is_refused(
    tenant, member, client_of, publish_at, status
):
    """Not a time: 400, as the schema says; a time not within the next year: 422 (the
    schema cannot say what now is)."""
    if publish_at == "later-400":
        publish_at = later(days=400)
    response = client_of(member).post(
        "/api/posts/schedule", {"body": "x", "publish_at": publish_at}, format="json"
    )
    assert response.status_code == status
    assert list(response.json()["errors"]) == ["publish_at"]
    with schema_context(tenant.schema_name):
        assert not Post.objects.exists()
    assert not Job.objects.filter(kind="post.publish").exists()


# The feed's pages -------------------------------------------------------------------------


@pytest.fixture
def thirty(tenant, member):
    with schema_context(tenant.schema_name):
        posts_insert(author=member.user, count=30)
        return list(Post.objects.order_by("-published_at", "-id").values_list("pk", flat=True))


def test_offset_pages_with_an_exact_total(tenant, member, client_of, thirty):
    client = client_of(member)
    page = client.get("/api/posts", {"page": 2, "limit": 20}).json()
    assert {k: v for k, v in page.items() if k != "results"} == {
        "page": 2,
        "limit": 20,
        "total": 30,
        "total_is_estimate": False,
        "total_pages": 2,
        "has_next": False,
        "has_previous": True,
    }
    assert [p["id"] for p in page["results"]] == thirty[20:]
    past = client.get("/api/posts", {"page": 9}).json()
    assert (past["results"], past["has_next"], past["total"]) == ([], False, 30)


def test_keyset_and_offset_orders_agree(tenant, member, client_of, thirty):
    client = client_of(member)
    by_offset = [
        p["id"]
        for n in (1, 2, 3, 4)
        for p in client.get("/api/posts", {"page": n, "limit": 8}).json()["results"]
    ]
    by_keyset, after = [], ""
    while True:
        page = client.get("/api/posts", {"limit": 8, "after": after}).json()
        by_keyset += [p["id"] for p in page["results"]]
        after = page["next_after"]
        if not page["has_next"]:
            break
    by_cursor, cursor = [], None
    while True:
        page = client.get(
            "/api/posts", {"limit": 8} | ({"cursor": cursor} if cursor else {})
        ).json()
        by_cursor += [p["id"] for p in page["results"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert by_offset == by_keyset == by_cursor == thirty


def test_a_page_costs_the_same_queries_however_deep(
    tenant, member, client_of, thirty, django_assert_num_queries
):
    client = client_of(member)
    cursor, after = None, ""
    for _ in range(4):  # four pages down
        cursor = client.get("/api/posts", {"limit": 5, "cursor": cursor or ""}).json()[
            "next_cursor"
        ]
        after = client.get("/api/posts", {"limit": 5, "after": after}).json()["next_after"]
    # The host's tenant, the page with its authors, the attachments of its posts; plus the
    # two `SET search_path` django-tenants issues when the schema changes. Authentication
    # is served from the access cache.
    for query in (
        {"limit": 5},
        {"limit": 5, "cursor": cursor},
        {"limit": 5, "after": ""},
        {"limit": 5, "after": after},
        {"limit": 5, "page": 6},  # the last page: its length gives the total
    ):
        with django_assert_num_queries(5):
            response = client.get("/api/posts", query)
        assert [p["id"] for p in response.json()["results"]] in (
            thirty[:5],
            thirty[20:25],
            thirty[25:],
        )
    # A page with more after it counts the rest, bounded.
    with django_assert_num_queries(6):
        assert client.get("/api/posts", {"limit": 5, "page": 3}).json()["total"] == 30


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "abc"}, "page"),
        ({"limit": 0}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"after": "garbage"}, "after"),
        ({"cursor": "not a cursor"}, "cursor"),
        ({"state": "deleted"}, "state"),
        ({"since": "yesterday"}, "since"),
        ({"author": "me"}, "author"),
    ],
)
def test_bad_paging_is_400_naming_the_field(tenant, member, client_of, query, field):
    response = client_of(member).get("/api/posts", query)
    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["errors"])) == ("invalid", [field])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": 1, "cursor": "x"}, "cursor"),
        ({"cursor": "", "after": ""}, "after"),
        ({"page": 2, "after": "2026-11-01T12:00:00Z_5"}, "after"),
    ],
)
def test_two_ways_of_paging_at_once_are_422(tenant, member, client_of, query, field):
    """Each parameter is one the schema allows; together they are not, which a schema's
    parameters cannot say: 422, documented on the operation."""
    response = client_of(member).get("/api/posts", query)
    assert response.status_code == 422
    assert (response.json()["code"], list(response.json()["errors"])) == ("invalid", [field])


def test_bad_cursors_are_422_invalid_cursor(tenant, other_tenant, member, client_of, thirty):
    elsewhere = client_of(MembershipFactory(tenant=other_tenant), on=other_tenant)
    client = client_of(member)
    cursor = client.get("/api/posts", {"limit": 5}).json()["next_cursor"]
    for attempt, query in [
        (client, {"cursor": cursor[:-3] + "abc"}),  # tampered
        (client, {"cursor": cursor[:20]}),  # truncated
        (client, {"cursor": "random-garbage"}),
        (client, {"cursor": cursor, "author": member.user_id}),  # other filters
        (client, {"cursor": cursor, "state": "draft"}),
        (elsewhere, {"cursor": cursor}),  # another company
    ]:
        response = attempt.get("/api/posts", query)
        assert (response.status_code, response.json()["code"]) == (422, "invalid_cursor"), query
    # Another list's cursor: the notifications feed is paged by cursor too.
    response = client.get("/api/posts", {"cursor": cursor})
    assert response.status_code == 200, response.json()


def test_filters_by_author_and_time(tenant, member, client_of, thirty):
    other = MembershipFactory(tenant=tenant)
    client = client_of(other)
    mine = client.post("/api/posts", {"body": "mine"}, format="json").json()
    assert [
        p["id"] for p in client.get("/api/posts", {"author": other.user_id}).json()["results"]
    ] == [mine["id"]]
    since = client.get("/api/posts", {"since": mine["published_at"]}).json()["results"]
    assert [p["id"] for p in since] == [mine["id"]]
    until = client.get("/api/posts", {"until": mine["published_at"], "limit": 100}).json()
    assert [p["id"] for p in until["results"]] == thirty
