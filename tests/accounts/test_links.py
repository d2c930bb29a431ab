"""Every emailed link, and every redirect to another host, names the address of
configuration (PUBLIC_SCHEME, PUBLIC_PORT, BASE_DOMAIN), whatever Host, port or forwarded
headers the request came with: reset, unlock (web, API, operators' admin), invitation,
verification (signup and again), the sign-in links of "find my company"."""

import re

import pytest
from django.core import mail
from django.test import Client

from apps.core.hosts import host_url
from apps.tenants.models import Tenant
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.accounts.test_signup import signup
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s/]+/\S*")


def hostile(host: str, other_tenant: Tenant) -> Client:
    """A client whose Host carries a port of its own choosing and that names another
    company's host (and https) in the headers a proxy would add."""
    return Client(
        HTTP_HOST=f"{host}:1337",
        HTTP_X_FORWARDED_HOST=f"{host_of(other_tenant)}:9999",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_PORT="9999",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def emailed_links() -> list[str]:
    return [link for message in mail.outbox for link in LINK.findall(message.body)]


def origins(links: list[str]) -> list[str]:
    return ["/".join(link.split("/", 3)[:3]) for link in links]


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    return settings


@pytest.fixture(
    params=[
        (("http", 0), "http://test-alpha.localhost"),
        (("http", 80), "http://test-alpha.localhost"),
        (("https", 443), "https://test-alpha.localhost"),
        (("https", 8443), "https://test-alpha.localhost:8443"),
        (("http", 8000), "http://test-alpha.localhost:8000"),
    ]
)
def configured_origin(request, settings) -> str:
    """A configured scheme and port, and what test-alpha's links start with then."""
    settings.PUBLIC_SCHEME, settings.PUBLIC_PORT = request.param[0]
    return str(request.param[1])


def test_the_reset_link_is_on_the_configured_address(
    tenant, other_tenant, member, configured_origin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = hostile(host_of(tenant), other_tenant).post(
            "/password/reset", {"email": member.user.email}
        )
    assert response.status_code == 302
    [link] = emailed_links()
    assert re.fullmatch(rf"{re.escape(configured_origin)}/password/reset/[\w-]+/[\w-]+", link)


def test_the_reset_link_of_the_public_site(
    tenant, other_tenant, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hostile("localhost", other_tenant).post("/password/reset", {"email": member.user.email})
    [link] = emailed_links()
    assert link.startswith("http://localhost/password/reset/")


def test_the_unlock_links_of_a_web_sign_in(
    tenant, other_tenant, member, limits, django_capture_on_commit_callbacks
):
    client = hostile(host_of(tenant), other_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            client.post("/login", {"email": member.user.email, "password": "wrong"})
    links = emailed_links()
    assert origins(links) == ["http://test-alpha.localhost", "http://test-alpha.localhost"]
    assert links[0].startswith("http://test-alpha.localhost/unlock?token=")
    assert links[1] == "http://test-alpha.localhost/password/reset"


def test_the_unlock_link_of_an_api_sign_in(
    tenant, other_tenant, member, limits, django_capture_on_commit_callbacks
):
    client = hostile(host_of(tenant), other_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(
                "/auth/login",
                {"email": member.user.email, "password": "wrong"},
                content_type="application/json",
            ).status_code
            for _ in range(2)
        ]
    assert answers == [401, 429]
    assert origins(emailed_links()) == [
        "http://test-alpha.localhost",
        "http://test-alpha.localhost",
    ]


def test_the_unlock_link_of_the_operators_admin(
    other_tenant, limits, django_capture_on_commit_callbacks
):
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = hostile("localhost", other_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            client.post("/admin/login/", {"username": operator.email, "password": "wrong"})
    links = emailed_links()
    assert links[0].startswith("http://localhost/unlock?token=")
    assert links[1] == "http://localhost/password/reset"


def test_the_invitation_link(
    tenant, other_tenant, owner, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_SCHEME, settings.PUBLIC_PORT = "https", 8443
    client = hostile(host_of(tenant), other_tenant)
    client.force_login(owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/members", {"action": "invite", "email": "new@example.com", "role": "member"}
        )
    assert response.status_code == 302
    [link] = emailed_links()
    assert link.startswith("https://test-alpha.localhost:8443/invitations/")


def test_signup_verification_link_and_the_way_to_the_new_company(
    other_tenant, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_SCHEME, settings.PUBLIC_PORT = "https", 8443
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(hostile("localhost", other_tenant))
    assert re.fullmatch(r"https://initech\.localhost:8443/handoff\?token=\S+", response["Location"])
    [link] = emailed_links()
    assert link.startswith("https://initech.localhost:8443/verify-email?token=")


def test_the_verification_link_sent_again(tenant, other_tenant, django_capture_on_commit_callbacks):
    person = MembershipFactory(tenant=tenant, user=UserFactory(email_verified_at=None))
    client = hostile(host_of(tenant), other_tenant)
    client.force_login(person.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/verify-email/send")
    [link] = emailed_links()
    assert link.startswith("http://test-alpha.localhost/verify-email?token=")


def test_the_sign_in_links_of_find_my_company(
    tenant, other_tenant, django_capture_on_commit_callbacks
):
    person = UserFactory(email="peter@example.com")
    MembershipFactory(tenant=tenant, user=person)
    UserFactory(email="nobody-yet@example.com")
    client = hostile("localhost", other_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/find", {"email": "peter@example.com"})
        client.post("/find", {"email": "nobody-yet@example.com"})
    assert emailed_links() == ["http://test-alpha.localhost/login", "http://localhost/signup"]


def test_moving_to_another_company_goes_to_its_configured_address(
    tenant, other_tenant, member, settings
):
    settings.PUBLIC_SCHEME, settings.PUBLIC_PORT = "https", 8443
    MembershipFactory(tenant=other_tenant, user=member.user)
    client = hostile(host_of(tenant), other_tenant)
    client.force_login(member.user)
    jump = client.get(f"/switch/{other_tenant.slug}")
    assert re.fullmatch(r"https://test-beta\.localhost:8443/handoff\?token=\S+", jump["Location"])


def test_host_url(settings):
    settings.PUBLIC_SCHEME, settings.PUBLIC_PORT = "https", 0
    assert host_url("/find") == "https://localhost/find"
    assert host_url("/login", slug="acme") == "https://acme.localhost/login"
