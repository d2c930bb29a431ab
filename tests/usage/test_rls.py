"""Usage rows are public rows under row-level security: a company's connection finds and
writes its own days only, and no request batch at all; the operator finds every row."""

from datetime import timedelta

import pytest
from django.db import ProgrammingError, connection, transaction
from django_tenants.utils import tenant_context

from apps.usage.models import RequestBatch, UsageDay, usage_day
from tests.usage.factories import RequestBatchFactory, UsageDayFactory

pytestmark = pytest.mark.django_db


def test_a_company_reads_and_writes_its_own_days_only(tenant, other_tenant):
    today = usage_day()
    mine = UsageDayFactory(tenant=tenant, day=today, api_requests=5)
    theirs = UsageDayFactory(tenant=other_tenant, day=today, api_requests=7)
    RequestBatchFactory(id="00000000-0000-0000-0000-000000000001")
    with tenant_context(tenant):
        assert list(UsageDay.objects.values_list("pk", flat=True)) == [mine.pk]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM usage_usageday")
            assert cursor.fetchone() == (1,)
        assert UsageDay.objects.filter(pk=theirs.pk).update(api_requests=0) == 0
        assert RequestBatch.objects.count() == 0
        with (
            pytest.raises(ProgrammingError) as error,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "INSERT INTO usage_usageday (tenant_id, day, api_requests, jobs_run,"
                " storage_bytes, search_documents, updated_at) VALUES (%s, %s, 1, 0, 0, 0, now())",
                [other_tenant.pk, today - timedelta(days=1)],
            )
        assert str(error.value).splitlines()[0] == (
            'new row violates row-level security policy for table "usage_usageday"'
        )
    connection.set_schema_to_public()
    assert sorted(UsageDay.objects.values_list("api_requests", flat=True)) == [5, 7]
    assert RequestBatch.objects.count() == 1
