"""The tenant API against its own OpenAPI schema, fuzzed by schemathesis.

Every operation the schema lists is called with generated requests, valid and invalid, as
each kind of caller, under every check schemathesis has: no answer may be a server error,
or have a status, content type, body or header the schema does not document; a request the
schema allows is not refused as malformed (400), and one it does not allow is not taken. A
new endpoint is in the schema, so it is fuzzed here without anyone adding it. The app runs
in-process (WSGI) inside the test's transaction, so what the fuzzer creates is rolled back;
the callers and their things are made once for the module, in a transaction of its own
around the tests'; the seed and the number of examples are fixed, so a run is repeatable.
"""

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import CHECKS

from apps.accounts.models import Membership
from apps.accounts.policies import role_can_write
from apps.accounts.principal import Principal, SystemActor
from apps.accounts.services import api_key_create, auth_token_issue
from apps.catalog.services import product_create
from apps.notifications.services import notification_create
from apps.orders.services import LineInput, order_place
from apps.reminders.services import reminder_create
from apps.tenants.models import Tenant
from apps.tenants.selectors import plan_limits_forget
from tests.accounts.factories import MembershipFactory
from tests.conftest import module_world
from tests.files.factories import ready_file, store_left_clean, uploading_file
from tests.tenants.factories import PlanFactory

# The tenant the `tenant` fixture gives (tests/conftest.py); its host is the base URL.
BASE_URL = f"http://test-alpha.{settings.BASE_DOMAIN}"
# What a request the schema allows may be answered with: refusals the schema cannot foresee
# (401, 403, 404, 409 for a conflict with what is stored, 422 for input refused for what it
# means: a time past, an id of nothing there, fields that contradict each other, each
# documented by its operation), never 400.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
# What a request the schema does not allow may be answered with: schemathesis's own list,
# and 413 for a body over its operation's limit.
REFUSED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20251127,
        "generation": {
            "mode": "all",
            "max-examples": 25,
            "deterministic": True,
            "database": "none",
        },
        "checks": {
            "enabled": True,
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
            "negative_data_rejection": {"expected-statuses": REFUSED},
        },
    }
)
# What GET /api/schema serves on a tenant's host (test_the_fuzzed_schema_is_the_served_one);
# built here because collection may not touch the database that serving it needs.
SCHEMA = SchemaGenerator(urlconf="config.urls_tenant").get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(SCHEMA, config=CONFIG)
# The checks' own probes (ignored_auth sends a case again without its credential) go where
# the schema's app is; the tests' requests go to the `app` fixture's, the same project.
schema.app = WSGIHandler()

CALLERS = ["owner", "admin", "member", "viewer", "api-key-read", "api-key-write", "anonymous"]


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(tenants: tuple[Tenant, Tenant], django_db_blocker: Any) -> Iterator[WSGIHandler]:
    """The project's WSGI application, on a plan whose rate limits fuzzing cannot reach,
    in the module's world: what the module's fixtures make is rolled back after its tests."""
    tenant = tenants[0]
    with module_world(django_db_blocker), store_left_clean(tenant):  # uploads reach the store
        plan = PlanFactory(
            name="fuzzing", requests_per_minute=10**6, tenant_requests_per_minute=10**6
        )
        Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
        yield WSGIHandler()
    plan_limits_forget()


@pytest.fixture
def app(world: WSGIHandler) -> Iterator[WSGIHandler]:
    """The application, for one test. Django closes the database connection when a request
    ends (CONN_MAX_AGE=0), which would end the test's transaction; Django's own test client
    stops that the same way, for each request it makes."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield world
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Calls that abort an upload or delete a file reach the object store, which no rollback
# undoes: in each test of them, the caller's own upload or file is one made for that test.
DESTROYS = {("DELETE", "/api/upload/{file_id}"), ("DELETE", "/api/files/{file_id}")}


# Calls that may end sign-ins (signing out, ending the person's sign-ins, a new password):
# each is made with a credential of its own, so none signs the caller out of later calls.
ENDS_SIGN_INS = ("/auth/", "/api/profile")


class Caller:
    """Who calls: how to make their credential (headers for a request), the ids of things
    of their own, and how to make another upload or file of theirs (`make`)."""

    def __init__(
        self,
        credential: Callable[[], dict[str, str]],
        own: dict[str, int | str] | None = None,
        make: dict[str, Callable[[], str]] | None = None,
    ) -> None:
        self.credential = credential
        self.own = own or {}
        self.make = make or {}
        self.made: set[str] = set()
        self.held: dict[str, str] | None = None

    def for_a_test(self) -> "Caller":
        """The same caller, whose things one test may swap for new ones (`own_for`), with
        a credential of the test's own (`headers`)."""
        return Caller(self.credential, dict(self.own), self.make)

    def headers(self, *, fresh: bool) -> dict[str, str]:
        """The test's credential, made on first use; a new one for a call that may end it."""
        if fresh:
            return self.credential()
        if self.held is None:
            self.held = self.credential()
        return self.held

    def forget(self) -> None:
        """A call answered 401: the next one gets a new credential, in case this one ended."""
        self.held = None

    def own_for(self, kind: str, *, destroys: bool) -> int | str | None:
        """Their thing of `kind`; for a call that destroys it, one made for this test."""
        if destroys and kind in self.make and kind not in self.made:
            self.own[kind] = self.make[kind]()
            self.made.add(kind)
        return self.own.get(kind)


