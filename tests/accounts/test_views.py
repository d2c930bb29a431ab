"""The web pages: session sign-in with CSRF, members, invitations, API keys, switching
company, and signup on the public site."""

import re
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import ApiKey, Membership
from apps.accounts.principal import Principal
from apps.accounts.services import api_key_create
from apps.reminders.models import Reminder
from apps.tenants.models import Tenant
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.api import PASSWORD
from tests.conftest import host_of

pytestmark = pytest.mark.django_db


def signed_in(tenant, membership) -> Client:
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/login", {"email": membership.user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def test_web_login_requires_csrf(tenant, member):
    client = Client(HTTP_HOST=host_of(tenant), enforce_csrf_checks=True)
    response = client.post("/login", {"email": member.user.email, "password": PASSWORD})
    assert response.status_code == 403
    page = client.get("/login")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/login", {"email": member.user.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_session_cookie_flags(tenant, member):
    client = Client(HTTP_HOST=host_of(tenant))
    response = client.post("/login", {"email": member.user.email, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_wrong_password_shows_the_reason(tenant, member):
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/login", {"email": member.user.email, "password": "nope"})
    assert response.status_code == 200
    assert "The email address or password is not correct." in response.content.decode()


def test_logout_ends_the_session(tenant, member):
    client = signed_in(tenant, member)
    assert client.get("/profile").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/profile").status_code == 302


def test_session_ends_when_the_member_is_removed(tenant, member):
    client = signed_in(tenant, member)
    member.delete()
    assert client.get("/profile").status_code == 302


def test_members_page_is_for_owners_and_admins(tenant, member, owner):
    assert signed_in(tenant, member).get("/members").status_code == 403
    page = signed_in(tenant, owner).get("/members")
    assert page.status_code == 200
    assert member.user.email in page.content.decode()


def test_invite_accept_change_role_and_remove(tenant, owner, django_capture_on_commit_callbacks):
    admin = signed_in(tenant, owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/members", {"action": "invite", "email": "new@example.com", "role": "viewer"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/invitations/(\S+)", mail.outbox[0].body)
    assert link is not None

    newcomer = Client(HTTP_HOST=host_of(tenant))
    page = newcomer.get(f"/invitations/{link.group(1)}")
    assert page.status_code == 200
    accepted = newcomer.post(
        f"/invitations/{link.group(1)}",
        {"full_name": "新人 太郎", "password": "a-long-new-password"},
    )
    assert accepted.status_code == 302
    joined = Membership.objects.get(tenant=tenant, user__email="new@example.com")
    assert joined.role == "viewer"
    assert newcomer.get("/profile").status_code == 200
    # A used link does not work twice.
    assert Client(HTTP_HOST=host_of(tenant)).get(f"/invitations/{link.group(1)}").status_code == 400

    admin.post("/members", {"action": "role", "member": joined.pk, "role": "member"})
    joined.refresh_from_db()
    assert joined.role == "member"
    # Removing asks first: the page says what happens, only its POST removes.
    assert admin.get(f"/members/{joined.pk}/remove").status_code == 200
    assert Membership.objects.filter(pk=joined.pk).exists()
    assert admin.post(f"/members/{joined.pk}/remove").status_code == 302
    assert not Membership.objects.filter(pk=joined.pk).exists()


def test_the_last_owner_cannot_be_demoted(tenant, owner):
    admin = signed_in(tenant, owner)
    response = admin.post("/members", {"action": "role", "member": owner.pk, "role": "member"})
    assert response.status_code == 200
    # Said beside the row's role, not in a banner.
    assert (
        f'<small id="member-{owner.pk}-error" role="alert">A company needs at least one owner.'
        "</small>" in response.content.decode()
    )
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_members_of_another_tenant_cannot_be_touched(tenant, other_tenant, owner):
    stranger = MembershipFactory(tenant=other_tenant)
    assert signed_in(tenant, owner).post(f"/members/{stranger.pk}/remove").status_code == 404
    connection.set_schema_to_public()  # the request left the connection in `tenant`
    assert Membership.objects.filter(pk=stranger.pk).exists()


def test_switching_company_signs_in_on_the_other_host(tenant, other_tenant):
    person = UserFactory()
    here = MembershipFactory(tenant=tenant, user=person)
    MembershipFactory(tenant=other_tenant, user=person, role="viewer")
    client = signed_in(tenant, here)
    assert other_tenant.name in client.get("/profile").content.decode()
    jump = client.get(f"/switch/{other_tenant.slug}")
    assert jump.status_code == 302
    target = re.match(r"http://([^/]+)(/handoff\?token=.+)$", jump["Location"])
    assert target is not None
    assert target.group(1) == host_of(other_tenant)
    there = Client(HTTP_HOST=host_of(other_tenant))
    assert there.get(target.group(2)).status_code == 302
    assert there.get("/profile").context["membership"].tenant == other_tenant
    # The link is single use.
    again = Client(HTTP_HOST=host_of(other_tenant))
    again.get(target.group(2))
    assert again.get("/profile").status_code == 302


def test_switching_to_a_company_you_are_not_in_is_refused(tenant, other_tenant, member):
    assert signed_in(tenant, member).get(f"/switch/{other_tenant.slug}").status_code == 403


def test_signup_creates_company_and_owner_and_signs_in(public_client):
    response = public_client.post(
        "/signup",
        {
            "company_name": "Initech 合同会社",
            "slug": "initech",
            "full_name": "Peter",
            "email": "peter@initech.example",
            "password": "tps-reports-2026",
        },
    )
    assert response.status_code == 302, response.content
    tenant = Tenant.objects.get(slug="initech")
    assert Membership.objects.get(tenant=tenant).role == "owner"
    target = re.match(r"http://initech\.localhost(/handoff\?token=.+)$", response["Location"])
    assert target is not None
    client = Client(HTTP_HOST="initech.localhost")
    client.get(target.group(1))
    assert client.get("/profile").status_code == 200


def test_signup_refuses_a_taken_address(public_client, tenant):
    public_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = public_client.post(
        "/signup",
        {
            "company_name": "Copycat",
            "slug": tenant.slug,
            "full_name": "X",
            "email": "x@example.com",
            "password": "tps-reports-2026",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [
        "This address is already taken. Please choose another."
    ]


def test_people_set_their_name_and_time_zone(tenant, member):
    client = signed_in(tenant, member)
    response = client.post(
        "/profile", {"full_name": "山田 花子", "time_zone": "Europe/Paris", "language": ""}
    )
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert (member.user.full_name, member.user.time_zone) == ("山田 花子", "Europe/Paris")
    bad = client.post("/profile", {"full_name": "x", "time_zone": "Mars/Olympus", "language": ""})
    assert bad.status_code == 200
    assert "time_zone" in bad.context["form"].errors


def test_reminder_times_are_read_in_the_persons_time_zone(tenant, member):
    new_york = zoneinfo.ZoneInfo("America/New_York")
    day = (datetime.now(tz=new_york) + timedelta(days=30)).date()
    client = signed_in(tenant, member)
    client.post("/profile", {"full_name": "", "time_zone": "America/New_York", "language": ""})
    client.post(
        "/reminders",
        {"action": "create", "message": "call", "when": "custom", "at": f"{day}T09:00"},
    )
    with schema_context(tenant.schema_name):
        reminder = Reminder.objects.get(message="call")
    assert reminder.remind_at == datetime.combine(day, time(9, 0), tzinfo=new_york)


# --- API keys ---------------------------------------------------------------------------------


def test_api_key_secret_is_shown_once_after_a_redirect(tenant, owner):
    admin = signed_in(tenant, owner)
    created = admin.post("/api-keys", {"name": "ERP", "scope": "write"})
    # Post/redirect/get: reloading the page that shows the secret creates nothing.
    assert (created.status_code, created["Location"]) == (302, "/api-keys")
    page = admin.get("/api-keys").content.decode()
    secret = re.search(r'<input id="new-key-secret" type="text" readonly value="([^"]+)"', page)
    assert secret is not None
    key = ApiKey.objects.get(tenant=tenant, name="ERP")
    assert secret.group(1).startswith(key.prefix + ".")
    assert "Your new key “ERP”" in page
    assert "Copy it now: it is shown only this once." in page
    assert f"<code>Authorization: Api-Key {secret.group(1)}</code>" in page
    assert 'data-copy="new-key-secret"' in page  # the copy button, shown by its script
    again = admin.get("/api-keys").content.decode()
    assert secret.group(1) not in again
    assert 'data-testid="new-key"' not in again
    assert ApiKey.objects.filter(tenant=tenant).count() == 1


def test_api_keys_page_first_run_and_field_errors(tenant, owner):
    admin = signed_in(tenant, owner)
    page = admin.get("/api-keys").content.decode()
    assert "No API keys yet. Create one for each integration, so you can revoke it alone." in page
    refused = admin.post("/api-keys", {"name": "", "scope": "write"})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert 'name="name" maxlength="100" autocomplete="off" aria-invalid="true"' in body
    assert '<small id="id_name-error">This field is required.</small>' in body
    assert ApiKey.objects.filter(tenant=tenant).count() == 0


def test_revoking_a_key_asks_first(tenant, owner):
    key, _secret = api_key_create(
        tenant=tenant, name="ERP", scope="read", actor=Principal.of_membership(owner)
    )
    admin = signed_in(tenant, owner)
    listed = admin.get("/api-keys").content.decode()
    assert f'href="/api-keys/{key.pk}/revoke">Revoke…</a>' in listed
    question = admin.get(f"/api-keys/{key.pk}/revoke")
    assert question.status_code == 200
    body = question.content.decode()
    assert "Revoke the key “ERP”?" in body
    assert f"Every call made with the key <code>{key.prefix}…</code> will be refused" in body
    assert "It has never been used." in body
    key.refresh_from_db()
    assert key.revoked_at is None
    done = admin.post(f"/api-keys/{key.pk}/revoke", follow=True)
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert (
        f"The key “ERP” ({key.prefix}…) is revoked: calls with it are refused."
        in done.content.decode()
    )
    assert "Revoked: " in admin.get(f"/api-keys/{key.pk}/revoke").content.decode()
    assert admin.get("/api-keys/999999/revoke").status_code == 404


@pytest.mark.parametrize("extra", [1, 6])
def test_the_api_keys_page_takes_the_same_queries_however_many(
    tenant, owner, extra, django_assert_num_queries
):
    for n in range(extra):
        api_key_create(
            tenant=tenant, name=f"k{n}", scope="read", actor=Principal.of_membership(owner)
        )
    client = signed_in(tenant, owner)
    client.get("/api-keys")  # the membership is cached from here on
    # The host's tenant, schema switches, session, person, keys with their creators, unread.
    with django_assert_num_queries(7):
        assert client.get("/api-keys").status_code == 200
