"""Re-authentication: creating API keys, changing roles, removing people and rotating the
payment webhook secret need a sign-in or password check within KURA_REAUTH_SECONDS, on the
pages (the session's stamp) and in the API (the access token's `auth_time`)."""

import time

import jwt
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import ApiKey, Membership
from apps.accounts.policies import auth_is_recent
from apps.accounts.principal import Principal
from apps.accounts.services import AUTH_TIME, api_key_create, auth_token_issue
from apps.audit.models import AuditEntry
from apps.orders.models import PaymentSecret
from tests.accounts.factories import MembershipFactory
from tests.api import PASSWORD, api_client, bearer, login
from tests.conftest import host_of, reauthenticate

pytestmark = pytest.mark.django_db

STALE = settings.REAUTH_SECONDS + 5


def stale_page(page_of, membership: Membership) -> Client:
    client = page_of(membership)
    reauthenticate(client, seconds_ago=STALE)
    return client


def test_the_rule_counts_seconds_since_the_proof():
    now = 1_000_000.0
    assert auth_is_recent(now - settings.REAUTH_SECONDS, now=now) is True
    assert auth_is_recent(now - settings.REAUTH_SECONDS - 1, now=now) is False
    assert auth_is_recent(None, now=now) is False
    assert auth_is_recent(now + 60, now=now) is False  # from the future: never


# --- pages --------------------------------------------------------------------------------


def test_creating_an_api_key_on_a_stale_stamp_goes_to_reauth_and_creates_nothing(
    tenant, owner, page_of
):
    client = stale_page(page_of, owner)
    assert client.get("/api-keys").status_code == 200  # reading the list needs nothing more
    response = client.post("/api-keys", {"name": "ERP", "scope": "write"})
    assert (response.status_code, response["Location"]) == (302, "/reauth?next=%2Fapi-keys")
    assert ApiKey.objects.filter(tenant=tenant, name="ERP").count() == 0


def test_creating_an_api_key_after_reauth_works(tenant, owner, page_of):
    client = page_of(owner, reauthenticated=True)
    response = client.post("/api-keys", {"name": "ERP", "scope": "write"})
    assert (response.status_code, response["Location"]) == (302, "/api-keys")
    assert ApiKey.objects.filter(tenant=tenant, name="ERP").count() == 1


def test_the_reauth_page_checks_the_password_stamps_and_goes_back(tenant, owner, page_of):
    client = stale_page(page_of, owner)
    page = client.get("/reauth?next=/api-keys").content.decode()
    assert owner.user.email in page
    wrong = client.post("/reauth?next=/api-keys", {"password": "not-it"})
    assert wrong.status_code == 200
    assert "The password is not correct." in wrong.content.decode()
    assert client.post("/api-keys", {"name": "ERP", "scope": "read"})["Location"].startswith(
        "/reauth"
    )
    before = time.time()
    right = client.post("/reauth?next=/api-keys", {"password": PASSWORD})
    assert (right.status_code, right["Location"]) == (302, "/api-keys")
    assert client.session[AUTH_TIME] >= before
    created = client.post("/api-keys", {"name": "ERP", "scope": "read"})
    assert (created.status_code, created["Location"]) == (302, "/api-keys")
    assert ApiKey.objects.filter(tenant=tenant, name="ERP").count() == 1
    connection.set_schema_to_public()
    logged = AuditEntry.objects.filter(tenant=tenant, action__startswith="reauth.")
    assert list(logged.order_by("seq").values_list("action", "actor_id", "data")) == [
        ("reauth.failed", owner.user_id, {"code": "invalid_credentials"}),
        ("reauth.succeeded", owner.user_id, {}),
    ]


def test_the_reauth_page_goes_back_only_to_this_host(owner, page_of):
    client = stale_page(page_of, owner)
    response = client.post("/reauth?next=https://evil.example/", {"password": PASSWORD})
    assert response["Location"] == "/profile"


def test_reauth_failures_count_in_the_sign_in_lockout(owner, page_of):
    client = stale_page(page_of, owner)
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/reauth", {"password": "not-it"})
    locked = client.post("/reauth", {"password": PASSWORD})
    assert locked.status_code == 200
    assert "Too many failed sign-ins" in locked.content.decode()
    assert client.session.get(AUTH_TIME) < time.time() - settings.REAUTH_SECONDS


def test_a_fresh_sign_in_counts_as_reauthentication(tenant, owner):
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    client.post("/login", {"email": owner.user.email, "password": PASSWORD})
    response = client.post("/api-keys", {"name": "ERP", "scope": "write"})
    assert (response.status_code, response["Location"]) == (302, "/api-keys")


