"""Sign-in, refresh, sign-out and the attack list: each forged or stale credential is
refused with the right status, in the one error shape."""

import base64
import json
import time
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone

from apps.accounts.models import RefreshToken
from apps.accounts.principal import Principal
from apps.accounts.services import membership_role_change, membership_suspend
from apps.accounts.tokens import KuraAccessToken, key_id, key_ring
from tests.accounts.factories import MembershipFactory
from tests.api import PASSWORD, api_client, bearer, login

pytestmark = pytest.mark.django_db


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def assert_refused(response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"status", "code", "message", "errors"}
    assert body["status"] == status
    assert body["message"]
    if code:
        assert body["code"] == code


def test_login_answers_a_pair_bound_to_the_tenant(tenant, member):
    pair = login(tenant, member)
    assert pair["token_type"] == "Bearer"
    assert pair["expires_in"] == 15 * 60
    access, refresh = claims_of(pair["access_token"]), claims_of(pair["refresh_token"])
    assert access["token_type"] == "access"
    assert refresh["token_type"] == "refresh"
    assert access["sub"] == str(member.user_id)
    assert access["tenant"] == tenant.schema_name
    assert access["role"] == "member"
    assert access["jti"] != refresh["jti"]
    assert access["fam"] == refresh["fam"]
    assert refresh["exp"] - refresh["iat"] == 7 * 24 * 3600
    assert member.user.email not in json.dumps(access)


def test_profile_names_person_tenant_and_role(tenant, member):
    pair = login(tenant, member)
    response = bearer(tenant, pair["access_token"]).get("/api/profile")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == member.user.email
    assert body["tenant"] == {"name": tenant.name, "slug": tenant.slug}
    assert body["role"] == "member"
    assert body["memberships"] == [{"tenant": tenant.slug, "name": tenant.name, "role": "member"}]


@pytest.mark.parametrize("email_exists", [True, False])
def test_bad_credentials_get_one_answer(tenant, member, email_exists):
    email = member.user.email if email_exists else "nobody@example.com"
    response = api_client(tenant).post(
        "/auth/login", {"email": email, "password": "wrong"}, format="json"
    )
    assert_refused(response, 401, "invalid_credentials")
    assert response.json()["message"] == "The email address or password is not correct."


def test_errors_speak_japanese_by_default(tenant, member):
    response = api_client(tenant, language="ja").post(
        "/auth/login", {"email": member.user.email, "password": "wrong"}, format="json"
    )
    assert response.json()["message"] == "メールアドレスまたはパスワードが正しくありません。"


def test_a_person_of_another_tenant_cannot_sign_in_here(tenant, other_tenant):
    stranger = MembershipFactory(tenant=other_tenant)
    response = api_client(tenant).post(
        "/auth/login", {"email": stranger.user.email, "password": PASSWORD}, format="json"
    )
    assert_refused(response, 401, "invalid_credentials")


def test_login_validates_its_input(tenant):
    response = api_client(tenant).post("/auth/login", {"email": "not-an-email"}, format="json")
    assert_refused(response, 400, "invalid")
    assert set(response.json()["errors"]) == {"email", "password"}


# --- the attack list ----------------------------------------------------------------------


def test_alg_none_is_refused(tenant, member):
    claims = claims_of(login(tenant, member)["access_token"])
    forged = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    assert_refused(bearer(tenant, forged).get("/api/profile"), 401, "token_not_valid")


def test_hs256_with_a_wrong_secret_is_refused(tenant, member):
    claims = claims_of(login(tenant, member)["access_token"])
    forged = jwt.encode(claims, "not-the-signing-key-" * 3, algorithm="HS256")
    assert_refused(bearer(tenant, forged).get("/api/profile"), 401, "token_not_valid")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_a_token_signed_with_another_algorithm_is_refused(tenant, member):
    claims = claims_of(login(tenant, member)["access_token"])
    forged = jwt.encode(claims, settings.SECRET_KEY, algorithm="HS512")
    assert_refused(bearer(tenant, forged).get("/api/profile"), 401, "token_not_valid")


