"""Fixtures shared by the whole suite.

Tests run against the real services started by scripts/services.sh. Two tenants are
created once per database (committed, so worker and server processes see them too);
tests that change data run inside a transaction that is rolled back.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import setup_databases
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context, schema_exists

from apps.accounts.models import Membership, User
from apps.accounts.services import AUTH_TIME
from apps.audit.models import AuditEntry
from apps.core.objectstore import s3_client
from apps.files import store
from apps.jobs.models import Job
from apps.notifications.models import Notification
from apps.reminders.models import Reminder
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create, tenant_public_ensure, tenant_template_migrate
from config.celery import app
from tests import processes
from tests.accounts.factories import MembershipFactory, TOTPDeviceFactory

TESTS = Path(__file__).resolve().parent
# Markers given by where a test lives or what it stands on (pyproject.toml describes each),
# so a new test gets them without saying so; `slow` and `serial` are written on the tests.
MARKED_FOLDERS = {"browser": "browser"}
MARKED_MODULES = {"test_api_fuzz.py": "fuzz"}
MARKED_FIXTURES = {"celery_worker_process": "worker", "celery_beat_process": "worker"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    under_xdist = hasattr(config, "workerinput")
    for item in items:
        marks = {MARKED_MODULES.get(item.path.name)}
        folders = item.path.relative_to(TESTS).parts[:-1] if item.path.is_relative_to(TESTS) else ()
        marks |= {MARKED_FOLDERS.get(folder) for folder in folders}
        marks |= {MARKED_FIXTURES.get(name) for name in getattr(item, "fixturenames", ())}
        for mark in sorted(marks - {None}):
            item.add_marker(mark)
        if under_xdist and item.get_closest_marker("serial"):
            # It stops a service every worker uses, or bounds its own time, which workers
            # side by side would stretch: `make test` runs it alone, after the parallel pass.
            item.add_marker(pytest.mark.skip(reason="serial: run it without -n (make test does)"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix() -> None:
    """pytest-django would add _gw0, _gw1... to the test database's name under xdist; the
    test settings already give each worker a slot of its own and name the database after
    it (config/settings/test.py), with the Redis databases and object keys to match."""


def _bucket_empty() -> None:
    """Abort the multipart uploads in progress in the run's bucket and delete its objects."""
    for upload in store.multipart_pending(prefix=""):
        store.multipart_abort(key=upload.key, upload_id=upload.upload_id)
    store.delete(*(obj.key for obj in store.objects(prefix="")))


@pytest.fixture(scope="session", autouse=True)
def _test_bucket() -> Iterator[None]:
    """The run's own bucket (config/settings/test.py), made (private: the store makes every
    bucket so) and emptied before the first test, emptied and removed after the last.
    S3Proxy keeps the part files of aborted uploads on disk, where no listing sees them,
    and then refuses to remove the bucket (BucketNotEmpty): it stays, empty, for the next
    run of the slot."""
    client, bucket = s3_client(), settings.AWS_STORAGE_BUCKET_NAME
    with suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=bucket)
    _bucket_empty()
    yield
    _bucket_empty()
    try:
        client.delete_bucket(Bucket=bucket)
    except ClientError as exc:
        if store.error_code(exc) != "BucketNotEmpty":
            raise


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, django_db_keepdb, django_db_createdb):  # type: ignore[no-untyped-def]
    """The test database as `manage.py migrate_all` leaves it: public tenant and template.

    pytest-django sets the test database up only when a selected test is marked
    `django_db`; tests on committed data (worker, beat, browser) are not, and run alone
    they would reach the development database. They get the test database too."""
    with django_db_blocker.unblock():
        if not connection.settings_dict["NAME"].startswith("test_"):
            setup_databases(
                verbosity=0,
                interactive=False,
                aliases={"default"},
                keepdb=django_db_keepdb and not django_db_createdb,
            )
        tenant_public_ensure()
        tenant_template_migrate()


