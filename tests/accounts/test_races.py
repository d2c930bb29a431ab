"""Races on sign-in, with requests in parallel threads against committed data (each thread
has its own database connection, as the server's workers do)."""

import threading
from collections.abc import Callable

from django.db import connection

from tests.api import api_client, login
from tests.conftest import COMMITTED_DOMAIN
from tests.factories import MembershipFactory

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
