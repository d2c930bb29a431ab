import uuid

import factory

from apps.usage.models import RequestBatch, UsageDay, usage_day


class UsageDayFactory(factory.django.DjangoModelFactory):
    """A company's counts of one day (today's by default), as the flush leaves them."""

    class Meta:
        model = UsageDay

    day = factory.LazyFunction(usage_day)


class RequestBatchFactory(factory.django.DjangoModelFactory):
    """A batch of request counts already flushed (the flush's own record of it)."""

    class Meta:
        model = RequestBatch

    id = factory.LazyFunction(uuid.uuid4)
