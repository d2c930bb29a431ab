"""The reminders API: validation in the one error shape, own reminders only, cancel rules."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.accounts.services import api_key_create
from apps.jobs.models import Job
from apps.reminders.models import Reminder
from apps.reminders.services import reminder_create
from tests.accounts.factories import MembershipFactory
from tests.api import api_client, bearer, login

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
        ({"message": "x" * 501, "delay": 60}, "message"),
        ({"message": "x", "remind_at": "not a time"}, "remind_at"),
        ({"message": 0, "delay": 60}, "message"),
        ({"message": "x", "delay": "60"}, "delay"),
        ({"message": "x", "delay": 60.5}, "delay"),
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


@translation.override("en")
@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (
            {"remind_at": "2020-01-01T09:00:00+09:00"},
            {"remind_at": ["Choose a time in the future."]},
        ),
        (
            {"remind_at": "9999-12-31T23:59:59"},
            {"remind_at": ["Reminders can be set at most a year ahead."]},
        ),
    ],
)
def test_a_time_not_within_the_next_year_is_422(tenant, member, client_of, payload, error):
    """A time, as the schema says; not one a reminder can be set at now (which the schema
    cannot say)."""
    response = client_of(member).post("/api/reminders", {"message": "x", **payload}, format="json")
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "code": "invalid",
        "message": "Some fields are not valid.",
        "errors": error,
    }
    with schema_context(tenant.schema_name):
        assert not Reminder.objects.exists()


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
    assert [r["message"] for r in listed["results"]] == ["mine"]
    assert client_of(member).get(f"/api/reminders/{theirs.json()['id']}").status_code == 404
    assert client_of(member).delete(f"/api/reminders/{theirs.json()['id']}").status_code == 404
    assert client_of(member).get(f"/api/reminders/{mine.json()['id']}").status_code == 200


def make_reminders(tenant, member, count: int) -> list[int]:
    """`count` reminders of `member`, the first due soonest; their ids, latest first (the
    list's order)."""
    with schema_context(tenant.schema_name):
        made = [
            reminder_create(
                tenant=tenant, actor=Principal.of_membership(member), message=f"r{i}", delay=60 + i
            )
            for i in range(count)
        ]
    return [reminder.pk for reminder in reversed(made)]


def test_the_list_is_latest_first_a_page_at_a_time(tenant, member, client_of):
    ids = make_reminders(tenant, member, 5)
    client = client_of(member)
    first = client.get("/api/reminders", {"limit": 2}).json()
    assert [r["id"] for r in first.pop("results")] == ids[:2]
    assert first == {
        "page": 1,
        "limit": 2,
        "total": 5,
        "total_is_estimate": False,
        "total_pages": 3,
        "has_next": True,
        "has_previous": False,
    }
    second = client.get("/api/reminders", {"limit": 2, "page": 2}).json()
    assert [r["id"] for r in second["results"]] == ids[2:4]
    assert (second["has_next"], second["has_previous"]) == (True, True)
    last = client.get("/api/reminders", {"limit": 2, "page": 3}).json()
    assert [r["id"] for r in last["results"]] == ids[4:]
    assert (last["total"], last["has_next"]) == (5, False)
    past = client.get("/api/reminders", {"limit": 2, "page": 4}).json()
    assert (past["results"], past["total"], past["has_next"]) == ([], 5, False)


def test_the_list_filters_by_status(tenant, member, client_of):
    ids = make_reminders(tenant, member, 3)
    client = client_of(member)
    assert client.delete(f"/api/reminders/{ids[1]}").status_code == 200
    cancelled = client.get("/api/reminders", {"status": "cancelled"}).json()
    assert ([r["id"] for r in cancelled["results"]], cancelled["total"]) == ([ids[1]], 1)
    scheduled = client.get("/api/reminders", {"status": "scheduled"}).json()
    assert [r["id"] for r in scheduled["results"]] == [ids[0], ids[2]]
    assert client.get("/api/reminders", {"status": "sent"}).json()["results"] == []


@translation.override("en")
@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"page": "0"}, {"page": ["Enter a whole number from 1 to 1000000."]}),
        ({"limit": "1000"}, {"limit": ["Enter a whole number from 1 to 100."]}),
        ({"status": "lost"}, {"status": ['"lost" is not a valid choice.']}),
    ],
)
def test_bad_list_parameters_are_400_naming_the_field(tenant, member, client_of, query, errors):
    response = client_of(member).get("/api/reminders", query)
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "invalid",
        "message": "Some fields are not valid.",
        "errors": errors,
    }


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # The page alone: shorter than the limit, its length is the total.
        ({}, 4),
        # The page and a bounded count, since more follow.
        ({"limit": 2, "page": 2}, 5),
    ],
)
def test_a_page_takes_the_same_queries_however_long(
    member, client_of, django_assert_num_queries, query, queries
):
    make_reminders(member.tenant, member, 5)
    client = client_of(member)
    client.get("/api/reminders")  # reads the token's membership into Redis (access_cache)
    # The host's tenant and the page (and the count); plus the two `SET search_path`
    # django-tenants issues when the schema changes.
    with django_assert_num_queries(queries):
        response = client.get("/api/reminders", query)
    assert len(response.json()["results"]) == (5 if not query else 2)


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
    _key, raw = api_key_create(
        tenant=tenant, name="K", scope="write", actor=Principal.of_membership(owner)
    )
    keyed = api_client(tenant)
    keyed.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert (
        keyed.post("/api/reminders", {"message": "x", "delay": 60}, format="json").status_code
        == 403
    )
