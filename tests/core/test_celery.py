"""Tasks go through the real broker to a real worker, inside the sender's tenant."""

import pytest
from django_tenants.utils import schema_context

from config.celery import app
from tests.core.worker_tasks import where_am_i_task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_worker_process")]


def test_task_runs_in_the_schema_of_the_tenant_that_sent_it(tenant, other_tenant):
    for t in (tenant, other_tenant):
        with schema_context(t.schema_name):
            result = where_am_i_task.delay()
        assert result.get(timeout=30) == {"schema_name": t.schema_name, "db_schema": t.schema_name}


def test_task_sent_from_the_public_schema_runs_in_public():
    assert where_am_i_task.delay().get(timeout=30) == {
        "schema_name": "public",
        "db_schema": "public",
    }


def test_delivery_defaults_are_safe():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit > 0
