"""Two-factor sign-in against the real services: enrolment, the second step of web and API
sign-ins, replays, recovery codes, turning it off, the owner's requirement, and operators
in the admin."""

import math
import time
from base64 import b32encode
from binascii import unhexlify
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import Membership, User
from apps.accounts.services import two_factor_enable, two_factor_enrolment_new
from apps.audit.models import AuditEntry
from apps.tenants.models import Tenant
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.api import PASSWORD, api_client
from tests.conftest import host_of, operator_login

pytestmark = pytest.mark.django_db


def code_for(key: str, *, steps_ahead: int = 0) -> str:
    """What the person's authenticator app shows now (or `steps_ahead` periods later)."""
    totp = TOTP(unhexlify(key.encode()))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    """Two-factor on for `user`, as the enrolment page leaves it (the confirming code is
    spent: the next accepted code is the next period's)."""
    key = two_factor_enrolment_new(user=user).key
    return two_factor_enable(user=user, key=key, code=code_for(key), tenant=None, ip="")


def web(tenant: Tenant) -> Client:
    return Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")


def password_step(client: Client, membership: Membership, next_url: str = "") -> str:
    response = client.post(
        f"/login{next_url}", {"email": membership.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return str(response["Location"])


def api_login(tenant: Tenant, membership: Membership, **otp: str):  # type: ignore[no-untyped-def]
    return api_client(tenant).post(
        "/auth/login",
        {"email": membership.user.email, "password": PASSWORD, **otp},
        format="json",
    )


def test_enrolment_shows_a_qr_code_confirms_with_a_code_and_shows_recovery_codes_once(
    tenant, member, page_of
):
    client = page_of(member)
    page = client.get("/profile/two-factor").content.decode()
    assert '<svg viewBox="0 0 ' in page  # the QR code, inline
    key = client.session["kura_two_factor_key"]
    secret = page.split('data-testid="two-factor-secret">', 1)[1].split("<", 1)[0]
    assert secret.replace(" ", "") == b32encode(unhexlify(key)).decode()
    assert client.get("/profile/two-factor").content.decode().count(secret) == 1  # same key
    assert not TOTPDevice.objects.filter(user=member.user).exists()  # nothing stored yet

    wrong = client.post("/profile/two-factor", {"code": "000000"}).content.decode()
    assert "That code does not match." in wrong
    assert not TOTPDevice.objects.filter(user=member.user).exists()

    response = client.post("/profile/two-factor", {"code": code_for(key)})
    assert response.status_code == 302
    assert response["Location"] == "/profile/two-factor"
    device = TOTPDevice.objects.get(user=member.user)
    assert (device.confirmed, device.key) == (True, key)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    shown = client.get("/profile/two-factor").content.decode()
    codes = shown.split('data-testid="recovery-codes-text">', 1)[1].split("</textarea>")[0].split()
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=member.user).values_list("token", flat=True)
    )
    assert len(codes) == 10
    assert "10 recovery codes left." in shown
    again = client.get("/profile/two-factor").content.decode()
    assert 'data-testid="recovery-codes"' not in again  # shown once
    assert "Two-factor sign-in is on since" in again
    assert "On since" in client.get("/profile").content.decode()


def test_sign_in_asks_for_a_code_after_the_password(tenant, member):
    device, _codes = enrol(member.user)
    client = web(tenant)
    assert password_step(client, member, "?next=/files") == "/login/two-factor"
    assert client.get("/profile").status_code == 302  # not signed in yet
    page = client.get("/login/two-factor")
    assert "Enter the 6-digit code" in page.content.decode()

    response = client.post("/login/two-factor", {"code": code_for(device.key, steps_ahead=1)})
    assert response.status_code == 302
    assert response["Location"] == "/files"
    assert client.get("/profile").status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_five_wrong_codes_end_the_pending_sign_in(tenant, member):
    device, _codes = enrol(member.user)
    client = web(tenant)
    password_step(client, member)
    for _ in range(4):
        page = client.post("/login/two-factor", {"code": "000000"})
        assert page.status_code == 200
        assert "That code is not correct, or it was already used." in page.content.decode()
        wait_over(device)  # each code a wrong one, none refused for coming too soon
    ended = client.post("/login/two-factor", {"code": "000000"}, follow=True)
    assert ended.redirect_chain == [("/login", 302)]
    assert "Too many wrong codes. Please sign in again." in ended.content.decode()
    late = client.post("/login/two-factor", {"code": code_for(device.key, steps_ahead=1)})
    assert late["Location"] == "/login"
    assert client.get("/profile").status_code == 302


