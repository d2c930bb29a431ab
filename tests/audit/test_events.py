"""What gets recorded where: sign-ins and failures on the web and the API, members, keys,
deletions, and operators' actions in the admin."""

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_tenants.utils import tenant_context

from apps.accounts.models import RefreshToken, User
from apps.accounts.principal import Principal
from apps.accounts.services import (
    api_key_create,
    api_key_revoke,
    invitation_create,
    membership_remove,
    membership_role_change,
)
from apps.audit.models import AuditEntry
from apps.orders.services import payment_secret_rotate
from tests.accounts.factories import MembershipFactory, TOTPDeviceFactory
from tests.api import PASSWORD, api_client, bearer, login
from tests.conftest import host_of, operator_login

pytestmark = pytest.mark.django_db


def last(tenant, **filters):
    return AuditEntry.objects.filter(tenant=tenant, **filters).order_by("-seq").first()


def test_a_web_sign_in_and_sign_out_are_recorded(tenant, member):
    client = Client(HTTP_HOST=host_of(tenant), REMOTE_ADDR="192.0.2.10")
    response = client.post("/login", {"email": member.user.email, "password": PASSWORD})
    assert response.status_code == 302
    entry = last(tenant, action="auth.signed_in")
    assert (entry.actor_id, entry.actor_label, entry.ip) == (
        member.user.pk,
        member.user.email,
        "192.0.2.10",
    )
    assert entry.data == {"via": "web", "method": "password"}
    client.post("/logout")
    assert last(tenant, action="auth.signed_out").actor_id == member.user.pk


def test_a_failed_sign_in_records_the_email_and_the_reason(tenant, member):
    client = Client(HTTP_HOST=host_of(tenant), REMOTE_ADDR="192.0.2.11")
    client.post("/login", {"email": member.user.email.upper(), "password": "wrong"})
    entry = last(tenant, action="auth.sign_in_failed")
    assert (entry.actor_id, entry.ip) == (None, "192.0.2.11")
    assert entry.data == {"email": member.user.email, "reason": "invalid_credentials"}


def test_the_lock_after_repeated_failures_is_recorded(tenant, member, settings):
    client = Client(HTTP_HOST=host_of(tenant), REMOTE_ADDR="192.0.2.12")
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/login", {"email": member.user.email, "password": "wrong"})
    entry = last(tenant, action="auth.locked")
    assert entry.data == {"email": member.user.email, "reason": "sign_in_locked"}


def test_api_sign_in_sign_out_and_a_replayed_refresh_token_are_recorded(tenant, member):
    pair = login(tenant, member)
    signed_in = last(tenant, action="auth.signed_in")
    assert signed_in.actor_id == member.user.pk
    assert signed_in.data["via"] == "api"
    client = api_client(tenant)
    assert (
        client.post(
            "/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"
        ).status_code
        == 200
    )
    AuditEntry.objects.filter(action="auth.refresh_reused").delete()

    # Past the retry window, the same token again is a replay.
    RefreshToken.objects.filter(retired_at__isnull=False).update(
        retired_at=timezone.now() - timezone.timedelta(hours=1)
    )
    assert (
        client.post(
            "/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"
        ).status_code
        == 401
    )
    assert last(tenant, action="auth.refresh_reused").actor_id == member.user.pk
    fresh = login(tenant, member)
    assert bearer(tenant, fresh["access_token"]).post("/auth/logout").status_code == 204
    assert last(tenant, action="auth.signed_out").data["via"] == "api"


def test_member_and_key_changes_are_recorded_with_who_did_them(tenant, owner):
    person = MembershipFactory(tenant=tenant, role="member")
    owner.tenant = tenant
    membership_role_change(membership=person, role="admin", actor=Principal.of_membership(owner))
    entry = last(tenant, action="member.role_changed")
    assert (entry.actor_label, entry.target, entry.data) == (
        owner.user.email,
        person.user.email,
        {"from": "member", "to": "admin"},
    )
    membership_remove(membership=person, actor=Principal.of_membership(owner))
    assert last(tenant, action="member.removed").target == person.user.email
    invitation_create(
        tenant=tenant,
        email="New@Example.com",
        role="viewer",
        actor=Principal.of_membership(owner),
        accept_url="https://x/",
    )
    assert last(tenant, action="invitation.created").target == "new@example.com"
    key, _secret = api_key_create(
        tenant=tenant, name="ERP", scope="write", actor=Principal.of_membership(owner)
    )
    assert last(tenant, action="api_key.created").target == f"ERP ({key.prefix})"
    api_key_revoke(api_key=key, actor=Principal.of_membership(owner))
    api_key_revoke(
        api_key=key, actor=Principal.of_membership(owner)
    )  # already revoked: nothing more to record
    assert AuditEntry.objects.filter(tenant=tenant, action="api_key.revoked").count() == 1


def test_rotating_the_payment_secret_is_recorded(tenant, owner):
    with tenant_context(tenant):
        payment_secret_rotate(actor=Principal.of_membership(owner))
        entry = last(tenant, action="payment_secret.rotated")
    assert entry.actor_label == owner.user.email


@pytest.fixture
def operator():
    return User.objects.create_superuser("ops-audit@kura.example", "ops-password-123")


def test_an_operators_change_in_the_admin_goes_to_the_companys_log(tenant, operator):
    client = Client(HTTP_HOST="localhost")
    operator_login(client, operator)
    response = client.post(
        f"/admin/tenants/tenant/{tenant.pk}/change/",
        {
            "name": "Renamed by operators",
            "slug": tenant.slug,
            "is_active": "on",
            "plan": "",
            "domains-TOTAL_FORMS": "0",
            "domains-INITIAL_FORMS": "0",
        },
    )
    entry = last(tenant, action="admin.changed")
    assert entry is not None, response.content[:2000]
    assert entry.actor_label == "ops-audit@kura.example"
    assert entry.target == f"tenants.tenant {tenant.pk}: Renamed by operators"


def test_an_operators_admin_sign_in_and_failure_go_to_the_operators_log(operator):
    client = Client(HTTP_HOST="localhost")
    client.post("/admin/login/", {"username": operator.email, "password": "wrong"})
    failed = last(None, action="auth.sign_in_failed")
    assert failed.data == {"email": operator.email, "reason": "invalid_credentials", "via": "admin"}
    device = TOTPDeviceFactory(user=operator)
    client.post(
        "/admin/login/",
        {
            "username": operator.email,
            "password": "ops-password-123",
            "otp_token": f"{TOTP(device.bin_key).token():06d}",
        },
    )
    assert last(None, action="auth.signed_in").actor_label == operator.email
