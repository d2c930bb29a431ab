import factory
from django.utils import timezone

from apps.jobs.models import Job


class JobFactory(factory.django.DjangoModelFactory):
    """A job row as job_schedule writes it, due now, of a kind the test worker runs
    (tests/jobs/handlers.py); no message is sent for it (job_schedule does that)."""

    class Meta:
        model = Job

    kind = "test.effect"
    run_at = factory.LazyFunction(timezone.now)
