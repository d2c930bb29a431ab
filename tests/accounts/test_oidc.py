"""Sign-in with OpenID Connect, end to end against a real provider process on loopback:
discovery, authorization code with PKCE, token, ID token checks, userinfo, linking by
verified email and then by the provider's (iss, sub), sessions of deactivated people."""

import json
import logging
import time
from binascii import unhexlify
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.test import Client
from django_otp.oath import TOTP

from apps.accounts.models import ExternalIdentity, Membership, User
from apps.accounts.oidc import KuraOIDCBackend
from apps.accounts.services import two_factor_enable, two_factor_enrolment_new
from tests.accounts.factories import ExternalIdentityFactory, MembershipFactory, UserFactory
from tests.conftest import host_of, operator_login
from tests.oidc_provider.process import run_provider

pytestmark = pytest.mark.django_db

CLIENT_ID, CLIENT_SECRET = "kura-test", "kura-test-secret"


@pytest.fixture(scope="module")
def issuer():
    users = [
        ("alice-sub", "alice@example.com", True),
        ("mallory-sub", "mallory@example.com", False),
        ("carol-sub", "carol@example.com", True),
    ]
    with run_provider(0, CLIENT_ID, CLIENT_SECRET, ["http://test-"], users) as url:
        yield url


@pytest.fixture
def oidc_settings(settings, issuer):
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    return settings


def provider_user(issuer: str, sub: str, email: str, *, verified: bool = True) -> None:
    """Add a person at the provider, or change the email of the one with this sub."""
    response = requests.post(
        f"{issuer}/users",
        data={"sub": sub, "email": email, "email_verified": str(verified).lower()},
        timeout=10,
    )
    assert response.status_code == 200


def links() -> list[tuple[str, str, str]]:
    return list(
        ExternalIdentity.objects.order_by("id").values_list("user__email", "issuer", "subject")
    )