def test_tampered_payload_is_refused(tenant, viewer):
    header, _payload, signature = login(tenant, viewer)["access_token"].split(".")
    claims = claims_of(login(tenant, viewer)["access_token"])
    claims["role"] = "owner"
    forged = f"{header}.{b64(claims)}.{signature}"
    assert_refused(bearer(tenant, forged).get("/api/profile"), 401, "token_not_valid")


def test_expired_token_is_refused(tenant, member):
    claims = claims_of(login(tenant, member)["access_token"])
    token = KuraAccessToken()
    for name, value in claims.items():
        if name not in {"exp", "iat", "jti", "aud", "iss"}:
            token[name] = value
    token.set_exp(lifetime=-timedelta(seconds=1))
    assert_refused(bearer(tenant, str(token)).get("/api/profile"), 401, "token_not_valid")


def test_refresh_token_is_not_an_access_token(tenant, member):
    refresh = login(tenant, member)["refresh_token"]
    assert_refused(bearer(tenant, refresh).get("/api/profile"), 401, "token_not_valid")


def test_access_token_is_refused_after_logout(tenant, member):
    pair = login(tenant, member)
    client = bearer(tenant, pair["access_token"])
    assert client.get("/api/profile").status_code == 200
    assert client.post("/auth/logout").status_code == 204
    assert_refused(client.get("/api/profile"), 401, "token_revoked")
    refreshed = api_client(tenant).post(
        "/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"
    )
    assert_refused(refreshed, 401, "token_revoked")


def test_refresh_rotates_and_reuse_revokes_the_family(tenant, member, settings):
    settings.REFRESH_RETRY_SECONDS = 1
    first = login(tenant, member)
    client = api_client(tenant)
    second = client.post("/auth/refresh", {"refresh_token": first["refresh_token"]}, format="json")
    assert second.status_code == 200
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    holder = bearer(tenant, second["access_token"])
    assert holder.get("/api/profile").status_code == 200

    time.sleep(1.1)  # past the retry grace: a replay now means a copied token
    replay = client.post("/auth/refresh", {"refresh_token": first["refresh_token"]}, format="json")
    assert_refused(replay, 401, "token_revoked")
    # The thief's replay also ends the legitimate descendant, and its access token at once.
    after = client.post("/auth/refresh", {"refresh_token": second["refresh_token"]}, format="json")
    assert_refused(after, 401, "token_revoked")
    assert_refused(holder.get("/api/profile"), 401, "token_revoked")
    family = claims_of(first["refresh_token"])["fam"]
    assert not RefreshToken.objects.filter(family=family, revoked_at__isnull=True).exists()


def test_a_refresh_retried_at_once_gets_the_same_pair(tenant, member):
    first = login(tenant, member)
    client = api_client(tenant)
    body = {"refresh_token": first["refresh_token"]}
    one = client.post("/auth/refresh", body, format="json")
    two = client.post("/auth/refresh", body, format="json")
    assert one.status_code == two.status_code == 200
    assert one.json() == two.json()
    assert bearer(tenant, two.json()["access_token"]).get("/api/profile").status_code == 200


def test_logout_refuses_every_access_token_of_the_sign_in_at_once(tenant, member):
    first = login(tenant, member)
    older = bearer(tenant, first["access_token"])
    newer_pair = (
        api_client(tenant)
        .post("/auth/refresh", {"refresh_token": first["refresh_token"]}, format="json")
        .json()
    )
    newer = bearer(tenant, newer_pair["access_token"])
    other_sign_in = bearer(tenant, login(tenant, member)["access_token"])
    assert newer.post("/auth/logout").status_code == 204
    assert_refused(older.get("/api/profile"), 401, "token_revoked")
    assert_refused(newer.get("/api/profile"), 401, "token_revoked")
    # Another sign-in of the same person (another device) goes on.
    assert other_sign_in.get("/api/profile").status_code == 200


def test_tokens_name_issuer_audience_and_key(tenant, member):
    access = login(tenant, member)["access_token"]
    claims = claims_of(access)
    assert (claims["iss"], claims["aud"]) == ("kura", "kura-api")
    assert jwt.get_unverified_header(access)["kid"] == key_id(settings.SECRET_KEY)


