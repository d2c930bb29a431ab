"""Sign-in with OpenID Connect, end to end against a real provider process on loopback:
discovery, authorization code with PKCE, token, userinfo, linking by verified email."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from apps.accounts.models import Membership
from tests.conftest import host_of
from tests.factories import MembershipFactory, UserFactory
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


def sign_in(client, login_hint: str):
    """Walk the browser's part of the flow: our start URL, the provider, our callback."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    authorize = start["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]
    assert query["nonce"][0]
    at_provider = requests.get(
        authorize, params={"login_hint": login_hint}, allow_redirects=False, timeout=10
    )
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


def test_unverified_email_is_refused(client, tenant, oidc_settings):
    MembershipFactory(tenant=tenant, user=UserFactory(email="mallory@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    done = sign_in(client, "mallory@example.com")
    assert done["Location"] == "/login?oidc=failed"
    assert client.get("/profile").status_code == 302


def test_verified_email_without_membership_here_is_refused(
    client, tenant, other_tenant, oidc_settings
):
    MembershipFactory(tenant=other_tenant, user=UserFactory(email="carol@example.com"))
    client.defaults["HTTP_HOST"] = host_of(tenant)
    done = sign_in(client, "carol@example.com")
    assert done["Location"] == "/login?oidc=failed"
    assert not Membership.objects.filter(tenant=tenant, user__email="carol@example.com").exists()
