"""Password guessing: every place that checks a password goes through one function with the
address and (email, address) limits, counted in the real Redis before the slow hash."""

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_redis import get_redis_connection

from apps.accounts.models import Membership, User
from apps.accounts.principal import Principal
from apps.accounts.services import invitation_create
from apps.tenants.models import Tenant
from tests.accounts.factories import TOTPDeviceFactory, UserFactory
from tests.api import PASSWORD, api_client
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

ATTACKER, VICTIM_HOME = "198.51.100.66", "203.0.113.10"


def attempt(tenant, email: str, password: str, ip: str = ATTACKER):
    return api_client(tenant).post(
        "/auth/login", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip
    )


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCK_BASE_SECONDS = 60
    settings.LOGIN_LOCK_SECONDS = 900
    return settings


def test_failures_lock_only_the_email_from_that_address(tenant, member, limits):
    email = member.user.email
    assert [attempt(tenant, email, "wrong").status_code for _ in range(2)] == [401, 401]
    locked = attempt(tenant, email, "wrong")
    assert locked.status_code == 429
    assert locked.json()["code"] == "sign_in_locked"
    assert locked["Retry-After"] == "60"
    # From the attacker's address even the right password is refused now ...
    assert attempt(tenant, email, PASSWORD).json()["code"] == "sign_in_locked"
    # ... but the person signs in from their own address.
    assert attempt(tenant, email, PASSWORD, ip=VICTIM_HOME).status_code == 200


def test_locks_grow_longer_each_time(tenant, member, limits):
    email = member.user.email
    retry_after = []
    for _round in range(3):
        for _ in range(3):
            response = attempt(tenant, email, "wrong")
        retry_after.append(response["Retry-After"])
        # Lift the lock itself (as its expiry would), keeping the day's level.

        redis = get_redis_connection("default")
        for key in redis.scan_iter("kura:signin:lock:*"):
            redis.delete(key)
    assert retry_after == ["60", "120", "240"]


def test_unknown_and_existing_emails_get_the_same_answers(tenant, member, limits):
    def answers(email: str) -> list[tuple[int, str, str]]:
        out = []
        for _ in range(4):
            response = attempt(tenant, email, "wrong")
            body = response.json()
            out.append((response.status_code, body["code"], body["message"]))
        return out

    assert answers(member.user.email) == answers("nobody-here@example.com")


def test_the_lock_emails_the_owner_a_link_that_lifts_it(
    tenant, member, limits, django_capture_on_commit_callbacks
):
    email = member.user.email
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            attempt(tenant, email, "wrong")
    assert [m.to for m in mail.outbox] == [[email]]
    link = re.search(r"http://\S+/unlock\?token=\S+", mail.outbox[0].body).group(0)
    path = link.split(host_of(tenant), 1)[1]

    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    assert client.get(path).status_code == 302
    assert attempt(tenant, email, PASSWORD).status_code == 200
    # The link works once.
    response = client.get(path, follow=True)
    assert "was already used" in response.content.decode()

    # Unknown emails are locked the same way, but nobody is emailed.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            attempt(tenant, "ghost@example.com", "wrong")
    assert mail.outbox == []


def test_deactivated_accounts_get_the_wrong_password_answer(tenant, member):
    User.objects.filter(pk=member.user_id).update(is_active=False)
    response = attempt(tenant, member.user.email, PASSWORD)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_a_busy_address_still_lets_in_people_who_signed_in_from_it_before(tenant, member, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    office = "192.0.2.50"
    assert attempt(tenant, member.user.email, PASSWORD, ip=office).status_code == 200
    for i in range(4):
        attempt(tenant, f"typo{i}@example.com", "x", ip=office)
    assert attempt(tenant, "newcomer@example.com", "x", ip=office).status_code == 429
    assert attempt(tenant, member.user.email, PASSWORD, ip=office).status_code == 200


# --- every other place that checks a password ---------------------------------------------


def test_signup_with_an_existing_email_is_limited_like_sign_in(public_client, member, limits):
    def signup(slug: str, password: str):
        return public_client.post(
            "/signup",
            {
                "company_name": "Guess",
                "slug": slug,
                "full_name": "X",
                "email": member.user.email,
                "password": password,
            },
            REMOTE_ADDR=ATTACKER,
            HTTP_ACCEPT_LANGUAGE="en",
        )

    for i in range(2):
        page = signup(f"guess-{i}", "wrong-password-1").content.decode()
        assert "The email address or password is not correct." in page
    assert "Too many failed sign-ins" in signup("guess-3", "wrong-password-1").content.decode()
    # Even the right password is refused from there now; nothing was created.
    assert "Too many failed sign-ins" in signup("guess-4", PASSWORD).content.decode()
    assert not Tenant.objects.filter(slug__startswith="guess-").exists()


def test_invitation_acceptance_by_an_existing_account_is_limited(
    tenant, owner, limits, django_capture_on_commit_callbacks
):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            tenant=tenant,
            email=person.email,
            role="member",
            actor=Principal.of_membership(owner),
            accept_url="http://x/invitations/",
        )
    token = re.search(r"/invitations/(\S+)", mail.outbox[-1].body).group(1)
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=ATTACKER)
    pages = [
        client.post(f"/invitations/{token}", {"password": "wrong"}).content.decode()
        for _ in range(3)
    ]
    assert "Too many failed sign-ins" in pages[-1]
    assert "Too many failed sign-ins" in (
        client.post(f"/invitations/{token}", {"password": PASSWORD}).content.decode()
    )
    assert not Membership.objects.filter(user=person, tenant=tenant).exists()


def test_the_operators_admin_login_is_limited(public_client, limits):
    operator = UserFactory(is_staff=True, is_superuser=True)

    def login(password: str):
        return public_client.post(
            "/admin/login/",
            {"username": operator.email, "password": password, "next": "/admin/"},
            REMOTE_ADDR=ATTACKER,
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert login("wrong").status_code == 200
    assert login("wrong").status_code == 200
    assert "Too many failed sign-ins" in login("wrong").content.decode()
    assert "Too many failed sign-ins" in login(PASSWORD).content.decode()
    public_client.defaults["REMOTE_ADDR"] = VICTIM_HOME
    device = TOTPDeviceFactory(user=operator)
    code = f"{TOTP(device.bin_key).token():06d}"
    response = public_client.post(
        "/admin/login/",
        {"username": operator.email, "password": PASSWORD, "otp_token": code, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
