import pytest
from django.core import mail
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal, SystemActor
from apps.core.errors import NotAllowedError
from apps.notifications.models import Notification
from apps.reminders.services import reminder_create, reminder_mark_failed, reminder_send
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_send_notifies_in_app_and_by_email_once(tenant, django_capture_on_commit_callbacks):
    person = MembershipFactory(tenant=tenant)
    user = person.user
    with schema_context(tenant.schema_name):
        reminder = reminder_create(
            tenant=tenant, actor=Principal.of_membership(person), message="請求書を送る", delay=60
        )
        with django_capture_on_commit_callbacks(execute=True):
            reminder_send(reminder_id=reminder.pk)
            reminder_send(reminder_id=reminder.pk)
        reminder.refresh_from_db()
        assert reminder.status == "sent"
        assert list(
            Notification.objects.filter(user=user, kind="reminder").values_list("link", flat=True)
        ) == [f"/reminders#reminder-{reminder.pk}"]
    assert [m.subject for m in mail.outbox] == ["請求書を送る"]
    assert mail.outbox[0].to == [user.email]


def test_a_dead_job_marks_the_reminder_failed(tenant):
    person = MembershipFactory(tenant=tenant)
    with schema_context(tenant.schema_name):
        reminder = reminder_create(
            tenant=tenant, actor=Principal.of_membership(person), message="x", delay=60
        )
        reminder_mark_failed(reminder_id=reminder.pk)
        reminder.refresh_from_db()
        assert reminder.status == "failed"


@pytest.mark.parametrize("who", ["viewer", "system"])
def test_only_people_who_may_write_set_reminders(tenant, viewer, who):
    actor = Principal.of_membership(viewer) if who == "viewer" else SystemActor(tenant, "tests")
    with schema_context(tenant.schema_name), pytest.raises(NotAllowedError) as refused:
        reminder_create(tenant=tenant, actor=actor, message="x", delay=60)
    assert refused.value.message == "Only people who may write in this company set reminders."
