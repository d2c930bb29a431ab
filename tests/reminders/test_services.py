import pytest
from django.core import mail
from django_tenants.utils import schema_context

from apps.notifications.models import Notification
from apps.reminders.services import reminder_create, reminder_mark_failed, reminder_send
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_send_notifies_in_app_and_by_email_once(tenant, django_capture_on_commit_callbacks):
    user = UserFactory()
    with schema_context(tenant.schema_name):
        reminder = reminder_create(tenant=tenant, user=user, message="請求書を送る", delay=60)
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
    user = UserFactory()
    with schema_context(tenant.schema_name):
        reminder = reminder_create(tenant=tenant, user=user, message="x", delay=60)
        reminder_mark_failed(reminder_id=reminder.pk)
        reminder.refresh_from_db()
        assert reminder.status == "failed"
