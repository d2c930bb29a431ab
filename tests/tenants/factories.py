"""Plans for tests (companies themselves are made by tenant_create: each has a schema)."""

import factory

from apps.tenants.models import Plan


class PlanFactory(factory.django.DjangoModelFactory):
    """A plan with the model's limits unless a test names its own."""

    class Meta:
        model = Plan

    name = factory.Sequence(lambda n: f"plan-{n}")