@pytest.fixture
def throttle(settings):
    """django-otp's throttling with a 10-second first wait (1 by default; off in the test
    settings, so the other tests need not wait), so a test sees it however slow the machine."""
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 10


def waits(device: Device, before: float) -> list[int]:
    """The whole seconds left of `device`'s throttle, seen between `before` and now (the
    answer's Retry-After is one of them; the same one unless a second boundary passed)."""
    device.refresh_from_db()
    wait = 10 * 2 ** (device.throttling_failure_count - 1)
    until = device.throttling_failure_timestamp.timestamp() + wait
    return sorted({math.ceil(until - time.time()), math.ceil(until - before)})


def wait_over(device: Device) -> None:
    """As if the throttle's wait had passed."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1)
    )


def test_after_a_wrong_code_the_page_says_to_wait(tenant, member, throttle):
    """django-otp's throttling: after a wrong code even the right one waits, and the page
    says so (429, Retry-After) instead of calling it wrong; the wait is not a wrong code."""
    device, _codes = enrol(member.user)
    client = web(tenant)
    password_step(client, member)
    good = code_for(device.key, steps_ahead=1)
    wrong = client.post("/login/two-factor", {"code": "000000"})
    assert wrong.status_code == 200
    assert "That code is not correct, or it was already used." in wrong.content.decode()
    for _ in range(5):  # more than the pending sign-in's five wrong codes
        before = time.time()
        waiting = client.post("/login/two-factor", {"code": good})
        assert waiting.status_code == 429
        assert int(waiting["Retry-After"]) in waits(device, before)
        seconds = waiting["Retry-After"]
        assert waiting.context["form"].errors == {
            "code": [f"Too many wrong codes in a row. Wait {seconds} seconds, then try again."]
        }
    assert TOTPDevice.objects.get(pk=device.pk).last_t == device.last_t  # not even tried
    wait_over(device)
    assert client.post("/login/two-factor", {"code": good})["Location"] == "/"


def test_after_wrong_codes_the_api_answers_429_with_retry_after(tenant, member, throttle):
    device, codes = enrol(member.user)
    good = code_for(device.key, steps_ahead=1)
    assert api_login(tenant, member, otp="123456").json()["code"] == "otp_invalid"
    before = time.time()
    waiting = api_login(tenant, member, otp=good)
    seconds = int(waiting["Retry-After"])
    assert seconds in waits(device, before)
    assert (waiting.status_code, waiting.json()) == (
        429,
        {
            "status": 429,
            "code": "otp_throttled",
            "message": f"Too many wrong codes in a row. Wait {seconds} seconds, then try again.",
            "errors": {},
        },
    )
    # Recovery codes have a throttle of their own, said the same way.
    static = StaticDevice.objects.get(user=member.user)
    assert api_login(tenant, member, otp="not-a-code").json()["code"] == "otp_invalid"
    before = time.time()
    waiting = api_login(tenant, member, otp=codes[0])
    assert (waiting.status_code, waiting.json()["code"]) == (429, "otp_throttled")
    assert int(waiting["Retry-After"]) in waits(static, before)
    assert StaticToken.objects.filter(device=static).count() == 10  # not used up
    # After four wrong codes the wait is 80 seconds: said in minutes.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=4, throttling_failure_timestamp=timezone.now()
    )
    minutes = api_login(tenant, member, otp=good).json()["message"]
    assert minutes == "Too many wrong codes in a row. Wait 2 minutes, then try again."
    wait_over(device)
    assert api_login(tenant, member, otp=good).status_code == 200


def test_new_recovery_codes_wait_too(tenant, member, page_of, throttle):
    device, _codes = enrol(member.user)
    client = page_of(member)
    url = "/profile/two-factor/recovery-codes"
    client.post(url, {"regenerate-code": "999999"})
    waiting = client.post(url, {"regenerate-code": code_for(device.key, steps_ahead=1)})
    assert waiting.status_code == 429
    seconds = waiting["Retry-After"]
    assert waiting.context["regenerate_form"].errors == {
        "code": [f"Too many wrong codes in a row. Wait {seconds} seconds, then try again."]
    }


def test_the_pending_sign_in_expires_and_is_bound_to_its_host(
    tenant, other_tenant, member, settings
):
    device, _codes = enrol(member.user)
    client = web(tenant)
    password_step(client, member)
    elsewhere = web(other_tenant)
    elsewhere.cookies = client.cookies  # the same session, were it sent to another host
    assert elsewhere.get("/login/two-factor")["Location"] == "/login"
    client = web(tenant)
    password_step(client, member)
    settings.TWO_FACTOR_PENDING_SECONDS = -1
    expired = client.post(
        "/login/two-factor", {"code": code_for(device.key, steps_ahead=1)}, follow=True
    )
    assert expired.redirect_chain == [("/login", 302)]
    assert "Your sign-in took too long or was ended." in expired.content.decode()
    assert TOTPDevice.objects.get(pk=device.pk).last_t == device.last_t  # not even tried


def test_a_code_is_accepted_once_on_the_web_and_in_the_api(tenant, member):
    device, _codes = enrol(member.user)
    code = code_for(device.key, steps_ahead=1)
    first = web(tenant)
    password_step(first, member)
    assert first.post("/login/two-factor", {"code": code})["Location"] == "/"

    second = web(tenant)
    password_step(second, member)
    replay = second.post("/login/two-factor", {"code": code})
    assert replay.status_code == 200
    assert "That code is not correct, or it was already used." in replay.content.decode()
    wait_over(device)
    refused = api_login(tenant, member, otp=code)
    assert refused.status_code == 401
    assert refused.json()["code"] == "otp_invalid"
    # The confirming code of enrolment was spent too.
    wait_over(device)
    assert api_login(tenant, member, otp=code_for(device.key)).json()["code"] == "otp_invalid"


def test_the_api_asks_for_the_code_of_people_who_use_two_factor(tenant, member):
    device, _codes = enrol(member.user)
    missing = api_login(tenant, member)
    assert (missing.status_code, missing.json()["code"]) == (401, "otp_required")
    assert missing.json()["message"] == (
        "Enter a code from your authenticator app or a recovery code."
    )
    wrong = api_login(tenant, member, otp="123456")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "otp_invalid")
    signed_in = api_login(tenant, member, otp=code_for(device.key, steps_ahead=1))
    assert signed_in.status_code == 200
    assert set(signed_in.json()) == {"access_token", "refresh_token", "token_type", "expires_in"}
    # Without two-factor, `otp` is ignored.
    other = MembershipFactory(tenant=tenant, role="member")
    assert api_login(tenant, other, otp="whatever").status_code == 200


def test_recovery_codes_work_once(tenant, member):
    _device, codes = enrol(member.user)
    client = web(tenant)
    password_step(client, member)
    signed_in = client.post("/login/two-factor", {"code": codes[0].upper()}, follow=True)
    assert signed_in.redirect_chain == [("/", 302)]
    assert "You signed in with a recovery code; 9 are left." in signed_in.content.decode()

    again = web(tenant)
    password_step(again, member)
    refused = again.post("/login/two-factor", {"code": codes[0]})
    assert "That code is not correct, or it was already used." in refused.content.decode()
    static = StaticDevice.objects.get(user=member.user)
    wait_over(static)
    assert api_login(tenant, member, otp=codes[0]).json()["code"] == "otp_invalid"
    wait_over(static)
    assert api_login(tenant, member, otp=codes[1]).status_code == 200
    assert StaticToken.objects.filter(device__user=member.user).count() == 8


def test_new_recovery_codes_end_the_old_ones(tenant, member, page_of):
    device, old = enrol(member.user)
    client = page_of(member)
    refused = client.post("/profile/two-factor/recovery-codes", {"regenerate-code": "999999"})
    assert "That code is not correct, or it was already used." in refused.content.decode()
    assert sorted(
        StaticToken.objects.filter(device__user=member.user).values_list("token", flat=True)
    ) == sorted(old)
    made = client.post(
        "/profile/two-factor/recovery-codes",
        {"regenerate-code": code_for(device.key, steps_ahead=1)},
    )
    assert made["Location"] == "/profile/two-factor"
    page = client.get("/profile/two-factor").content.decode()
    new = page.split('data-testid="recovery-codes-text">', 1)[1].split("</textarea>")[0].split()
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    assert api_login(tenant, member, otp=old[0]).json()["code"] == "otp_invalid"
    assert api_login(tenant, member, otp=new[0]).status_code == 200


def test_turning_off_needs_the_password_and_a_code(tenant, member, page_of):
    device, codes = enrol(member.user)
    client = page_of(member)
    url = "/profile/two-factor/disable"
    wrong_password = client.post(url, {"disable-password": "nope", "disable-code": codes[0]})
    assert "The email address or password is not correct." in wrong_password.content.decode()
    wrong_code = client.post(url, {"disable-password": PASSWORD, "disable-code": "111111"})
    assert "That code is not correct, or it was already used." in wrong_code.content.decode()
    assert TOTPDevice.objects.filter(user=member.user, confirmed=True).count() == 1
    assert StaticToken.objects.filter(device__user=member.user).count() == 10

    done = client.post(
        url, {"disable-password": PASSWORD, "disable-code": code_for(device.key, steps_ahead=1)}
    )
    assert done["Location"] == "/profile/two-factor"
    assert not TOTPDevice.objects.filter(user=member.user).exists()
    assert not StaticToken.objects.filter(device__user=member.user).exists()
    assert password_step(web(tenant), member) == "/"
    assert api_login(tenant, member).status_code == 200


def test_owners_require_two_factor_of_every_member(tenant, owner, member, page_of):
    admin = MembershipFactory(tenant=tenant, role="admin")
    assert page_of(admin).post("/members/two-factor", {"required": "on"}).status_code == 403
    owners = page_of(owner)
    assert 'data-testid="require-two-factor"' in owners.get("/members").content.decode()
    assert owners.post("/members/two-factor", {"required": "on"})["Location"] == "/members"
    assert Tenant.objects.get(pk=tenant.pk).two_factor_required is True

    members = page_of(member)
    assert members.get("/files")["Location"] == "/profile/two-factor"
    assert members.get("/profile")["Location"] == "/profile/two-factor"
    assert members.get("/files", HTTP_HX_REQUEST="true")["HX-Redirect"] == "/profile/two-factor"
    page = members.get("/profile/two-factor")
    assert page.status_code == 200
    assert "requires two-factor sign-in. Set it up to go on." in page.content.decode()
    assert members.post("/logout").status_code == 302

    refused = api_login(tenant, member)
    assert (refused.status_code, refused.json()["code"]) == (403, "two_factor_setup_required")

    members = page_of(member)
    members.get("/profile/two-factor")
    key = members.session["kura_two_factor_key"]
    members.post("/profile/two-factor", {"code": code_for(key)})
    assert members.get("/files").status_code == 200
    device = TOTPDevice.objects.get(user=member.user)
    assert api_login(tenant, member, otp=code_for(device.key, steps_ahead=1)).status_code == 200

    # The owner is a member too: without a device, their next page is enrolment as well.
    assert owners.post("/members/two-factor", {})["Location"] == "/profile/two-factor"
    assert Tenant.objects.get(pk=tenant.pk).two_factor_required is True


def test_moving_to_another_company_keeps_the_second_step(tenant, other_tenant, member):
    device, _codes = enrol(member.user)
    MembershipFactory(tenant=other_tenant, user=member.user, role="member")
    client = web(tenant)
    password_step(client, member)
    client.post("/login/two-factor", {"code": code_for(device.key, steps_ahead=1)})
    handoff = client.get(f"/switch/{other_tenant.slug}")["Location"]
    there = web(other_tenant)
    assert there.get(handoff.split(host_of(other_tenant), 1)[1])["Location"] == "/"
    assert there.get("/profile").status_code == 200
    assert there.session[DEVICE_ID_SESSION_KEY] == device.persistent_id

    # A session that never passed a second factor (from before two-factor was turned on)
    # carries none: the other host asks for the code.
    unverified = web(tenant)
    unverified.force_login(member.user)
    handoff = unverified.get(f"/switch/{other_tenant.slug}")["Location"]
    there = web(other_tenant)
    assert there.get(handoff.split(host_of(other_tenant), 1)[1])["Location"] == (
        "/login/two-factor"
    )
    assert there.get("/profile").status_code == 302


def test_operators_without_two_factor_cannot_reach_the_admin(public_client):
    operator = UserFactory(is_staff=True, is_superuser=True)
    public_client.force_login(operator)  # a password-only session
    assert public_client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert public_client.get("/admin/accounts/user/").status_code == 302

    fresh = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    page = fresh.post(
        "/admin/login/", {"username": operator.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert page.status_code == 200
    assert "Operators sign in with two-factor." in page.content.decode()


def test_operators_enrol_on_the_public_site_then_sign_in_to_the_admin_with_a_code():
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="operator-password"' in client.get("/account/two-factor").content.decode()
    person = UserFactory()
    refused = client.post("/account/two-factor", {"email": person.email, "password": PASSWORD})
    assert "This page is for the operators of Kura." in refused.content.decode()

    signed = client.post("/account/two-factor", {"email": operator.email, "password": PASSWORD})
    assert signed["Location"] == "/account/two-factor"
    assert client.get("/admin/").status_code == 302  # the password alone does not open it
    page = client.get("/account/two-factor").content.decode()
    assert 'data-testid="two-factor-qr"' in page
    key = client.session["kura_two_factor_key"]
    assert client.post("/account/two-factor", {"code": code_for(key)}).status_code == 302
    assert "10 recovery codes left." in client.get("/account/two-factor").content.decode()
    assert client.get("/admin/").status_code == 200

    later = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    login = {"username": operator.email, "password": PASSWORD, "next": "/admin/"}
    missing = later.post("/admin/login/", login)
    assert "Enter a code from your authenticator app" in missing.content.decode()
    ok = later.post("/admin/login/", {**login, "otp_token": code_for(key, steps_ahead=1)})
    assert ok["Location"] == "/admin/"
    assert later.get("/admin/").status_code == 200


def test_operators_wait_after_a_wrong_code_too(throttle):
    operator = UserFactory(is_staff=True, is_superuser=True)
    device, _codes = enrol(operator)
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    login = {"username": operator.email, "password": PASSWORD, "next": "/admin/"}
    wrong = client.post("/admin/login/", {**login, "otp_token": "000000"})
    assert wrong.status_code == 200
    assert "That code is not correct, or it was already used." in wrong.content.decode()
    before = time.time()
    waiting = client.post(
        "/admin/login/", {**login, "otp_token": code_for(device.key, steps_ahead=1)}
    )
    assert waiting.status_code == 429
    seconds = waiting["Retry-After"]
    assert int(seconds) in waits(device, before)
    assert waiting.context["form"].non_field_errors() == [
        f"Too many wrong codes in a row. Wait {seconds} seconds, then try again."
    ]
    wait_over(device)
    ok = client.post("/admin/login/", {**login, "otp_token": code_for(device.key, steps_ahead=1)})
    assert ok["Location"] == "/admin/"


def test_the_shared_operator_login_verifies_a_device(public_client):
    operator = UserFactory(is_staff=True, is_superuser=True)
    device = operator_login(public_client, operator)
    assert device.confirmed is True
    assert public_client.get("/admin/").status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    assert public_client.get("/admin/").status_code == 302


def test_the_login_api_documents_the_code(client):
    schema = client.get("/api/schema?format=json", HTTP_HOST="test-alpha.localhost").json()
    login = schema["paths"]["/auth/login"]["post"]
    assert "`otp_required`" in login["responses"]["401"]["description"]
    assert "`two_factor_setup_required`" in login["responses"]["403"]["description"]
    assert "`otp_throttled`" in login["responses"]["429"]["description"]
    assert set(login["responses"]["429"]["headers"]) == {"Retry-After"}
    body = login["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "otp" in schema["components"]["schemas"][body.rsplit("/", 1)[1]]["properties"]


def test_the_audit_log_records_two_factor_events(tenant, owner, member, page_of):
    def actions() -> list[tuple[str, int | None, dict]]:
        return list(
            AuditEntry.objects.filter(
                tenant=tenant, action__contains="two_factor", actor__in=[member.user, owner.user]
            )
            .order_by("seq")
            .values_list("action", "actor_id", "data")
        )

    client = page_of(member)
    client.get("/profile/two-factor")
    client.post("/profile/two-factor", {"code": code_for(client.session["kura_two_factor_key"])})
    device = TOTPDevice.objects.get(user=member.user)
    codes = list(
        StaticToken.objects.filter(device__user=member.user).values_list("token", flat=True)
    )

    signing_in = web(tenant)
    password_step(signing_in, member)
    signing_in.post("/login/two-factor", {"code": "000000"}, REMOTE_ADDR="192.0.2.40")
    failed = AuditEntry.objects.filter(
        tenant=tenant, action="auth.sign_in_failed", actor=member.user
    ).get()
    assert (failed.actor_id, failed.ip, failed.data) == (
        member.user.pk,
        "192.0.2.40",
        {"reason": "otp"},
    )
    signing_in.post("/login/two-factor", {"code": codes[0]})
    time.sleep(0.1)
    client.post(
        "/profile/two-factor/recovery-codes",
        {"regenerate-code": code_for(device.key, steps_ahead=1)},
    )
    client.post(
        "/profile/two-factor/disable",
        {"disable-password": PASSWORD, "disable-code": client.session["kura_recovery_codes"][0]},
    )
    page_of(owner).post("/members/two-factor", {"required": "on"})
    assert actions() == [
        ("two_factor.enabled", member.user.pk, {}),
        ("two_factor.recovery_code_used", member.user.pk, {"left": 9}),
        ("two_factor.recovery_codes_regenerated", member.user.pk, {}),
        ("two_factor.recovery_code_used", member.user.pk, {"left": 9}),
        ("two_factor.disabled", member.user.pk, {}),
        ("company.two_factor_required", owner.user.pk, {"required": True}),
    ]
