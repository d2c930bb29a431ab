"""Smaller holes found from outside, each pinned by a test that failed before its fix."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import ApiKey, Invitation
from apps.accounts.principal import Principal
from apps.accounts.services import (
    api_key_create,
    handoff_issue,
    invitation_create,
    invitation_revoke,
    membership_remove,
)
from apps.core.params import int_param
from apps.jobs.models import Job
from apps.jobs.services import job_schedule
from apps.reminders.models import Reminder
from apps.reminders.services import reminder_create
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.api import PASSWORD
from tests.conftest import host_of, operator_login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "next_url",
    [
        "https://elsewhere.example/",
        "//elsewhere.example/",
        "/\\elsewhere.example/",
        "http://test-alpha.localhost.elsewhere.example/",
        "javascript:alert(1)",
    ],
)
def test_sign_in_never_redirects_off_site(tenant, member, next_url):
    response = Client(HTTP_HOST=host_of(tenant)).post(
        f"/login?next={next_url}", {"email": member.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_sign_in_follows_a_path_on_this_host(tenant, member):
    response = Client(HTTP_HOST=host_of(tenant)).post(
        "/login?next=/reminders?tab=past", {"email": member.user.email, "password": PASSWORD}
    )
    assert response["Location"] == "/reminders?tab=past"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), ("²", 0), ("١٢", 0), ("-3", 0), ("", 0), (None, 0), ("9" * 30, 0)],
)
def test_int_param_takes_ascii_digits_in_range_only(raw, expected):
    assert int_param(raw) == expected


def test_odd_digits_in_a_form_are_a_refusal_not_a_500(tenant, owner):
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner.user)
    for value in ("²", "9" * 40):
        response = client.post("/members", {"action": "remove", "member": value}, follow=True)
        assert response.status_code == 200
        assert "That member no longer exists." in response.content.decode()


def test_an_api_key_prefix_collision_draws_again(tenant, owner, monkeypatch):
    first, _secret = api_key_create(
        tenant=tenant, name="one", scope="read", actor=Principal.of_membership(owner)
    )
    draws = iter([first.prefix, "feedbeef0123"])
    monkeypatch.setattr("apps.accounts.services.api_keys.secrets.token_hex", lambda _n: next(draws))
    second, secret = api_key_create(
        tenant=tenant, name="two", scope="read", actor=Principal.of_membership(owner)
    )
    assert second.prefix == "feedbeef0123"
    assert secret.startswith("feedbeef0123.")
    assert ApiKey.objects.filter(tenant=tenant).count() == 2


def test_invitations_can_be_revoked_and_die_with_their_sender(tenant, owner):
    admin = MembershipFactory(tenant=tenant, role="admin")
    by_admin = invitation_create(
        tenant=tenant,
        email="a@example.com",
        role="member",
        actor=Principal.of_membership(admin),
        accept_url="x/",
    )
    by_owner = invitation_create(
        tenant=tenant,
        email="b@example.com",
        role="member",
        actor=Principal.of_membership(owner),
        accept_url="x/",
    )
    invitation_revoke(invitation=by_owner, actor=Principal.of_membership(owner))
    assert not Invitation.objects.filter(pk=by_owner.pk).exists()
    membership_remove(membership=admin, actor=Principal.of_membership(owner))
    assert not Invitation.objects.filter(pk=by_admin.pk).exists()


def test_inviting_again_replaces_the_earlier_link(tenant, owner):
    first = invitation_create(
        tenant=tenant,
        email="c@example.com",
        role="member",
        actor=Principal.of_membership(owner),
        accept_url="x/",
    )
    second = invitation_create(
        tenant=tenant,
        email="c@example.com",
        role="viewer",
        actor=Principal.of_membership(owner),
        accept_url="x/",
    )
    assert list(Invitation.objects.filter(email="c@example.com")) == [second]
    assert first.pk != second.pk


def test_a_sign_in_link_of_a_deactivated_person_is_refused(tenant, member):
    token = handoff_issue(user=member.user, tenant=tenant)
    type(member.user).objects.filter(pk=member.user_id).update(is_active=False)
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(f"/handoff?token={token}", follow=True)
    assert "This sign-in link is not valid or has expired." in response.content.decode()
    assert client.get("/profile").status_code == 302  # not signed in


def test_view_only_operators_cannot_cancel_or_retry_jobs(public_client, tenant):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_job"))
    job = job_schedule(tenant=tenant, kind="reminder.send", payload={"reminder_id": 0}, delay=3600)
    operator_login(public_client, viewer)
    changelist = public_client.get("/admin/jobs/job/")
    assert changelist.status_code == 200
    assert b'value="cancel"' not in changelist.content
    response = public_client.post(
        "/admin/jobs/job/", {"action": "cancel", "_selected_action": [job.pk]}
    )
    assert response.status_code in {200, 302}
    assert Job.objects.get(pk=job.pk).state == Job.State.SCHEDULED

    viewer.user_permissions.add(Permission.objects.get(codename="change_job"))
    operator_login(public_client, type(viewer).objects.get(pk=viewer.pk))
    public_client.post("/admin/jobs/job/", {"action": "cancel", "_selected_action": [job.pk]})
    assert Job.objects.get(pk=job.pk).state == Job.State.CANCELLED


@pytest.mark.slow
@pytest.mark.usefixtures("celery_worker_process")
def test_readyz_details_only_on_loopback_or_with_the_token(client, settings):
    settings.READYZ_TOKEN = "probe-token-for-tests"
    remote = {"HTTP_HOST": "test-alpha.localhost", "REMOTE_ADDR": "203.0.113.5"}
    assert set(client.get("/readyz", **remote).json()) == {"status", "failing"}
    proxied = {"HTTP_HOST": "localhost", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert set(client.get("/readyz", **proxied).json()) == {"status", "failing"}
    with_token = client.get(
        "/readyz", **remote, HTTP_AUTHORIZATION="Bearer probe-token-for-tests"
    ).json()
    assert with_token["checks"]["postgres"] == "ok"
    assert "checks" in client.get("/readyz", HTTP_HOST="localhost").json()


def test_a_viewer_cannot_cancel_a_reminder_from_the_page_either(tenant, viewer):
    viewer.role = "member"  # set while they were a member
    with schema_context(tenant.schema_name):
        reminder = reminder_create(
            tenant=tenant, actor=Principal.of_membership(viewer), message="set as member", delay=60
        )
    viewer.role = "viewer"
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(viewer.user)
    page = client.post(
        "/reminders", {"action": "cancel", "reminder": reminder.pk}, follow=True
    ).content.decode()
    assert "Only its person, with a role that may write, cancels this." in page
    with schema_context(tenant.schema_name):
        assert Reminder.objects.get(pk=reminder.pk).status == Reminder.Status.SCHEDULED
