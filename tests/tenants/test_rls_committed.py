"""Row-level security seen from other processes and across real transactions: the tests
commit what they write (the `committed` fixture), so no test transaction hides a rollback."""

import uuid
from contextlib import suppress

import pytest
from django.db import ProgrammingError, connection, transaction
from django_tenants.utils import schema_context, tenant_context

from tests.accounts.factories import MembershipFactory
from tests.conftest import COMMITTED_DOMAIN
from tests.core.worker_tasks import shared_rows, shared_rows_task
from tests.tenants.test_rls import OPERATOR, Rollback, all_rows, rows_of, shared_rows_of


@pytest.fixture
def other_person(committed, other_tenant):  # type: ignore[no-untyped-def]
    return MembershipFactory(
        tenant=other_tenant, user__email=f"b{uuid.uuid4().hex}{COMMITTED_DOMAIN}"
    )


@pytest.mark.usefixtures("celery_worker_process")
@pytest.mark.usefixtures("committed_person", "other_person")
def test_a_task_sent_from_a_tenant_finds_that_tenant_s_rows_only(tenant, other_tenant):
    assert rows_of(tenant)["accounts_membership"]
    assert rows_of(other_tenant)["accounts_membership"]
    with schema_context(tenant.schema_name):
        result = shared_rows_task.delay()
    assert result.get(timeout=30) == shared_rows_of(tenant)


@pytest.mark.usefixtures("committed_person", "other_person")
def test_a_rollback_never_leaves_the_connection_in_another_role(tenant, other_tenant):
    """Without a test transaction around it: the SET statements of the tenant are made inside
    a transaction that is rolled back, and PostgreSQL undoes them."""
    everything = {"role": OPERATOR, **all_rows()}
    mine, theirs = shared_rows_of(tenant), shared_rows_of(other_tenant)

    # Entered in the transaction: its rollback takes the connection back to the operators'
    # role while Django is still in the tenant. The next query must take the tenant again.
    with tenant_context(tenant):
        with suppress(Rollback), transaction.atomic():
            assert shared_rows() == mine
            raise Rollback
        assert shared_rows() == mine
        with (
            suppress(ProgrammingError),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT no_such_column FROM accounts_membership")
        assert shared_rows() == mine

    # And the other way: left in the transaction, back in the tenant after its rollback.
    assert shared_rows() == everything
    with tenant_context(tenant):
        assert shared_rows() == mine  # the tenant's SET, committed
        with suppress(Rollback), transaction.atomic():
            connection.set_schema_to_public()
            assert shared_rows() == everything
            raise Rollback
        assert shared_rows() == everything
    assert shared_rows() == everything
    with tenant_context(other_tenant):
        assert shared_rows() == theirs
    assert shared_rows() == everything
