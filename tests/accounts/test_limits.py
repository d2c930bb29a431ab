"""Brute-force protection and per-tenant rate limits, counted in the real Redis."""

import time

import pytest
from django.test import Client
from redis.connection import Connection

from apps.tenants.models import Plan, Tenant
from tests.api import api_client, bearer, login
from tests.conftest import host_of

pytestmark = pytest.mark.django_db


def start_of_window(seconds: int) -> None:
    """Wait for a fresh fixed window, so a burst of requests falls within one."""
    time.sleep(seconds - time.time() % seconds + 0.02)


def on_plan(tenant, plan: Plan) -> None:
    """Rolled back with the test; the shared tenant object itself stays untouched."""
    Tenant.objects.filter(pk=tenant.pk).update(plan=plan)


def attempt(tenant, email: str, password: str, ip: str = "198.51.100.7"):
    return api_client(tenant).post(
        "/auth/login", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip
    )


def test_one_address_failing_too_often_is_throttled(tenant, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    for i in range(3):
        assert attempt(tenant, f"guess{i}@example.com", "x").status_code == 401
    response = attempt(tenant, "another@example.com", "x")
    assert response.status_code == 429
    assert response.json()["code"] == "login_throttled"
    assert int(response["Retry-After"]) > 0
    # Another address is not affected.
    assert attempt(tenant, "another@example.com", "x", ip="203.0.113.9").status_code == 401


def test_rate_limit_from_the_plan_answers_429_then_recovers(tenant, member, settings):
    settings.THROTTLE_WINDOW_SECONDS = 2
    plan = Plan.objects.create(name="tiny", requests_per_minute=3, tenant_requests_per_minute=100)
    on_plan(tenant, plan)
    client = bearer(tenant, login(tenant, member)["access_token"])
    start_of_window(2)
    assert [client.get("/api/profile").status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get("/api/profile")
    assert limited.status_code == 429
    assert limited.json()["code"] == "throttled"
    assert 1 <= int(limited["Retry-After"]) <= 2
    time.sleep(2.1)
    assert client.get("/api/profile").status_code == 200


def test_rate_limits_are_per_tenant(tenant, other_tenant, member, settings):
    settings.THROTTLE_WINDOW_SECONDS = 3
    plan = Plan.objects.create(name="tiny2", requests_per_minute=100, tenant_requests_per_minute=3)
    on_plan(tenant, plan)
    client = bearer(tenant, login(tenant, member)["access_token"])
    start_of_window(3)
    assert [client.get("/api/profile").status_code for _ in range(4)] == [200, 200, 200, 429]
    # The other tenant's budget is its own.
    assert Client(HTTP_HOST=host_of(other_tenant)).get("/api/tenant").status_code == 200


def test_anonymous_callers_cannot_spend_the_tenants_budget(tenant, member, settings):
    settings.THROTTLE_WINDOW_SECONDS = 5
    plan = Plan.objects.create(name="tiny3", requests_per_minute=5, tenant_requests_per_minute=8)
    on_plan(tenant, plan)
    client = bearer(tenant, login(tenant, member)["access_token"])
    start_of_window(5)
    anonymous = Client(HTTP_HOST=host_of(tenant), REMOTE_ADDR="198.51.100.99")
    flood = [anonymous.get("/api/tenant").status_code for _ in range(20)]
    # The address has its own bucket (the plan's per-caller limit) ...
    assert flood == [200] * 5 + [429] * 15
    # ... and the company's budget is untouched: the member still gets its own five.
    assert [client.get("/api/profile").status_code for _ in range(6)] == [200] * 5 + [429]


def test_requests_over_the_callers_limit_do_not_count_against_the_tenant(
    tenant, member, owner, settings
):
    settings.THROTTLE_WINDOW_SECONDS = 5
    plan = Plan.objects.create(name="tiny4", requests_per_minute=3, tenant_requests_per_minute=6)
    on_plan(tenant, plan)
    greedy = bearer(tenant, login(tenant, member)["access_token"])
    other = bearer(tenant, login(tenant, owner)["access_token"])
    start_of_window(5)
    assert [greedy.get("/api/profile").status_code for _ in range(10)] == [200] * 3 + [429] * 7
    # Only the three allowed requests were the company's: three are left for the owner.
    assert [other.get("/api/profile").status_code for _ in range(4)] == [200] * 3 + [429]


def test_a_forged_forwarded_for_does_not_dodge_the_address_limit(tenant, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 2
    for i in range(3):
        response = api_client(tenant).post(
            "/auth/login",
            {"email": f"g{i}@example.com", "password": "x"},
            format="json",
            REMOTE_ADDR="198.51.100.20",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{i}",
        )
    assert response.status_code == 429


def test_the_rate_limit_rides_on_authentications_round_trip(tenant, member, monkeypatch):
    """An API request with a token counts its rate in the round trip that reads the token's
    deny-lists and the membership: no Redis trip of its own (what every request costs)."""
    client = bearer(tenant, login(tenant, member)["access_token"])
    assert client.get("/api/profile").status_code == 200  # the access cache warm
    trips: list[bytes] = []
    send = Connection.send_packed_command

    def watched(self, command, check_health=True):  # passes everything to Redis as it is
        trips.append(b"".join(command) if isinstance(command, list) else command)
        return send(self, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", watched)
    assert client.get("/api/profile").status_code == 200
    counting = [trip for trip in trips if b"\r\nEVAL" in trip]
    assert len(counting) == 1
    assert b"\r\nMGET\r\n" in counting[0]
    assert counting[0].count(b"\r\nEVAL") == 1