def _order(tenant: Tenant, membership: Membership) -> int:
    """An order of theirs, waiting for payment (for the orders' paths)."""
    with schema_context(tenant.schema_name):
        product = product_create(
            tenant=tenant,
            actor=SystemActor(tenant, "tests"),
            fields={"name": "fuzz", "sku": f"fuzz-{membership.pk}", "price": 100, "stock": 5},
        )
        return order_place(
            tenant=tenant,
            actor=Principal.of_membership(membership),
            lines=[LineInput(product_id=product.pk, quantity=1)],
            idempotency_key="fuzz",
        ).order.pk


def _person(tenant: Tenant, role: str) -> Caller:
    membership = MembershipFactory(tenant=tenant, role=role)
    with schema_context(tenant.schema_name):
        # Set while they could write (a viewer may no longer set one, but still has it).
        writer = dataclasses.replace(Principal.of_membership(membership), can_write=True)
        reminder = reminder_create(tenant=tenant, actor=writer, message="fuzz", delay=3600)
        notification = notification_create(
            user=membership.user, kind="test", title="fuzz", email=False
        )
    own: dict[str, int | str] = {"reminder_id": reminder.pk, "notification_id": notification.pk}
    make: dict[str, Callable[[], str]] = {}
    if role_can_write(membership.role):
        # An upload of theirs in progress (multipart) and a ready file, for the uploads'
        # and the files' paths (both name it file_id).
        make = {
            "upload": lambda: str(uploading_file(tenant, membership, size=32 * 1024 * 1024).pk),
            "file": lambda: str(ready_file(tenant, membership).pk),
        }
        own.update({kind: made() for kind, made in make.items()})
        own["order_id"] = _order(tenant, membership)

    def credential() -> dict[str, str]:
        access = auth_token_issue(membership=membership).access_token
        return {"Authorization": f"Bearer {access}"}

    return Caller(credential, own, make)


@pytest.fixture(scope="module", params=CALLERS)
def module_caller(
    request: pytest.FixtureRequest, tenants: tuple[Tenant, Tenant], world: WSGIHandler
) -> Caller:
    """Each kind of caller, made once in the module's world (pytest runs the tests of one
    kind together)."""
    tenant, kind = tenants[0], request.param
    if kind == "anonymous":
        return Caller(dict)
    if kind.startswith("api-key-"):
        owner = MembershipFactory(tenant=tenant, role=Membership.Role.OWNER)
        _key, raw = api_key_create(
            tenant=tenant,
            name="fuzz",
            scope=kind.removeprefix("api-key-"),
            actor=Principal.of_membership(owner),
        )
        return Caller(lambda: {"Authorization": f"Api-Key {raw}"})
    return _person(tenant, kind)


@pytest.fixture
def caller(module_caller: Caller) -> Caller:
    return module_caller.for_a_test()


def call(case: Any, app: WSGIHandler, caller: Caller) -> Any:
    """Send the case as `caller` and check the answer against the schema.

    Generated ids almost never name an existing thing, which would leave success answers
    unchecked: an even generated id becomes the id of the caller's own thing of that kind
    (the others still probe not-found and invalid ids). A file id (a UUID) is the caller's
    upload on the uploads' paths and their ready file on the files' paths, when even.
    The caller's credential is made once for the test, and anew for each call that may end
    it (ENDS_SIGN_INS) and after a 401.
    """
    for name, value in case.path_parameters.items() if case.path_parameters else ():
        own = caller.own.get(name)
        if own is not None and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = own
        if name == "file_id" and isinstance(value, str) and _even_uuid(value):
            kind = "upload" if case.path.startswith("/api/upload/") else "file"
            destroys = (case.method, case.path) in DESTROYS
            case.path_parameters[name] = caller.own_for(kind, destroys=destroys) or value
    headers = caller.headers(fresh=case.path.startswith(ENDS_SIGN_INS))
    response = case.call_and_validate(app=app, base_url=BASE_URL, headers=headers)
    if response.status_code == 401:
        caller.forget()
    return response


def _even_uuid(value: str) -> bool:
    try:
        return uuid.UUID(value).int % 2 == 0
    except ValueError:
        return False


@schema.parametrize()
@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_tenant_api_answers_as_its_schema_says(case, app, caller):
    call(case, app, caller)


def test_the_fuzzer_runs_every_check_schemathesis_has():
    """A check left out (or one a new schemathesis adds, disabled) lets a mismatch through."""
    names = CHECKS.get_all_names()
    assert {"positive_data_acceptance", "negative_data_rejection", "ignored_auth"} <= set(names)
    checks = CONFIG.projects.get(SCHEMA).checks
    assert [name for name in names if not checks.get_by_name(name=name).enabled] == []


def test_the_fuzzed_schema_is_the_served_one(tenant_client):
    response = tenant_client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json() == SCHEMA


def test_the_fuzzer_reaches_the_tenant_and_the_callers_own_things(tenant, app):
    """The plumbing the fuzz test stands on: the tenant's host, the caller's credential,
    their own things; a mistake there would make every answer a 401 or 404."""
    member = _person(tenant, Membership.Role.MEMBER)
    tenant_case = schema["/api/tenant"]["GET"].Case()
    answered = call(tenant_case, app, Caller(dict))
    assert (answered.status_code, answered.json()["slug"]) == (200, tenant.slug)
    profile = call(schema["/api/profile"]["GET"].Case(), app, member)
    assert profile.status_code == 200
    detail = schema["/api/reminders/{reminder_id}"]["GET"].Case(path_parameters={"reminder_id": 2})
    assert call(detail, app, member).json()["id"] == member.own["reminder_id"]
    assert detail.path_parameters == {"reminder_id": member.own["reminder_id"]}
    odd = schema["/api/reminders/{reminder_id}"]["GET"].Case(
        path_parameters={"reminder_id": 999_999_999}
    )
    assert call(odd, app, member).status_code == 404
