"""Fixtures shared by the whole suite.

Tests run against the real services started by scripts/services.sh. Two tenants are
created once per database (committed, so worker and server processes see them too);
tests that change data run inside a transaction that is rolled back.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_exists

from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create, tenant_public_ensure, tenant_template_migrate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The test database as `manage.py migrate_all` leaves it: public tenant and template."""
    with django_db_blocker.unblock():
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


def host_of(tenant: Tenant) -> str:
    return f"{tenant.slug}.{settings.BASE_DOMAIN}"


@pytest.fixture
def tenant_client(tenant: Tenant) -> Client:
    return Client(HTTP_HOST=host_of(tenant))


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


@pytest.fixture(scope="session")
def celery_worker_process(tenants, django_db_blocker) -> Iterator[subprocess.Popen[bytes]]:  # type: ignore[no-untyped-def]
    """A real Celery worker on the test broker and the test database."""
    from config.celery import app

    with django_db_blocker.unblock():
        db_name = connection.settings_dict["NAME"]
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db_name}",
    }
    app.control.purge()
    log = (ROOT / ".data" / "test-worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--include=tests.core.worker_tasks",
            "--hostname=test-worker@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail(f"the Celery worker did not start; see {log.name}")
    yield worker
    worker.terminate()
    worker.wait(timeout=30)
    log.close()
