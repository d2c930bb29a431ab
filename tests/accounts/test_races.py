"""Races on sign-in, with requests in parallel threads against committed data (each thread
has its own database connection, as the server's workers do)."""

import logging
import threading
from collections.abc import Callable

from django.db import connection
from django_redis import get_redis_connection

from apps.accounts import revocations
from tests.accounts.factories import MembershipFactory
from tests.api import api_client, bearer, login
from tests.conftest import COMMITTED_DOMAIN

ATTACKER = "198.51.100.66"


def in_parallel(count: int, call: Callable[[], object]) -> list:
    results: list = []

    def run() -> None:
        results.append(call())
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def attempt(tenant, email: str, password: str):
    return api_client(tenant).post(
        "/auth/login", {"email": email, "password": password}, format="json", REMOTE_ADDR=ATTACKER
    )


def test_parallel_guesses_cannot_pass_the_limit_before_the_counter_rises(
    committed, tenants, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    tenant = tenants[0]
    membership = MembershipFactory(tenant=tenant, user__email=f"race{COMMITTED_DOMAIN}")
    answers = in_parallel(10, lambda: attempt(tenant, membership.user.email, "wrong"))
    statuses = [a.status_code for a in answers]
    # Three attempts reach the password check (two 401s, the third locks); the rest never do.
    assert sorted(statuses) == [401, 401] + [429] * 8


def test_parallel_refreshes_of_one_token_both_get_the_new_pair(committed_person, tenant):
    first = login(tenant, committed_person)
    body = {"refresh_token": first["refresh_token"]}
    answers = in_parallel(4, lambda: api_client(tenant).post("/auth/refresh", body, format="json"))
    assert [a.status_code for a in answers] == [200] * 4, [a.content for a in answers]
    assert len({a.json()["refresh_token"] for a in answers}) == 1


def test_a_burst_after_redis_lost_its_data_rebuilds_the_revocations_once(
    committed_person, tenant, caplog
):
    """Every request of the burst finds the deny entries gone (no marker): one rebuilds them
    from PostgreSQL, the others ask PostgreSQL about their own sign-in meanwhile."""
    caplog.set_level(logging.WARNING, logger=revocations.logger.name)
    revoked, alive = login(tenant, committed_person), login(tenant, committed_person)
    assert bearer(tenant, revoked["access_token"]).post("/auth/logout").status_code == 204
    get_redis_connection("default").flushdb()  # this run's cache database, as FLUSHALL would
    caplog.clear()  # the logout's own request built the entries a first time

    def both() -> tuple[int, int]:
        return (
            bearer(tenant, revoked["access_token"]).get("/api/profile").status_code,
            bearer(tenant, alive["access_token"]).get("/api/profile").status_code,
        )

    assert in_parallel(8, both) == [(401, 200)] * 8
    rebuilt = [r.getMessage() for r in caplog.records if r.name == revocations.logger.name]
    schema = tenant.schema_name
    assert rebuilt == [
        f"Rebuilt the revoked API sign-ins of {schema} from PostgreSQL (1): Redis had lost them."
    ]
    assert get_redis_connection("default").exists(revocations.built_key(tenant.schema_name))
