"""Row-level security on the public tables every tenant shares: inside a tenant, raw SQL and
ORM queries with no tenant filter find that tenant's rows only; outside, the operators' role
finds every row; rollbacks never leave the connection in a role it does not believe in."""

from contextlib import suppress
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from apps.accounts.models import ApiKey, Invitation, Membership, RefreshToken
from apps.accounts.services import company_create
from apps.jobs.models import Job
from apps.jobs.registry import job_handler
from apps.jobs.services import job_run, job_schedule
from apps.notifications.models import Notification
from apps.tenants.models import Tenant
from apps.tenants.rowsecurity import person_rows
from tests.accounts.factories import (
    ApiKeyFactory,
    InvitationFactory,
    MembershipFactory,
    RefreshTokenFactory,
    UserFactory,
)
from tests.api import bearer, login
from tests.conftest import host_of
from tests.core.worker_tasks import SHARED_TABLES, shared_rows
from tests.jobs.factories import JobFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db
APP_ROLE = settings.DB_APP_ROLE
OPERATOR = settings.DATABASES["default"]["USER"]


class Rollback(Exception):  # noqa: N818 - not an error: the way out of an atomic block
    pass


def ids(queryset) -> list[int]:
    return sorted(queryset.values_list("pk", flat=True))


def rows_of(tenant: Tenant) -> dict[str, list[int]]:
    """The ids of `tenant`'s rows in each shared table, as the operators' role finds them."""
    with schema_context("public"):
        return {
            "accounts_membership": ids(Membership.objects.filter(tenant=tenant)),
            "accounts_refreshtoken": ids(RefreshToken.objects.filter(membership__tenant=tenant)),
            "accounts_apikey": ids(ApiKey.objects.filter(tenant=tenant)),
            "accounts_invitation": ids(Invitation.objects.filter(tenant=tenant)),
            "jobs_job": ids(Job.objects.filter(tenant=tenant)),
        }


def all_rows() -> dict[str, object]:
    """Every id in each shared table, as the operators' role finds them."""
    with schema_context("public"):
        found = shared_rows()
    assert found.pop("role") == OPERATOR
    return found


def current_user() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


def shared_rows_of(tenant: Tenant) -> dict[str, object]:
    return {"role": APP_ROLE, **rows_of(tenant)}


def fill(tenant: Tenant) -> Membership:
    """A row of `tenant` in every shared table."""
    membership = MembershipFactory(tenant=tenant)
    later = timezone.now() + timedelta(days=1)
    RefreshTokenFactory(membership=membership, expires_at=later)
    ApiKeyFactory(tenant=tenant)
    InvitationFactory(tenant=tenant, email="x@example.com", expires_at=later)
    JobFactory(tenant=tenant, run_at=later)
    return membership


@pytest.fixture
def rows(tenant, other_tenant) -> None:
    """Rows of both tenants in every shared table, and a job about no tenant."""
    fill(tenant)
    fill(other_tenant)
    JobFactory(tenant=None, run_at=timezone.now() + timedelta(days=1))
    # Each side has rows of its own: what a test sees can only be right by filtering.
    assert all(rows_of(tenant).values())
    assert all(rows_of(other_tenant).values())


# --- reading -------------------------------------------------------------------------------


@pytest.mark.urls("tests.tenants.rls_urls")
@pytest.mark.usefixtures("rows")
def test_raw_sql_in_a_tenant_request_finds_that_tenant_s_rows_only(client, tenant, other_tenant):
    response = client.get("/shared-rows", HTTP_HOST=host_of(tenant))
    assert response.status_code == 200
    assert response.json() == shared_rows_of(tenant)
    response = client.get("/shared-rows", HTTP_HOST=host_of(other_tenant))
    assert response.json() == shared_rows_of(other_tenant)


@pytest.mark.usefixtures("rows")
def test_raw_sql_in_a_tenant_context_finds_that_tenant_s_rows_only(tenant, other_tenant):
    for t in (tenant, other_tenant):
        with tenant_context(t):
            assert shared_rows() == shared_rows_of(t)


@pytest.mark.usefixtures("rows")
def test_the_orm_without_its_tenant_filter_finds_the_tenant_s_rows_only(tenant):
    expected = rows_of(tenant)
    with tenant_context(tenant):
        assert ids(Membership.objects.all()) == expected["accounts_membership"]
        assert ids(RefreshToken.objects.all()) == expected["accounts_refreshtoken"]
        assert ids(ApiKey.objects.all()) == expected["accounts_apikey"]
        assert ids(Invitation.objects.all()) == expected["accounts_invitation"]
        assert ids(Job.objects.all()) == expected["jobs_job"]


