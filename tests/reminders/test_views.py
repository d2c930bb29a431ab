"""The reminders page: every time with its zone, upcoming soonest first and past paged,
"Reminder set" says when, the date field only for "at a date and time", errors beside the
fields."""

import re
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.core.times import when_text
from apps.reminders.models import Reminder
from apps.reminders.selectors import PAGE_SIZE
from apps.reminders.services import reminder_create
from tests.accounts.test_views import signed_in
from tests.reminders.factories import ReminderFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def create(tenant, person, message: str, at: datetime) -> Reminder:
    with schema_context(tenant.schema_name):
        return reminder_create(
            tenant=tenant, actor=Principal.of_membership(person), message=message, remind_at=at
        )


def past(tenant, user, message: str, at: datetime, status: str = "sent") -> Reminder:
    with schema_context(tenant.schema_name):
        return ReminderFactory(user=user, message=message, remind_at=at, status=status)


def rows(body: str, testid: str) -> list[str]:
    table = re.search(rf'<table data-testid="{testid}">(.*?)</table>', body, re.S)
    assert table is not None, testid
    return re.findall(r'<th scope="row">([^<]+)</th>', table.group(1))


def test_first_run(tenant, member):
    body = signed_in(tenant, member).get("/reminders").content.decode()
    assert (
        "No reminders yet. Set one above: in 30 minutes, tomorrow morning, or any time within "
        "a year." in body
    )
    assert '<select name="when" data-when="" id="id_when">' in body


def test_times_show_their_zone_and_how_far_off(tenant, member):
    member.user.time_zone = "America/New_York"
    member.user.save(update_fields=["time_zone"])
    at = timezone.now() + timedelta(hours=2)
    reminder = create(tenant, member, "call", at)
    body = signed_in(tenant, member).get("/reminders").content.decode()
    local = at.astimezone(NEW_YORK)
    assert f'<tr id="reminder-{reminder.pk}">' in body
    assert (
        f'<td><time datetime="{local.isoformat(timespec="seconds")}">'
        f"{local:%Y-%m-%d %H:%M} {local.tzname()}</time> (in 2\xa0hours)</td>" in body
    )
    assert local.tzname() in ("EST", "EDT")


def test_upcoming_soonest_first_and_past_latest_first(tenant, member):
    now = timezone.now()
    for message, hours in (("later", 5), ("soon", 1), ("middle", 3)):
        create(tenant, member, message, now + timedelta(hours=hours))
    past(tenant, member.user, "old", now - timedelta(days=2))
    past(tenant, member.user, "recent", now - timedelta(hours=1), status="cancelled")
    body = signed_in(tenant, member).get("/reminders").content.decode()
    assert rows(body, "reminders-upcoming") == ["soon", "middle", "later"]
    assert rows(body, "reminders-past") == ["recent", "old"]


def test_past_reminders_are_paged(tenant, member):
    start = timezone.now() - timedelta(days=30)
    for n in range(PAGE_SIZE + 1):
        past(tenant, member.user, f"m{n:02d}", start + timedelta(hours=n))
    client = signed_in(tenant, member)
    first = client.get("/reminders").content.decode()
    assert rows(first, "reminders-past") == [f"m{n:02d}" for n in range(PAGE_SIZE, 0, -1)]
    assert '<a href="?past=2&amp;upcoming=1#past" rel="next">Next</a>' in first
    second = client.get("/reminders?past=2").content.decode()
    assert rows(second, "reminders-past") == ["m00"]
    assert '<a href="?past=1&amp;upcoming=1#past" rel="prev">Previous</a>' in second
    assert 'rel="next"' not in second
    beyond = client.get("/reminders?past=500").content.decode()
    assert "Nothing here yet" in beyond
    assert "No reminders yet" not in beyond


def test_the_page_takes_the_same_queries_however_many(tenant, member, django_assert_num_queries):
    client = signed_in(tenant, member)
    client.get("/reminders")
    now = timezone.now()
    for n in range(5):
        create(tenant, member, f"u{n}", now + timedelta(hours=n + 1))
        past(tenant, member.user, f"p{n}", now - timedelta(hours=n + 1))
    # The host's tenant and two schema switches, session, person, the two lists, the unread
    # count.
    with django_assert_num_queries(8):
        assert client.get("/reminders").status_code == 200


def test_reminder_set_says_when(tenant, member):
    client = signed_in(tenant, member)
    done = client.post("/reminders", {"action": "create", "message": "invoice", "when": "1h"})
    assert (done.status_code, done["Location"]) == (302, "/reminders")
    with schema_context(tenant.schema_name):
        reminder = Reminder.objects.get(message="invoice")
    messages = [str(m) for m in client.get("/reminders").context["messages"]]
    assert messages == [f"Reminder set. We will remind you at {when_text(reminder.remind_at)}."]
    assert messages[0].endswith(" JST (in 1\xa0hour).")


def test_a_date_typed_with_another_choice_is_not_silently_ignored(tenant, member):
    client = signed_in(tenant, member)
    response = client.post(
        "/reminders",
        {"action": "create", "message": "call", "when": "30m", "at": "2030-01-01T09:00"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "at": ["To use this date, choose “At a date and time”; or clear it."]
    }
    body = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="id_at-error id_at-help"' in body
    assert 'value="2030-01-01T09:00"' in body
    with schema_context(tenant.schema_name):
        assert not Reminder.objects.exists()


@pytest.mark.parametrize(
    ("at", "error"),
    [
        ("", "Choose a date and time."),
        ("2020-01-01T09:00", "Choose a time in the future."),
        ("2099-01-01T09:00", "Reminders can be set at most a year ahead."),
        ("soon", "Enter a valid date/time."),
    ],
)
def test_date_errors_sit_beside_the_date(tenant, member, at, error):
    response = signed_in(tenant, member).post(
        "/reminders", {"action": "create", "message": "call", "when": "custom", "at": at}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"at": [error]}
    assert f'<small id="id_at-error">{error}</small>' in response.content.decode()
    assert 'name="message" value="call"' in response.content.decode()


def test_the_date_is_read_in_the_persons_zone_which_the_field_names(tenant, member):
    member.user.time_zone = "America/New_York"
    member.user.save(update_fields=["time_zone"])
    client = signed_in(tenant, member)
    page = client.get("/reminders").content.decode()
    assert '<small id="id_at-help">In your time zone, America/New_York.</small>' in page
    day = (datetime.now(tz=NEW_YORK) + timedelta(days=30)).date()
    client.post(
        "/reminders",
        {"action": "create", "message": "call", "when": "custom", "at": f"{day}T09:00"},
    )
    with schema_context(tenant.schema_name):
        reminder = Reminder.objects.get(message="call")
    assert reminder.remind_at == datetime.combine(day, time(9, 0), tzinfo=NEW_YORK)


def test_cancelling_says_which(tenant, member):
    reminder = create(tenant, member, "call", timezone.now() + timedelta(days=1))
    client = signed_in(tenant, member)
    done = client.post("/reminders", {"action": "cancel", "reminder": reminder.pk}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        f"Reminder for {when_text(reminder.remind_at)} cancelled: “call”."
    ]
    assert rows(done.content.decode(), "reminders-past") == ["call"]


def test_viewers_read_without_a_form(tenant, viewer):
    client = signed_in(tenant, viewer)
    body = client.get("/reminders").content.decode()
    assert "Your role in this company may only read, so you cannot set reminders here." in body
    assert 'data-testid="reminder-form"' not in body
    refused = client.post("/reminders", {"action": "create", "message": "x", "when": "1h"})
    assert refused.status_code == 403
