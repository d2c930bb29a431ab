from apps.jobs.models import Job
from apps.jobs.registry import job_handler
from apps.reminders.services import REMINDER_SEND, reminder_mark_failed, reminder_send


@job_handler(
    REMINDER_SEND, on_dead=lambda job: reminder_mark_failed(reminder_id=job.payload["reminder_id"])
)
def send_reminder(job: Job) -> None:
    reminder_send(reminder_id=job.payload["reminder_id"])