def sign_in(client, login_hint: str, id_token_claims: dict[str, Any] | None = None):
    """Walk the browser's part of the flow: our start URL, the provider, our callback.

    `id_token_claims` are laid over the ID token's claims by the provider."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    authorize = start["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]
    assert query["nonce"][0]
    params = {"login_hint": login_hint}
    if id_token_claims is not None:
        params["id_token_claims"] = json.dumps(id_token_claims)
    at_provider = requests.get(authorize, params=params, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    callback = urlsplit(at_provider.headers["Location"])
    assert callback.netloc == client.defaults["HTTP_HOST"]
    return client.get(f"{callback.path}?{callback.query}")


def test_login_page_offers_the_provider_when_configured(client, tenant, oidc_settings):
    body = client.get("/login", HTTP_HOST=host_of(tenant)).content.decode()
    assert "/oidc/authenticate/" in body


def test_login_page_has_no_provider_button_when_off(client, tenant, settings):
    settings.OIDC_ISSUER = ""
    assert (
        "/oidc/authenticate/"
        not in client.get("/login", HTTP_HOST=host_of(tenant)).content.decode()
    )


def test_verified_email_links_to_the_existing_member(client, tenant, oidc_settings):
    alice = MembershipFactory(tenant=tenant, user=UserFactory(email="alice@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    done = sign_in(client, "alice@example.com")
    assert done.status_code == 302
    assert done["Location"] == "/"
    profile = client.get("/profile")
    assert profile.status_code == 200
    assert profile.context["membership"] == alice


def test_people_who_use_two_factor_pass_our_second_step_after_the_provider(
    client, tenant, oidc_settings
):
    """The provider's answer does not reliably say whether it asked for a second factor,
    so Kura asks for its own (apps/accounts/oidc.py)."""
    alice = MembershipFactory(tenant=tenant, user=UserFactory(email="alice@example.com"))
    key = two_factor_enrolment_new(user=alice.user).key
    device, _codes = two_factor_enable(
        user=alice.user, key=key, code=f"{TOTP(unhexlify(key)).token():06d}", tenant=None, ip=""
    )
    client.defaults["HTTP_HOST"] = host_of(tenant)
    done = sign_in(client, "alice@example.com")
    assert done["Location"] == "/login/two-factor"
    assert client.get("/profile").status_code == 302  # not signed in yet
    totp = TOTP(device.bin_key)
    totp.time = time.time() + 30
    finished = client.post("/login/two-factor", {"code": f"{totp.token():06d}"})
    assert finished["Location"] == "/"
    assert client.get("/profile").context["membership"] == alice
    assert client.session[BACKEND_SESSION_KEY] == "apps.accounts.oidc.KuraOIDCBackend"


def test_unverified_email_is_refused(client, tenant, oidc_settings):
    MembershipFactory(tenant=tenant, user=UserFactory(email="mallory@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    done = sign_in(client, "mallory@example.com")
    assert done["Location"] == "/login?oidc=failed"
    assert client.get("/profile").status_code == 302
    assert links() == []


def test_verified_email_without_membership_here_is_refused(
    client, tenant, other_tenant, oidc_settings
):
    MembershipFactory(tenant=other_tenant, user=UserFactory(email="carol@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    done = sign_in(client, "carol@example.com")
    assert done["Location"] == "/login?oidc=failed"
    assert not Membership.objects.filter(tenant=tenant, user__email="carol@example.com").exists()
    assert links() == []  # a refused sign-in links nothing


def test_first_sign_in_by_verified_email_links_the_subject(client, tenant, oidc_settings):
    MembershipFactory(tenant=tenant, user=UserFactory(email="alice@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    assert sign_in(client, "alice@example.com")["Location"] == "/"
    assert links() == [("alice@example.com", oidc_settings.OIDC_ISSUER, "alice-sub")]
    assert client.session[BACKEND_SESSION_KEY] == "apps.accounts.oidc.KuraOIDCBackend"


def test_linked_subject_signs_in_after_its_email_changed_at_the_provider(
    client, tenant, issuer, oidc_settings
):
    dora = MembershipFactory(tenant=tenant, user=UserFactory(email="dora@example.com"))
    # The provider's new email is another member's: the subject still decides.
    MembershipFactory(tenant=tenant, user=UserFactory(email="erin@example.com"))
    provider_user(issuer, "dora-sub", "dora@example.com")
    client.defaults["HTTP_HOST"] = host_of(tenant)
    assert sign_in(client, "dora-sub")["Location"] == "/"
    linked = ExternalIdentity.objects.get(subject="dora-sub")
    client.logout()

    provider_user(issuer, "dora-sub", "erin@example.com")
    assert sign_in(client, "dora-sub")["Location"] == "/"
    assert client.get("/profile").context["membership"] == dora
    assert links() == [("dora@example.com", issuer, "dora-sub")]
    linked_again = ExternalIdentity.objects.get(pk=linked.pk)
    assert linked_again.last_used_at > linked.last_used_at


def test_another_subject_with_a_linked_accounts_email_is_refused(
    client, tenant, issuer, oidc_settings, caplog
):
    frank = MembershipFactory(tenant=tenant, user=UserFactory(email="frank@example.com"))
    provider_user(issuer, "frank-sub", "frank@example.com")
    client.defaults["HTTP_HOST"] = host_of(tenant)
    assert sign_in(client, "frank-sub")["Location"] == "/"
    client.logout()

    # Someone else at the provider now holds frank's (verified) email.
    provider_user(issuer, "frank-sub", "frank.old@example.com")
    provider_user(issuer, "intruder-sub", "frank@example.com")
    with caplog.at_level(logging.WARNING, logger="apps.accounts.oidc"):
        assert sign_in(client, "intruder-sub")["Location"] == "/login?oidc=failed"
    assert client.get("/profile").status_code == 302
    assert links() == [("frank@example.com", issuer, "frank-sub")]
    warning = (
        f"OpenID Connect: subject 'intruder-sub' of {issuer} has the email of user"
        f" {frank.user.pk}, who is linked to another subject there; refused"
    )
    assert caplog.messages == [warning]


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "someone-else"},
        {"aud": ["someone-else", "another"]},
        {"aud": [CLIENT_ID, "someone-else"]},  # several audiences and no azp
        {"aud": [CLIENT_ID, "someone-else"], "azp": "someone-else"},
        {"azp": "someone-else"},
        {"iss": "http://127.0.0.1:9/"},
        {"iss": "https://evil.example"},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        {"iat": int(time.time()) + 3600},
    ],
    ids=[
        "other-aud",
        "other-auds",
        "several-auds-no-azp",
        "azp-other",
        "azp-other-single-aud",
        "iss-other-port",
        "iss-other-host",
        "expired",
        "issued-in-the-future",
    ],
)
def test_id_token_not_for_us_is_refused(client, tenant, oidc_settings, claims):
    MembershipFactory(tenant=tenant, user=UserFactory(email="alice@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    done = sign_in(client, "alice@example.com", id_token_claims=claims)
    assert done.status_code == 302
    assert done["Location"] == "/login?oidc=failed"
    assert client.get("/profile").status_code == 302
    assert links() == []


def test_several_audiences_with_our_azp_sign_in(client, tenant, oidc_settings):
    alice = MembershipFactory(tenant=tenant, user=UserFactory(email="alice@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    claims = {"aud": [CLIENT_ID, "someone-else"], "azp": CLIENT_ID}
    assert sign_in(client, "alice@example.com", id_token_claims=claims)["Location"] == "/"
    assert client.get("/profile").context["membership"] == alice


def test_deactivated_persons_oidc_session_ends_at_the_next_request(client, tenant, oidc_settings):
    alice = MembershipFactory(tenant=tenant, user=UserFactory(email="alice@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    assert sign_in(client, "alice@example.com")["Location"] == "/"
    assert client.session[BACKEND_SESSION_KEY] == "apps.accounts.oidc.KuraOIDCBackend"
    assert client.get("/profile").status_code == 200

    alice.user.is_active = False
    alice.user.save(update_fields=["is_active"])
    profile = client.get("/profile")
    assert profile.status_code == 302
    assert profile["Location"] == "/login?next=/profile"


def test_deactivated_persons_session_ends_even_with_oidc_turned_off(client, tenant, oidc_settings):
    alice = MembershipFactory(tenant=tenant, user=UserFactory(email="alice@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    assert sign_in(client, "alice@example.com")["Location"] == "/"
    oidc_settings.OIDC_ISSUER = ""
    assert client.get("/profile").status_code == 200
    alice.user.is_active = False
    alice.user.save(update_fields=["is_active"])
    assert client.get("/profile").status_code == 302


def test_linked_but_deactivated_person_cannot_sign_in(client, tenant, oidc_settings):
    alice = MembershipFactory(tenant=tenant, user=UserFactory(email="alice@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    assert sign_in(client, "alice@example.com")["Location"] == "/"
    client.logout()
    alice.user.is_active = False
    alice.user.save(update_fields=["is_active"])
    assert sign_in(client, "alice@example.com")["Location"] == "/login?oidc=failed"


def test_linked_person_must_still_be_a_member_here(client, tenant, other_tenant, oidc_settings):
    alice = MembershipFactory(tenant=tenant, user=UserFactory(email="alice@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    assert sign_in(client, "alice@example.com")["Location"] == "/"
    client.logout()
    client.defaults["HTTP_HOST"] = host_of(other_tenant)
    assert sign_in(client, "alice@example.com")["Location"] == "/login?oidc=failed"
    assert links() == [("alice@example.com", oidc_settings.OIDC_ISSUER, "alice-sub")]
    connection.set_schema_to_public()  # as the operator: row-level security hides alpha's rows
    alice.delete()
    client.defaults["HTTP_HOST"] = host_of(tenant)
    assert sign_in(client, "alice@example.com")["Location"] == "/login?oidc=failed"


@pytest.mark.parametrize("missing", ["iss", "sub", "aud", "exp", "iat"])
def test_id_token_without_a_required_claim_is_refused(oidc_settings, missing):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {"iss": oidc_settings.OIDC_ISSUER, "sub": "s", "aud": CLIENT_ID, "exp": now + 60}
    claims["iat"] = now
    backend = KuraOIDCBackend()
    token = jwt.encode(claims, key, algorithm="RS256")
    assert backend.get_payload_data(token, key.public_key()) == claims
    del claims[missing]
    with pytest.raises(SuspiciousOperation) as refused:
        backend.get_payload_data(jwt.encode(claims, key, algorithm="RS256"), key.public_key())
    assert str(refused.value) == f'ID token refused: Token is missing the "{missing}" claim'


def test_id_token_signed_with_another_algorithm_is_refused(oidc_settings):
    now = int(time.time())
    claims = {"iss": oidc_settings.OIDC_ISSUER, "sub": "s", "aud": CLIENT_ID, "exp": now + 60}
    # The classic confusion: an HMAC "signature" keyed with something the client knows.
    secret = CLIENT_SECRET * 4
    token = jwt.encode({**claims, "iat": now}, secret, algorithm="HS256")
    with pytest.raises(SuspiciousOperation) as refused:
        KuraOIDCBackend().get_payload_data(token, secret)
    assert str(refused.value) == "ID token refused: The specified alg value is not allowed"


def test_operators_see_links_and_may_only_delete_them(tenant, oidc_settings):
    alice = UserFactory(email="alice@example.com")
    link = ExternalIdentityFactory(
        user=alice, issuer=oidc_settings.OIDC_ISSUER, subject="alice-sub"
    )
    operator = User.objects.create_superuser("ops@kura.example", "ops-password-123")
    admin = Client(HTTP_HOST="localhost")
    operator_login(admin, operator)
    listing = admin.get("/admin/accounts/externalidentity/")
    assert listing.status_code == 200
    assert "alice-sub" in listing.content.decode()
    assert admin.get("/admin/accounts/externalidentity/add/").status_code == 403
    url = f"/admin/accounts/externalidentity/{link.pk}/change/"
    assert admin.post(url, {"subject": "mallory-sub"}).status_code == 403
    deleted = admin.post(f"/admin/accounts/externalidentity/{link.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert links() == []