def test_changing_a_role_needs_a_recent_sign_in(tenant, owner, member, page_of):
    form = {"action": "role", "member": member.pk, "role": "admin"}
    stale = stale_page(page_of, owner).post("/members", form)
    assert (stale.status_code, stale["Location"]) == (302, "/reauth?next=%2Fmembers")
    member.refresh_from_db()
    assert member.role == "member"
    fresh = page_of(owner, reauthenticated=True).post("/members", form)
    assert (fresh.status_code, fresh["Location"]) == (302, "/members")
    member.refresh_from_db()
    assert member.role == "admin"


def test_other_member_actions_need_no_reauthentication(tenant, owner, page_of):
    response = stale_page(page_of, owner).post(
        "/members", {"action": "invite", "email": "new@example.com", "role": "member"}
    )
    assert (response.status_code, response["Location"]) == (302, "/members")


def test_removing_someone_needs_a_recent_sign_in(tenant, owner, member, page_of):
    client = stale_page(page_of, owner)
    path = f"/members/{member.pk}/remove"
    question = client.get(path)
    assert question["Location"] == f"/reauth?next=%2Fmembers%2F{member.pk}%2Fremove"
    refused = client.post(path)
    assert refused["Location"] == f"/reauth?next=%2Fmembers%2F{member.pk}%2Fremove"
    assert Membership.objects.filter(pk=member.pk).exists()
    reauthenticate(client)
    assert client.get(path).status_code == 200
    assert client.post(path)["Location"] == "/members"
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_members_who_may_not_remove_get_403_before_any_reauth(tenant, member, viewer, page_of):
    assert stale_page(page_of, member).get(f"/members/{viewer.pk}/remove").status_code == 403


def secret_in(tenant) -> str | None:
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        row = PaymentSecret.objects.first()
        return row.secret if row else None


def test_rotating_the_payment_secret_on_the_page_needs_a_recent_sign_in(tenant, owner, page_of):
    client = stale_page(page_of, owner)
    stale = client.post("/orders/all", {"action": "rotate-secret"})
    assert stale["Location"] == "/reauth?next=%2Forders%2Fall"
    assert secret_in(tenant) is None
    reauthenticate(client)
    fresh = client.post("/orders/all", {"action": "rotate-secret"})
    assert fresh["Location"] == "/orders/all"
    assert secret_in(tenant) is not None


# --- API ----------------------------------------------------------------------------------


def test_access_tokens_carry_auth_time_unchanged_through_refresh(tenant, owner):
    before = int(time.time())
    pair = login(tenant, owner)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    assert before <= claims["auth_time"] <= int(time.time())
    refreshed = api_client(tenant).post(
        "/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"
    )
    again = jwt.decode(refreshed.json()["access_token"], options={"verify_signature": False})
    assert again["auth_time"] == claims["auth_time"]


def test_rotating_the_secret_through_the_api_on_an_old_sign_in_is_refused(tenant, owner):
    old = auth_token_issue(membership=owner, auth_time=int(time.time()) - STALE)
    response = bearer(tenant, old.access_token).post("/api/payments/secret")
    assert response.status_code == 403
    assert response.json() == {
        "status": 403,
        "code": "reauthentication_required",
        "message": "This action needs a recent sign-in: sign in again (or confirm your "
        "password) and repeat it.",
        "errors": {},
    }
    assert secret_in(tenant) is None
    fresh = login(tenant, owner)
    assert bearer(tenant, fresh["access_token"]).post("/api/payments/secret").status_code == 201


def test_a_refreshed_token_of_an_old_sign_in_stays_old(tenant, owner):
    old = auth_token_issue(membership=owner, auth_time=int(time.time()) - STALE)
    refreshed = api_client(tenant).post(
        "/auth/refresh", {"refresh_token": old.refresh_token}, format="json"
    )
    response = bearer(tenant, refreshed.json()["access_token"]).post("/api/payments/secret")
    assert (response.status_code, response.json()["code"]) == (403, "reauthentication_required")


def test_the_api_through_the_web_session_uses_the_session_stamp(tenant, owner, page_of):
    client = stale_page(page_of, owner)
    stale = client.post("/api/payments/secret")
    assert (stale.status_code, stale.json()["code"]) == (403, "reauthentication_required")
    reauthenticate(client)
    assert client.post("/api/payments/secret").status_code == 201


def test_api_keys_cannot_reauthenticate_and_may_not_rotate(tenant, owner):
    _key, secret = api_key_create(
        tenant=tenant, name="ERP", scope="write", actor=Principal.of_membership(owner)
    )
    client = api_client(tenant)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    response = client.post("/api/payments/secret")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_members_get_the_role_refusal_not_a_reauth_one(tenant):
    member = MembershipFactory(tenant=tenant, role="member")
    response = bearer(tenant, login(tenant, member)["access_token"]).post("/api/payments/secret")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
