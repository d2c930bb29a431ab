import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from apps.notifications.services import notification_create
from tests.accounts.factories import MembershipFactory
from tests.api import bearer, login

pytestmark = pytest.mark.django_db


def test_list_mark_read_and_read_all_touch_only_your_own(tenant, member):
    other = MembershipFactory(tenant=tenant)
    with schema_context(tenant.schema_name):
        first = notification_create(user=member.user, kind="test", title="one", email=False)
        notification_create(user=member.user, kind="test", title="two", email=False)
        theirs = notification_create(user=other.user, kind="test", title="theirs", email=False)
    client = bearer(tenant, login(tenant, member)["access_token"])
    listed = client.get("/api/notifications").json()
    assert listed["unread"] == 2
    assert [n["title"] for n in listed["results"]] == ["two", "one"]
    assert client.post(f"/api/notifications/{theirs.pk}/read").status_code == 404
    read = client.post(f"/api/notifications/{first.pk}/read")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert [n["title"] for n in client.get("/api/notifications?unread=true").json()["results"]] == [
        "two"
    ]
    assert client.post("/api/notifications/read-all").status_code == 204
    assert client.get("/api/notifications").json()["unread"] == 0


def make_notifications(tenant, member, count: int) -> list[int]:
    """`count` notifications of `member`; their ids, newest first (the feed's order)."""
    with schema_context(tenant.schema_name):
        made = [
            notification_create(user=member.user, kind="test", title=f"n{i}", email=False)
            for i in range(count)
        ]
    return [notification.pk for notification in reversed(made)]


@pytest.fixture
def client(tenant, member):
    return bearer(tenant, login(tenant, member)["access_token"])


def test_the_feed_walks_by_cursor_forth_and_back(tenant, member, client):
    ids = make_notifications(tenant, member, 5)
    first = client.get("/api/notifications", {"limit": 2}).json()
    assert [n["id"] for n in first.pop("results")] == ids[:2]
    next_cursor = first.pop("next_cursor")
    assert first == {"limit": 2, "previous_cursor": None, "has_more": True, "unread": 5}
    second = client.get("/api/notifications", {"limit": 2, "cursor": next_cursor}).json()
    assert [n["id"] for n in second["results"]] == ids[2:4]
    assert second["has_more"] is True
    last = client.get("/api/notifications", {"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [n["id"] for n in last["results"]] == ids[4:]
    assert (last["next_cursor"], last["has_more"]) == (None, False)
    back = client.get("/api/notifications", {"limit": 2, "cursor": second["previous_cursor"]})
    assert [n["id"] for n in back.json()["results"]] == ids[:2]


def test_the_unread_feed_and_its_cursors(tenant, member, client):
    ids = make_notifications(tenant, member, 4)
    assert client.post(f"/api/notifications/{ids[1]}/read").status_code == 200
    first = client.get("/api/notifications", {"limit": 2, "unread": "true"}).json()
    assert ([n["id"] for n in first["results"]], first["unread"]) == ([ids[0], ids[2]], 3)
    cursor = first["next_cursor"]
    rest = client.get("/api/notifications", {"limit": 2, "unread": "true", "cursor": cursor})
    assert [n["id"] for n in rest.json()["results"]] == [ids[3]]
    # A cursor is a position in the list it was made for, not in another filter's.
    for query in ({"unread": "false"}, {}):
        refused = client.get("/api/notifications", {"limit": 2, "cursor": cursor, **query})
        assert (refused.status_code, refused.json()["code"]) == (422, "invalid_cursor")


@translation.override("en")
def test_a_tampered_cursor_is_422_invalid_cursor(tenant, member, client):
    make_notifications(tenant, member, 3)
    cursor = client.get("/api/notifications", {"limit": 1}).json()["next_cursor"]
    tampered = cursor[:3] + ("A" if cursor[3] != "A" else "B") + cursor[4:]
    response = client.get("/api/notifications", {"limit": 1, "cursor": tampered})
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "code": "invalid_cursor",
        "message": "The cursor is not valid for this list; start again from the first page.",
        "errors": {},
    }


@translation.override("en")
@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"limit": "0"}, {"limit": ["Enter a whole number from 1 to 100."]}),
        ({"limit": "1000"}, {"limit": ["Enter a whole number from 1 to 100."]}),
        ({"unread": "maybe"}, {"unread": ["Must be a valid boolean."]}),
    ],
)
def test_bad_list_parameters_are_400_naming_the_field(tenant, member, client, query, errors):
    response = client.get("/api/notifications", query)
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "invalid",
        "message": "Some fields are not valid.",
        "errors": errors,
    }


@pytest.mark.parametrize("by_cursor", [False, True])
def test_a_page_takes_the_same_queries_at_any_depth(
    tenant, member, client, django_assert_num_queries, by_cursor
):
    make_notifications(tenant, member, 5)
    # Also reads the token's membership into Redis (access_cache) for the request below.
    cursor = client.get("/api/notifications", {"limit": 2}).json()["next_cursor"]
    query = {"limit": 2, "cursor": cursor} if by_cursor else {"limit": 2}
    # The host's tenant, the page and the unread count; plus the two `SET search_path`
    # django-tenants issues when the schema changes.
    with django_assert_num_queries(5):
        response = client.get("/api/notifications", query)
    assert len(response.json()["results"]) == 2