@pytest.mark.usefixtures("rows")
def test_with_no_tenant_named_the_application_role_finds_nothing(tenant):
    with tenant_context(tenant), suppress(Rollback), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL kura.tenant = ''")
        assert shared_rows() == {"role": APP_ROLE, **{table: [] for table in SHARED_TABLES}}
        raise Rollback


@pytest.mark.usefixtures("rows")
def test_the_operators_role_finds_every_row(tenant, other_tenant):
    everything = all_rows()
    assert len(everything["jobs_job"]) == 3  # both tenants', and the one about no tenant
    for t in (tenant, other_tenant):
        with tenant_context(t):
            shared_rows()
        assert shared_rows() == {"role": OPERATOR, **everything}
        # Entering a schema by name (migrations, operators' tools) is not entering the tenant.
        with schema_context(t.schema_name):
            assert shared_rows() == {"role": OPERATOR, **everything}


# --- writing -------------------------------------------------------------------------------


def assert_refused(table: str, sql: str, params: list[object]) -> None:
    """PostgreSQL refuses the row (in a savepoint, so the test goes on)."""
    with (
        pytest.raises(ProgrammingError) as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    assert str(error.value).splitlines()[0] == (
        f'new row violates row-level security policy for table "{table}"'
    )


def test_rows_of_another_tenant_cannot_be_written(tenant, other_tenant):
    stranger = fill(other_tenant)
    later = timezone.now() + timedelta(days=1)
    with tenant_context(tenant):
        assert_refused(
            "accounts_membership",
            "INSERT INTO accounts_membership (user_id, tenant_id, role, token_version,"
            " created_at) VALUES (%s, %s, 'owner', 1, now())",
            [UserFactory().pk, other_tenant.pk],
        )
        assert_refused(
            "accounts_refreshtoken",
            "INSERT INTO accounts_refreshtoken (jti, family, membership_id, expires_at,"
            " created_at) VALUES ('x', gen_random_uuid(), %s, %s, now())",
            [stranger.pk, later],
        )
        assert_refused(
            "accounts_apikey",
            "INSERT INTO accounts_apikey (tenant_id, name, prefix, key_hash, scope, created_at)"
            " VALUES (%s, 'K', 'p', 'h', 'write', now())",
            [other_tenant.pk],
        )
        assert_refused(
            "accounts_invitation",
            "INSERT INTO accounts_invitation (tenant_id, email, role, token_hash, expires_at,"
            " created_at) VALUES (%s, 'x@example.com', 'owner', 'h', %s, now())",
            [other_tenant.pk, later],
        )
        for tenant_id in (other_tenant.pk, None):
            assert_refused(
                "jobs_job",
                "INSERT INTO jobs_job (tenant_id, kind, payload, run_at, state, attempts,"
                " max_attempts, last_error, created_at, updated_at)"
                " VALUES (%s, 'test.effect', '{}', now(), 'scheduled', 0, 1, '', now(), now())",
                [tenant_id],
            )
        # Nor moved into another tenant, nor updated or deleted there.
        own = MembershipFactory(tenant=tenant)
        assert_refused(
            "accounts_membership",
            "UPDATE accounts_membership SET tenant_id = %s WHERE id = %s",
            [other_tenant.pk, own.pk],
        )
        assert Membership.objects.filter(pk=stranger.pk).update(role="owner") == 0
        assert ApiKey.objects.filter(tenant=other_tenant).delete()[0] == 0
    stranger.refresh_from_db()
    assert stranger.role == "member"
    assert ApiKey.objects.filter(tenant=other_tenant).count() == 1


# --- the person's own memberships ----------------------------------------------------------


def test_a_person_reads_their_own_memberships_elsewhere_and_nothing_more(tenant, other_tenant):
    here = MembershipFactory(tenant=tenant)
    there = MembershipFactory(tenant=other_tenant, user=here.user)
    MembershipFactory(tenant=other_tenant)  # someone else's
    with tenant_context(tenant):
        with person_rows(here.user_id):
            assert ids(Membership.objects.all()) == sorted(
                [*rows_of(tenant)["accounts_membership"], there.pk]
            )
            # Reading only: their membership elsewhere cannot be changed from here.
            assert Membership.objects.filter(pk=there.pk).update(role="owner") == 0
        assert ids(Membership.objects.all()) == rows_of(tenant)["accounts_membership"]


def test_the_profile_lists_the_person_s_companies_in_every_tenant(tenant, other_tenant):
    here = MembershipFactory(tenant=tenant)
    MembershipFactory(tenant=other_tenant, user=here.user, role="owner")
    MembershipFactory(tenant=other_tenant)  # someone else's
    response = bearer(tenant, login(tenant, here)["access_token"]).get("/api/profile")
    assert response.json()["memberships"] == [
        {"tenant": tenant.slug, "name": tenant.name, "role": "member"},
        {"tenant": other_tenant.slug, "name": other_tenant.name, "role": "owner"},
    ]
    # The rest of the request, and the connection it leaves, see this tenant's only.
    assert ids(Membership.objects.all()) == rows_of(tenant)["accounts_membership"]


# --- tasks and jobs ------------------------------------------------------------------------

SEEN_BY_HANDLER: list[dict[str, object]] = []


@job_handler("test.shared_rows")
def _record_shared_rows(job: Job) -> None:
    SEEN_BY_HANDLER.append(shared_rows())


@pytest.mark.usefixtures("rows")
def test_a_job_handler_for_a_tenant_finds_that_tenant_s_rows_only(tenant):
    job = job_schedule(tenant=tenant, kind="test.shared_rows", payload={}, delay=0)
    SEEN_BY_HANDLER.clear()
    assert job_run(job_id=job.pk) == "succeeded"
    assert [shared_rows_of(tenant)] == SEEN_BY_HANDLER
    assert Job.objects.get(pk=job.pk).state == "succeeded"


def test_a_job_about_no_tenant_scheduled_from_a_tenant_is_written_as_operator(tenant):
    with tenant_context(tenant):
        assert current_user() == APP_ROLE
        job = job_schedule(
            tenant=None, kind="test.shared_rows", payload={}, delay=60, idempotency_key="global"
        )
        again = job_schedule(
            tenant=None, kind="test.shared_rows", payload={}, delay=60, idempotency_key="global"
        )
        assert again.pk == job.pk
        assert current_user() == APP_ROLE
        assert not Job.objects.filter(pk=job.pk).exists()
    assert Job.objects.get(pk=job.pk).tenant_id is None


# --- the cost, and the connection's state --------------------------------------------------


def test_entering_a_tenant_sends_role_and_tenant_with_the_search_path(tenant):
    with tenant_context(tenant), CaptureQueriesContext(connection) as queries:
        Membership.objects.count()
    assert queries[0]["sql"] == (
        f'SET search_path = "{tenant.schema_name}","public"; SET ROLE "{APP_ROLE}"; '
        f"SET kura.tenant = '{tenant.pk}'; SET kura.person = ''"
    )
    assert len(queries) == 2  # that statement and the query: no more than before


@pytest.mark.usefixtures("rows")
def test_a_rolled_back_savepoint_leaves_the_connection_where_django_believes_it_is(
    tenant, other_tenant
):
    mine, theirs = shared_rows_of(tenant), shared_rows_of(other_tenant)
    with tenant_context(tenant):
        assert shared_rows() == mine
        with suppress(Rollback), transaction.atomic():
            # Moving to another tenant within the savepoint: its rollback takes PostgreSQL
            # back to `tenant`, while Django stays in `other_tenant`.
            connection.set_tenant(other_tenant)
            assert shared_rows() == theirs
            raise Rollback
        assert shared_rows() == theirs
        connection.set_tenant(tenant)
        assert shared_rows() == mine
        with suppress(Rollback), transaction.atomic(), person_rows(1):
            Membership.objects.count()  # the person's SET is made inside the savepoint
            raise Rollback
        assert shared_rows() == mine
    assert shared_rows()["role"] == OPERATOR


def test_a_new_tenant_s_schema_is_open_to_the_application_role():
    person = UserFactory()
    created = company_create(name="RLS Co", slug="rls-co", owner=person)
    with tenant_context(created):
        assert current_user() == APP_ROLE
        NotificationFactory(user=person, title="hello")
        assert list(Notification.objects.values_list("title", flat=True)) == ["hello"]
        assert ids(Membership.objects.all()) == rows_of(created)["accounts_membership"]