@pytest.mark.parametrize(
    ("change", "value"), [("iss", "someone-else"), ("aud", "another-api"), ("aud", None)]
)
def test_another_issuer_or_audience_is_refused(tenant, member, change, value):
    claims = claims_of(login(tenant, member)["access_token"])
    if value is None:
        del claims[change]
    else:
        claims[change] = value
    forged = jwt.encode(
        claims, settings.SECRET_KEY, algorithm="HS256", headers={"kid": key_id(settings.SECRET_KEY)}
    )
    assert_refused(bearer(tenant, forged).get("/api/profile"), 401, "token_not_valid")


def test_key_rotation_accepts_the_previous_key_until_it_is_dropped(tenant, member, settings):
    old_key = settings.SECRET_KEY
    old_token = login(tenant, member)["access_token"]
    new_key = "a-new-signing-key-of-at-least-thirty-two-bytes"
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": new_key}
    settings.JWT_PREVIOUS_KEYS = [old_key]
    key_ring.cache_clear()
    try:
        new_token = login(tenant, member)["access_token"]
        assert jwt.get_unverified_header(new_token)["kid"] == key_id(new_key)
        assert bearer(tenant, new_token).get("/api/profile").status_code == 200
        assert bearer(tenant, old_token).get("/api/profile").status_code == 200
        settings.JWT_PREVIOUS_KEYS = []
        key_ring.cache_clear()
        assert_refused(bearer(tenant, old_token).get("/api/profile"), 401, "token_not_valid")
        assert bearer(tenant, new_token).get("/api/profile").status_code == 200
    finally:
        key_ring.cache_clear()


def test_token_of_tenant_a_on_tenant_b_host_is_403(tenant, other_tenant, member):
    access = login(tenant, member)["access_token"]
    assert_refused(bearer(other_tenant, access).get("/api/profile"), 403, "token_tenant_mismatch")
    refresh = login(tenant, member)["refresh_token"]
    response = api_client(other_tenant).post(
        "/auth/refresh", {"refresh_token": refresh}, format="json"
    )
    assert_refused(response, 403, "permission_denied")


def test_removed_member_is_refused_on_the_next_request(tenant, member):
    client = bearer(tenant, login(tenant, member)["access_token"])
    assert client.get("/api/profile").status_code == 200
    member.delete()
    assert_refused(client.get("/api/profile"), 401, "token_revoked")


def test_suspended_member_is_refused_on_the_next_request(tenant, member, owner):
    pair = login(tenant, member)
    client = bearer(tenant, pair["access_token"])
    membership_suspend(
        membership=member,
        until=timezone.now() + timedelta(hours=24),
        actor=Principal.of_membership(owner),
    )
    assert_refused(client.get("/api/profile"), 401, "token_revoked")
    refreshed = api_client(tenant).post(
        "/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"
    )
    assert_refused(refreshed, 401, "token_revoked")
    again = api_client(tenant).post(
        "/auth/login", {"email": member.user.email, "password": PASSWORD}, format="json"
    )
    assert_refused(again, 403, "membership_suspended")


def test_role_change_applies_on_the_next_request(tenant, member, owner):
    client = bearer(tenant, login(tenant, member)["access_token"])
    membership_role_change(membership=member, role="viewer", actor=Principal.of_membership(owner))
    assert client.get("/api/profile").json()["role"] == "viewer"


def test_an_authenticated_profile_needs_no_sql_of_its_own_once_warm(
    tenant, member, django_assert_num_queries
):
    client = bearer(tenant, login(tenant, member)["access_token"])
    assert client.get("/api/profile").status_code == 200  # fills the access cache
    # Only the host's tenant lookup (with its `SET search_path`): the membership, the
    # person's companies and the deny-lists come from Redis in one round trip.
    with django_assert_num_queries(2) as context:
        body = client.get("/api/profile").json()
    assert "tenants_domain" in context.captured_queries[-1]["sql"]
    assert body["role"] == "member"
    assert [m["tenant"] for m in body["memberships"]] == [tenant.slug]