def _tenant(slug: str, name: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None or not schema_exists(tenant.schema_name):
        Tenant.objects.filter(slug=slug).delete()
        tenant = tenant_create(name=name, slug=slug)
    return tenant


@pytest.fixture(scope="session")
def tenants(django_db_setup, django_db_blocker) -> tuple[Tenant, Tenant]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        return _tenant("test-alpha", "Alpha 株式会社"), _tenant("test-beta", "Beta Inc.")


@pytest.fixture
def tenant(tenants: tuple[Tenant, Tenant]) -> Tenant:
    return tenants[0]


@pytest.fixture
def other_tenant(tenants: tuple[Tenant, Tenant]) -> Tenant:
    return tenants[1]


COMMITTED_DOMAIN = "@committed.example"


def host_of(tenant: Tenant) -> str:
    return f"{tenant.slug}.{settings.BASE_DOMAIN}"


@pytest.fixture
def member(tenant: Tenant) -> Membership:
    return MembershipFactory(tenant=tenant, role=Membership.Role.MEMBER)


@pytest.fixture
def owner(tenant: Tenant) -> Membership:
    return MembershipFactory(tenant=tenant, role=Membership.Role.OWNER)


@pytest.fixture
def viewer(tenant: Tenant) -> Membership:
    return MembershipFactory(tenant=tenant, role=Membership.Role.VIEWER)


@pytest.fixture
def tenant_client(tenant: Tenant) -> Client:
    return Client(HTTP_HOST=host_of(tenant))


@pytest.fixture
def page_of(tenant: Tenant) -> Callable[..., Client]:
    """A browser-like client signed in to the web pages as `membership` (on `on`, default
    `tenant`), in English; `reauthenticated`: as if they had just confirmed their password
    (the sensitive actions need it)."""

    def make(
        membership: Membership, on: Tenant | None = None, *, reauthenticated: bool = False
    ) -> Client:
        client = Client(HTTP_HOST=host_of(on or tenant), HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(membership.user)
        if reauthenticated:
            reauthenticate(client)
        return client

    return make


def reauthenticate(client: Client, *, seconds_ago: float = 0) -> None:
    """Stamp the client's session as if its person confirmed their password `seconds_ago`."""
    session = client.session
    session[AUTH_TIME] = time.time() - seconds_ago
    session.save()


def operator_login(client: Client, user: User) -> TOTPDevice:
    """Sign `user` in to the admin as its login page does for an operator who gave a
    correct code: the session and the device that verified it (the admin lets no one in
    without one; tests/accounts/test_two_factor.py tests the page itself)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDeviceFactory(user=user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def public_client() -> Client:
    return Client(HTTP_HOST=settings.BASE_DOMAIN)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit and sign-in counters must not leak between tests (the test cache is a
    Redis database of its own; the Celery broker's is untouched)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _public_schema_after_test() -> Iterator[None]:
    """A request through the tenant middleware leaves the connection in that tenant."""
    yield
    connection.set_schema_to_public()


@contextmanager
def module_world(django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """For a module-scoped fixture that builds, once, a world its module's tests only read:
    the world is written in an outer transaction, each test's own (pytest-django's `db`)
    is a savepoint inside it rolled back after the test, and the world is rolled back when
    the module is done (Django's setUpTestData, for pytest)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def committed(django_db_blocker, tenants) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Database access without a wrapping transaction, for tests whose worker, beat or web
    processes must see what the test writes. What such tests leave is deleted afterwards."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()  # as operator: every tenant's rows
        Job.objects.all().delete()
        AuditEntry.objects.all().delete()  # the owner role may; the application's may not
        for tenant in tenants:
            with schema_context(tenant.schema_name):
                Reminder.objects.all().delete()
                Notification.objects.all().delete()
        User.objects.filter(email__endswith=COMMITTED_DOMAIN).delete()  # memberships go too


@pytest.fixture
def committed_person(committed, tenant) -> Membership:  # type: ignore[no-untyped-def]
    """A member of `tenant`, committed; password `tests.api.PASSWORD`."""
    return MembershipFactory(tenant=tenant, user__email=f"p{time.monotonic_ns()}{COMMITTED_DOMAIN}")


@pytest.fixture(scope="session")
def celery_env(tenants, django_db_blocker) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Environment for worker and beat processes: test settings, the test database."""
    with django_db_blocker.unblock():
        db_name = connection.settings_dict["NAME"]
    db = settings.DATABASES["default"]
    return processes.test_env(
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db_name}"
    )


@pytest.fixture(scope="session")
def celery_worker_process(celery_env) -> Iterator[processes.Process]:  # type: ignore[no-untyped-def]
    """A real Celery worker, shared by the session; tests that kill it start it again."""
    app.control.purge()
    worker = processes.worker(celery_env).start()
    processes.wait_for_worker(worker)
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def celery_beat_process(celery_env, celery_worker_process) -> Iterator[processes.Process]:  # type: ignore[no-untyped-def]
    """Celery beat, sweeping the delayed queue every second."""
    beat = processes.beat(celery_env).start()
    yield beat
    beat.stop()
