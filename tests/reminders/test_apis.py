"""The reminders API: validation in the one error shape, own reminders only, cancel rules."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.services import api_key_create
from apps.jobs.models import Job
from apps.reminders.models import Reminder
from tests.api import api_client, bearer, login
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of(tenant):
    def make(membership):
        return bearer(tenant, login(tenant, membership)["access_token"])

    return make


def test_create_with_delay(tenant, member, client_of):
    before = timezone.now()
    response = client_of(member).post(
        "/api/reminders", {"message": "会議開始", "delay": 1800}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "message", "execute_at", "status", "sent_at"}
    assert body["message"] == "会議開始"
    assert body["status"] == "scheduled"
    assert body["sent_at"] is None
    with schema_context(tenant.schema_name):
        reminder = Reminder.objects.get(pk=body["id"])
    assert 1799 <= (reminder.remind_at - before).total_seconds() <= 1801
    job = Job.objects.get(pk=reminder.job_id)
    assert (job.kind, job.tenant_id, job.run_at) == ("reminder.send", tenant.pk, reminder.remind_at)


def test_create_at_a_time(tenant, member, client_of):
    at = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    response = client_of(member).post(
        "/api/reminders", {"message": "x", "remind_at": at.isoformat()}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"message": "", "delay": 60}, "message"),
        ({"message": "   ", "delay": 60}, "message"),
        ({"message": "x", "delay": 0}, "delay"),
        ({"message": "x", "delay": 400 * 24 * 3600}, "delay"),
        ({"message": "x", "remind_at": "2020-01-01T09:00:00+09:00"}, "remind_at"),
        ({"message": "x" * 501, "delay": 60}, "message"),
        ({"message": "x", "remind_at": "not a time"}, "remind_at"),
    ],
)
def test_bad_input_is_400_with_the_field(tenant, member, client_of, payload, field):
    response = client_of(member).post("/api/reminders", payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    with schema_context(tenant.schema_name):
        assert not Reminder.objects.exists()
    assert not Job.objects.filter(kind="reminder.send").exists()


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        # Found by schemathesis: once an OverflowError (500) in the date arithmetic.
        (
            {"delay": 249317654908954},
            {"delay": ["Ensure this value is less than or equal to 31622400."]},
        ),
        (
            {"remind_at": "9999-12-31T23:59:59-14:00"},
            {"remind_at": ["Datetime value out of range."]},
        ),
        # Without an offset, placed in the current time zone: DRF itself overflowed there.
        ({"remind_at": "0001-01-01T00:00:00"}, {"remind_at": ["Datetime value out of range."]}),
        (
            {"remind_at": "9999-12-31T23:59:59"},
            {"remind_at": ["Reminders can be set at most a year ahead."]},
        ),
    ],
)
def test_times_out_of_range_are_400_not_500(tenant, member, client_of, payload, error):
    response = client_of(member).post("/api/reminders", {"message": "x", **payload}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "invalid",
        "message": "Some fields are not valid.",
        "errors": error,
    }


@pytest.mark.parametrize("both", [True, False])
def test_delay_and_time_together_or_neither_are_refused(tenant, member, client_of, both):
    """The schema says one or the other (`oneOf`); the API refuses both and neither."""
    at = (timezone.now() + timedelta(hours=1)).isoformat()
    payload = {"message": "x", "delay": 60, "remind_at": at} if both else {"message": "x"}
    response = client_of(member).post("/api/reminders", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "invalid",
        "message": "Give either a delay in seconds or a time (remind_at), not both.",
        "errors": {},
    }
    with schema_context(tenant.schema_name):
        assert not Reminder.objects.exists()


def test_people_see_only_their_own(tenant, member, client_of):
    other = MembershipFactory(tenant=tenant)
    mine = client_of(member).post("/api/reminders", {"message": "mine", "delay": 60}, format="json")
    theirs = client_of(other).post(
        "/api/reminders", {"message": "theirs", "delay": 60}, format="json"
    )
    listed = client_of(member).get("/api/reminders").json()
    assert [r["message"] for r in listed] == ["mine"]
    assert client_of(member).get(f"/api/reminders/{theirs.json()['id']}").status_code == 404
    assert client_of(member).delete(f"/api/reminders/{theirs.json()['id']}").status_code == 404
    assert client_of(member).get(f"/api/reminders/{mine.json()['id']}").status_code == 200


def test_list_takes_two_queries_however_long(tenant, member, client_of, django_assert_num_queries):
    client = client_of(member)
    for i in range(5):
        client.post("/api/reminders", {"message": f"r{i}", "delay": 60 + i}, format="json")
    # The host's tenant and the list; plus the two `SET search_path` django-tenants issues
    # when the schema changes. The token's membership comes from Redis (access_cache).
    with django_assert_num_queries(4):
        assert len(client.get("/api/reminders").json()) == 5


def test_cancel_then_cancel_again_is_409(tenant, member, client_of):
    client = client_of(member)
    created = client.post("/api/reminders", {"message": "x", "delay": 60}, format="json").json()
    cancelled = client.delete(f"/api/reminders/{created['id']}")
    # The cancelled reminder, as the schema documents (200, not 204).
    assert cancelled.status_code == 200
    assert cancelled.json() == {**created, "status": "cancelled"}
    again = client.delete(f"/api/reminders/{created['id']}")
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


def test_viewers_and_api_keys_cannot_create(tenant, viewer, owner, client_of):
    response = client_of(viewer).post(
        "/api/reminders", {"message": "x", "delay": 60}, format="json"
    )
    assert response.status_code == 403
    _key, raw = api_key_create(tenant=tenant, name="K", scope="write", actor=owner)
    keyed = api_client(tenant)
    keyed.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert (
        keyed.post("/api/reminders", {"message": "x", "delay": 60}, format="json").status_code
        == 403
    )
