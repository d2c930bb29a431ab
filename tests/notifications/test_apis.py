import pytest
from django_tenants.utils import schema_context

from apps.notifications.services import notification_create
from tests.api import bearer, login
from tests.factories import MembershipFactory

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


def test_limit_is_validated(tenant, member):
    client = bearer(tenant, login(tenant, member)["access_token"])
    response = client.get("/api/notifications?limit=0")
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]
